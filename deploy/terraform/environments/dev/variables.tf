variable "region" {
  description = "AWS region"
  type        = string
}

variable "name" {
  description = "Prefix of every resource name, e.g. strata-dev or strata-prod"
  type        = string
}

variable "owner" {
  description = "Team that owns the deployment (the Owner tag)"
  type        = string
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

variable "server_image" {
  description = "Feature server image (ECR URI with tag)"
  type        = string
}

variable "certificate_arn" {
  description = "ACM certificate of the server's internal load balancer"
  type        = string
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
  default     = []
}

variable "alarm_email" {
  description = "Address of the alarms"
  type        = string
}
