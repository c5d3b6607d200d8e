variable "name" {
  description = "Prefix of every resource name"
  type        = string
}

variable "tags" {
  description = "Tags every resource carries"
  type        = map(string)
}

variable "vpc_id" {
  description = "VPC of the server"
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets of the tasks and the internal load balancer"
  type        = list(string)
}

variable "server_security_group_id" {
  description = "Security group of the tasks"
  type        = string
}

variable "load_balancer_security_group_id" {
  description = "Security group of the internal load balancer"
  type        = string
}

variable "image" {
  description = "Container image of the feature server (built by Maven with Jib)"
  type        = string
}

variable "certificate_arn" {
  description = "ACM certificate of the load balancer's HTTPS listener"
  type        = string
}

variable "registry_url_secret_arn" {
  description = "Secret holding the registry's JDBC URL"
  type        = string
}

variable "redis_url_secret_arn" {
  description = "Secret holding the online store's URL"
  type        = string
}

variable "log_group_name" {
  description = "CloudWatch log group of the server"
  type        = string
}

variable "cpu" {
  description = "CPU units of a task (1024 = 1 vCPU)"
  type        = number
  default     = 1024
}

variable "memory_mb" {
  description = "Memory of a task in MB"
  type        = number
  default     = 2048
}

variable "min_tasks" {
  description = "Fewest tasks"
  type        = number
  default     = 2
}

variable "max_tasks" {
  description = "Most tasks"
  type        = number
  default     = 10
}

variable "target_cpu_percent" {
  description = "Average CPU the autoscaling keeps the tasks at"
  type        = number
  default     = 60
}

variable "target_requests_per_task" {
  description = "Requests per task per minute the autoscaling keeps"
  type        = number
  default     = 60000
}
