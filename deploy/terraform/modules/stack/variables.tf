variable "name" {
  description = "Prefix of every resource name"
  type        = string
}

variable "tags" {
  description = "Tags every resource carries"
  type        = map(string)
}

variable "availability_zones" {
  description = "Availability zones, one private subnet each"
  type        = list(string)
}

variable "client_cidrs" {
  description = "CIDR blocks of the services that call the feature server"
  type        = list(string)
}

variable "bucket_name" {
  description = "Bucket of the offline store"
  type        = string
}

variable "noncurrent_days" {
  description = "Days old table files are kept as noncurrent versions"
  type        = number
}

variable "force_destroy" {
  description = "Whether destroying the stack may delete a bucket that holds objects"
  type        = bool
  default     = false
}

variable "registry_instance_class" {
  description = "RDS instance class of the registry"
  type        = string
}

variable "registry_storage_gb" {
  description = "Storage of the registry in GB"
  type        = number
  default     = 20
}

variable "registry_multi_az" {
  description = "A standby of the registry in a second availability zone"
  type        = bool
}

variable "registry_backup_days" {
  description = "Days of point-in-time recovery of the registry"
  type        = number
}

variable "registry_deletion_protection" {
  description = "Refuse to delete the registry"
  type        = bool
  default     = true
}

variable "redis_node_type" {
  description = "ElastiCache node type"
  type        = string
}

variable "redis_shards" {
  description = "Shards of the Redis cluster"
  type        = number
}

variable "redis_replicas_per_shard" {
  description = "Replicas of each shard"
  type        = number
}

variable "jobs_jar_uri" {
  description = "S3 URI of the spark-jobs jar"
  type        = string
}

variable "jobs_image_uri" {
  description = "ECR URI of the jobs image; null runs jobs_jar_uri on EMR's own image"
  type        = string
  default     = null
}

variable "scheduled_views" {
  description = "Feature views backfilled nightly and materialized incrementally"
  type        = list(string)
}

variable "materialize_schedule" {
  description = "When materialize-incremental runs"
  type        = string
}

variable "jobs_max_vcpu" {
  description = "Most vCPUs the jobs may hold at once"
  type        = number
}

variable "jobs_max_memory_gb" {
  description = "Most memory the jobs may hold at once, in GB"
  type        = number
}

variable "log_retention_days" {
  description = "Days the logs are kept"
  type        = number
}

variable "alarm_email" {
  description = "Address of the alarms"
  type        = string
}

variable "server_image" {
  description = "Feature server image"
  type        = string
}

variable "certificate_arn" {
  description = "ACM certificate of the server's internal load balancer"
  type        = string
}

variable "server_cpu" {
  description = "CPU units of a server task"
  type        = number
}

variable "server_memory_mb" {
  description = "Memory of a server task in MB"
  type        = number
}

variable "server_min_tasks" {
  description = "Fewest server tasks"
  type        = number
}

variable "server_max_tasks" {
  description = "Most server tasks"
  type        = number
}
