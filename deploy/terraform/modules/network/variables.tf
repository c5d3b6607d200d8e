variable "name" {
  description = "Prefix of every resource name"
  type        = string
}

variable "tags" {
  description = "Tags every resource carries"
  type        = map(string)
}

variable "vpc_cidr" {
  description = "CIDR block of the VPC"
  type        = string
  default     = "10.40.0.0/16"
}

variable "availability_zones" {
  description = "Availability zones of the private subnets, one subnet each"
  type        = list(string)
}

variable "client_cidrs" {
  description = "CIDR blocks of the online services that call the feature server's internal load balancer"
  type        = list(string)
}
