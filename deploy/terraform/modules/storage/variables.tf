variable "name" {
  description = "Prefix of every resource name"
  type        = string
}

variable "tags" {
  description = "Tags every resource carries"
  type        = map(string)
}

variable "bucket_name" {
  description = "Name of the bucket of the offline tables, checkpoints, training sets and models"
  type        = string
}

variable "noncurrent_days" {
  description = "Days an overwritten or deleted object version is kept (the tables' own time travel reaches back this far at most)"
  type        = number
  default     = 30
}

variable "force_destroy" {
  description = "Whether destroying the stack may delete a bucket that holds objects (dev only)"
  type        = bool
  default     = false
}
