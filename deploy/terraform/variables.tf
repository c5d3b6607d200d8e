# Inputs of a production Strata deployment. Resources follow with the online path and the
# cluster jobs; see README.md.

variable "name" {
  description = "Prefix of every resource name"
  type        = string
  default     = "strata"
}

variable "registry_jdbc_url" {
  description = "JDBC URL of the PostgreSQL registry database (STRATA_REGISTRY_URL)"
  type        = string
  sensitive   = true
}

variable "offline_store_uri" {
  description = "Root URI of the offline tables, e.g. s3a://bucket/strata or hdfs:///strata"
  type        = string
}

variable "redis_nodes" {
  description = "Number of Redis nodes of the online store"
  type        = number
  default     = 1
}

variable "feature_server_replicas" {
  description = "Number of feature server instances"
  type        = number
  default     = 2
}
