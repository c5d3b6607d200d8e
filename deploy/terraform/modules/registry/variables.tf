variable "name" {
  description = "Prefix of every resource name"
  type        = string
}

variable "tags" {
  description = "Tags every resource carries"
  type        = map(string)
}

variable "subnet_ids" {
  description = "Private subnets of the database"
  type        = list(string)
}

variable "security_group_id" {
  description = "Security group that admits the server and the jobs only"
  type        = string
}

variable "instance_class" {
  description = "RDS instance class"
  type        = string
  default     = "db.t4g.medium"
}

variable "allocated_storage_gb" {
  description = "Storage of the database in GB"
  type        = number
  default     = 20
}

variable "multi_az" {
  description = "A standby in a second availability zone (prod)"
  type        = bool
  default     = false
}

variable "backup_retention_days" {
  description = "Days of automated backups: the point-in-time recovery window"
  type        = number
  default     = 7
}

variable "deletion_protection" {
  description = "Refuse to delete the database"
  type        = bool
  default     = true
}
