variable "name" {
  description = "Prefix of every resource name"
  type        = string
}

variable "tags" {
  description = "Tags every resource carries"
  type        = map(string)
}

variable "subnet_ids" {
  description = "Private subnets of the cache"
  type        = list(string)
}

variable "security_group_id" {
  description = "Security group that admits the server and the jobs only"
  type        = string
}

variable "node_type" {
  description = "ElastiCache node type"
  type        = string
  default     = "cache.t4g.medium"
}

variable "shards" {
  description = "Node groups (shards) of the cluster"
  type        = number
  default     = 1
}

variable "replicas_per_shard" {
  description = "Replicas of each shard (0 in dev; at least 1 for failover)"
  type        = number
  default     = 0
}
