# The feature registry: RDS PostgreSQL with automated backups (point-in-time recovery), Multi-AZ in
# prod, SSL required. Its password is generated here and kept in Secrets Manager, inside the JDBC
# URL the server and the jobs read (STRATA_REGISTRY_URL); it never appears in a variable.

resource "random_password" "registry" {
  length  = 32
  special = false
}

resource "aws_db_subnet_group" "this" {
  name       = "${var.name}-registry"
  subnet_ids = var.subnet_ids
  tags       = var.tags
}

resource "aws_db_parameter_group" "this" {
  name   = "${var.name}-registry"
  family = "postgres16"
  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }
  tags = var.tags
}

resource "aws_db_instance" "this" {
  identifier                   = "${var.name}-registry"
  engine                       = "postgres"
  engine_version               = "16"
  instance_class               = var.instance_class
  allocated_storage            = var.allocated_storage_gb
  storage_type                 = "gp3"
  storage_encrypted            = true
  db_name                      = "strata"
  username                     = "strata"
  password                     = random_password.registry.result
  db_subnet_group_name         = aws_db_subnet_group.this.name
  vpc_security_group_ids       = [var.security_group_id]
  parameter_group_name         = aws_db_parameter_group.this.name
  multi_az                     = var.multi_az
  backup_retention_period      = var.backup_retention_days
  copy_tags_to_snapshot        = true
  deletion_protection          = var.deletion_protection
  skip_final_snapshot          = false
  final_snapshot_identifier    = "${var.name}-registry-final"
  publicly_accessible          = false
  auto_minor_version_upgrade   = true
  performance_insights_enabled = true
  tags                         = var.tags
}

resource "aws_secretsmanager_secret" "registry_url" {
  name        = "${var.name}/registry-url"
  description = "JDBC URL of the registry, with its password (STRATA_REGISTRY_URL)"
  tags        = var.tags
}

resource "aws_secretsmanager_secret_version" "registry_url" {
  secret_id     = aws_secretsmanager_secret.registry_url.id
  secret_string = "jdbc:postgresql://${aws_db_instance.this.address}:${aws_db_instance.this.port}/strata?user=strata&password=${random_password.registry.result}&sslmode=require"
}
