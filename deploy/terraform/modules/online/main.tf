# The online store: ElastiCache for Redis in cluster mode, TLS in transit, encrypted at rest, with
# an auth token generated here and kept in Secrets Manager inside the URL the server and the jobs
# read (STRATA_REDIS_URL: rediss-cluster://:TOKEN@host:6379).

resource "random_password" "auth_token" {
  length  = 48
  special = false
}

resource "aws_elasticache_subnet_group" "this" {
  name       = "${var.name}-online"
  subnet_ids = var.subnet_ids
  tags       = var.tags
}

resource "aws_elasticache_replication_group" "this" {
  replication_group_id       = "${var.name}-online"
  description                = "Strata online store"
  engine                     = "redis"
  engine_version             = "7.1"
  node_type                  = var.node_type
  port                       = 6379
  parameter_group_name       = "default.redis7.cluster.on"
  num_node_groups            = var.shards
  replicas_per_node_group    = var.replicas_per_shard
  automatic_failover_enabled = true
  multi_az_enabled           = var.replicas_per_shard > 0
  transit_encryption_enabled = true
  at_rest_encryption_enabled = true
  auth_token                 = random_password.auth_token.result
  subnet_group_name          = aws_elasticache_subnet_group.this.name
  security_group_ids         = [var.security_group_id]
  snapshot_retention_limit   = 1
  apply_immediately          = false
  tags                       = var.tags
}

resource "aws_secretsmanager_secret" "redis_url" {
  name        = "${var.name}/redis-url"
  description = "URL of the online store, with its auth token (STRATA_REDIS_URL)"
  tags        = var.tags
}

resource "aws_secretsmanager_secret_version" "redis_url" {
  secret_id     = aws_secretsmanager_secret.redis_url.id
  secret_string = "rediss-cluster://:${random_password.auth_token.result}@${aws_elasticache_replication_group.this.configuration_endpoint_address}:6379"
}
