variable "name" {
  description = "Prefix of every resource name"
  type        = string
}

variable "tags" {
  description = "Tags every resource carries"
  type        = map(string)
}

variable "log_retention_days" {
  description = "Days the server's and the jobs' logs are kept"
  type        = number
  default     = 30
}

variable "alarm_email" {
  description = "Address the alarms are sent to"
  type        = string
}

variable "load_balancer_arn_suffix" {
  description = "The server's load balancer (its ARN suffix)"
  type        = string
}

variable "target_group_arn_suffix" {
  description = "The server's target group (its ARN suffix)"
  type        = string
}

variable "redis_replication_group_id" {
  description = "The online store's replication group"
  type        = string
}

variable "emr_application_id" {
  description = "The jobs' EMR Serverless application"
  type        = string
}

variable "max_5xx_percent" {
  description = "Share of server answers that may be 5xx before the alarm"
  type        = number
  default     = 1
}

variable "max_p99_seconds" {
  description = "p99 latency of the server before the alarm"
  type        = number
  default     = 0.05
}

variable "max_redis_memory_percent" {
  description = "Redis memory use before the alarm"
  type        = number
  default     = 80
}
