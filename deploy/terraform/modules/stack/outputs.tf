output "server_url" {
  description = "Internal URL of the feature server"
  value       = module.server.url
}

output "registry_jdbc_url" {
  description = "JDBC URL of the registry, without its password (that is in the secret)"
  value       = module.registry.jdbc_url
}

output "registry_url_secret_arn" {
  value = module.registry.url_secret_arn
}

output "redis_endpoint" {
  description = "The online store (TLS); its auth token is in the secret"
  value       = module.online.endpoint
}

output "warehouse_uri" {
  value = module.storage.warehouse_uri
}

output "emr_application_id" {
  value = module.spark.application_id
}

output "api_keys_secret_arn" {
  description = "Put the server's API keys here (SPRING_APPLICATION_JSON)"
  value       = module.server.api_keys_secret_arn
}
