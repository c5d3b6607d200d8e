output "endpoint" {
  description = "Configuration endpoint of the cluster (TLS, port 6379)"
  value       = "rediss-cluster://${aws_elasticache_replication_group.this.configuration_endpoint_address}:6379"
}

output "url_secret_arn" {
  description = "Secret holding the URL with the auth token"
  value       = aws_secretsmanager_secret.redis_url.arn
}

output "replication_group_id" {
  value = aws_elasticache_replication_group.this.id
}
