# Prod: three AZs, the registry Multi-AZ with 14 days of point-in-time recovery, Redis in two
# shards with a replica each, the server autoscaled from 3 to 30 tasks, deletion protection on.
# Sized for 10k requests/s and a nightly backfill of a billion rows (deploy/README.md).

locals {
  tags = {
    Project     = "strata"
    Environment = "prod"
    Owner       = var.owner
    ManagedBy   = "terraform"
  }
}

module "strata" {
  source                   = "../../modules/stack"
  name                     = var.name
  tags                     = local.tags
  availability_zones       = var.availability_zones
  client_cidrs             = var.client_cidrs
  bucket_name              = var.bucket_name
  noncurrent_days          = 30
  registry_instance_class  = "db.r6g.large"
  registry_storage_gb      = 100
  registry_multi_az        = true
  registry_backup_days     = 14
  redis_node_type          = "cache.r7g.large"
  redis_shards             = 2
  redis_replicas_per_shard = 1
  jobs_jar_uri             = var.jobs_jar_uri
  jobs_image_uri           = var.jobs_image_uri
  scheduled_views          = var.scheduled_views
  materialize_schedule     = "rate(15 minutes)"
  jobs_max_vcpu            = 400
  jobs_max_memory_gb       = 1600
  log_retention_days       = 90
  alarm_email              = var.alarm_email
  server_image             = var.server_image
  certificate_arn          = var.certificate_arn
  server_cpu               = 2048
  server_memory_mb         = 4096
  server_min_tasks         = 3
  server_max_tasks         = 30
}
