variable "name" {
  description = "Prefix of every resource name"
  type        = string
}

variable "tags" {
  description = "Tags every resource carries"
  type        = map(string)
}

variable "subnet_ids" {
  description = "Private subnets of the jobs"
  type        = list(string)
}

variable "security_group_id" {
  description = "Security group of the jobs"
  type        = string
}

variable "bucket_arn" {
  description = "ARN of the offline store's bucket, which only the jobs may write"
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key of the bucket"
  type        = string
}

variable "jobs_jar_uri" {
  description = "S3 URI of the spark-jobs jar (strata-spark-jobs-*-all.jar)"
  type        = string
}

variable "jobs_image_uri" {
  description = "ECR URI of the jobs image (deploy/images/jobs); when set, the jobs run the jar inside it instead of jobs_jar_uri"
  type        = string
  default     = null
}

variable "warehouse_uri" {
  description = "Warehouse root of the jobs, e.g. s3a://bucket/warehouse"
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

variable "scheduled_views" {
  description = "Feature views backfilled and materialized on the schedules"
  type        = list(string)
  default     = []
}

variable "backfill_schedule" {
  description = "When the nightly backfill of yesterday runs (EventBridge Scheduler expression)"
  type        = string
  default     = "cron(30 1 * * ? *)"
}

variable "materialize_schedule" {
  description = "When materialize-incremental runs"
  type        = string
  default     = "rate(15 minutes)"
}

variable "release_label" {
  description = "EMR release: Spark 3.5 with Java 17"
  type        = string
  default     = "emr-7.5.0"
}

variable "max_vcpu" {
  description = "Most vCPUs the application may hold at once"
  type        = number
  default     = 64
}

variable "max_memory_gb" {
  description = "Most memory the application may hold at once, in GB"
  type        = number
  default     = 256
}

variable "log_group_name" {
  description = "CloudWatch log group of the job runs"
  type        = string
}
