# Dev: small instances, no replicas, no Multi-AZ, three days of registry backups, hourly
# materialization; the bucket may be destroyed with the stack.

locals {
  tags = {
    Project     = "strata"
    Environment = "dev"
    Owner       = var.owner
    ManagedBy   = "terraform"
  }
}

module "strata" {
  source                       = "../../modules/stack"
  name                         = var.name
  tags                         = local.tags
  availability_zones           = var.availability_zones
  client_cidrs                 = var.client_cidrs
  bucket_name                  = var.bucket_name
  noncurrent_days              = 7
  force_destroy                = true
  registry_instance_class      = "db.t4g.micro"
  registry_multi_az            = false
  registry_backup_days         = 3
  registry_deletion_protection = false
  redis_node_type              = "cache.t4g.small"
  redis_shards                 = 1
  redis_replicas_per_shard     = 0
  jobs_jar_uri                 = var.jobs_jar_uri
  jobs_image_uri               = var.jobs_image_uri
  scheduled_views              = var.scheduled_views
  materialize_schedule         = "rate(1 hour)"
  jobs_max_vcpu                = 16
  jobs_max_memory_gb           = 64
  log_retention_days           = 7
  alarm_email                  = var.alarm_email
  server_image                 = var.server_image
  certificate_arn              = var.certificate_arn
  server_cpu                   = 512
  server_memory_mb             = 1024
  server_min_tasks             = 1
  server_max_tasks             = 2
}
