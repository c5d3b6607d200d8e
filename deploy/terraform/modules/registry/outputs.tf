output "jdbc_url" {
  description = "JDBC URL of the registry without its password"
  value       = "jdbc:postgresql://${aws_db_instance.this.address}:${aws_db_instance.this.port}/strata?user=strata&sslmode=require"
}

output "url_secret_arn" {
  description = "Secret holding the JDBC URL with the password"
  value       = aws_secretsmanager_secret.registry_url.arn
}

output "instance_id" {
  value = aws_db_instance.this.identifier
}
