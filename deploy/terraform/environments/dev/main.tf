# Dev: one AZ's worth of everything, no replicas, no Multi-AZ, small nodes; the bucket may be
# destroyed with the stack.

locals {
  tags = {
    Project     = "strata"
    Environment = "dev"
    Owner       = var.owner
    ManagedBy   = "terraform"
  }
}

module "network" {
  source             = "../../modules/network"
  name               = var.name
  tags               = local.tags
  availability_zones = var.availability_zones
  client_cidrs       = var.client_cidrs
}

module "storage" {
  source          = "../../modules/storage"
  name            = var.name
  tags            = local.tags
  bucket_name     = var.bucket_name
  noncurrent_days = 7
  force_destroy   = true
}

module "registry" {
  source                = "../../modules/registry"
  name                  = var.name
  tags                  = local.tags
  subnet_ids            = module.network.private_subnet_ids
  security_group_id     = module.network.registry_security_group_id
  instance_class        = "db.t4g.micro"
  multi_az              = false
  backup_retention_days = 3
  deletion_protection   = false
}

module "online" {
  source             = "../../modules/online"
  name               = var.name
  tags               = local.tags
  subnet_ids         = module.network.private_subnet_ids
  security_group_id  = module.network.redis_security_group_id
  node_type          = "cache.t4g.small"
  shards             = 1
  replicas_per_shard = 0
}

module "spark" {
  source                  = "../../modules/spark"
  name                    = var.name
  tags                    = local.tags
  subnet_ids              = module.network.private_subnet_ids
  security_group_id       = module.network.jobs_security_group_id
  bucket_arn              = module.storage.bucket_arn
  kms_key_arn             = module.storage.kms_key_arn
  jobs_jar_uri            = var.jobs_jar_uri
  warehouse_uri           = module.storage.warehouse_uri
  registry_url_secret_arn = module.registry.url_secret_arn
  redis_url_secret_arn    = module.online.url_secret_arn
  scheduled_views         = var.scheduled_views
  log_group_name          = module.observability.jobs_log_group
  materialize_schedule    = "rate(1 hour)"
  max_vcpu                = 16
  max_memory_gb           = 64
}

module "observability" {
  source                     = "../../modules/observability"
  name                       = var.name
  tags                       = local.tags
  log_retention_days         = 7
  alarm_email                = var.alarm_email
  load_balancer_arn_suffix   = module.server.load_balancer_arn_suffix
  target_group_arn_suffix    = module.server.target_group_arn_suffix
  redis_replication_group_id = module.online.replication_group_id
  emr_application_id         = module.spark.application_id
}

module "server" {
  source                          = "../../modules/server"
  name                            = var.name
  tags                            = local.tags
  vpc_id                          = module.network.vpc_id
  subnet_ids                      = module.network.private_subnet_ids
  server_security_group_id        = module.network.server_security_group_id
  load_balancer_security_group_id = module.network.load_balancer_security_group_id
  image                           = var.server_image
  certificate_arn                 = var.certificate_arn
  registry_url_secret_arn         = module.registry.url_secret_arn
  redis_url_secret_arn            = module.online.url_secret_arn
  log_group_name                  = module.observability.server_log_group
  cpu                             = 512
  memory_mb                       = 1024
  min_tasks                       = 1
  max_tasks                       = 2
}
