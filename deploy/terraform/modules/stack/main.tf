# A whole Strata deployment: every module, wired together once. The environments call it with
# their own sizes.

module "network" {
  source             = "../network"
  name               = var.name
  tags               = var.tags
  availability_zones = var.availability_zones
  client_cidrs       = var.client_cidrs
}

module "storage" {
  source          = "../storage"
  name            = var.name
  tags            = var.tags
  bucket_name     = var.bucket_name
  noncurrent_days = var.noncurrent_days
  force_destroy   = var.force_destroy
}

module "registry" {
  source                = "../registry"
  name                  = var.name
  tags                  = var.tags
  subnet_ids            = module.network.private_subnet_ids
  security_group_id     = module.network.registry_security_group_id
  instance_class        = var.registry_instance_class
  allocated_storage_gb  = var.registry_storage_gb
  multi_az              = var.registry_multi_az
  backup_retention_days = var.registry_backup_days
  deletion_protection   = var.registry_deletion_protection
}

module "online" {
  source             = "../online"
  name               = var.name
  tags               = var.tags
  subnet_ids         = module.network.private_subnet_ids
  security_group_id  = module.network.redis_security_group_id
  node_type          = var.redis_node_type
  shards             = var.redis_shards
  replicas_per_shard = var.redis_replicas_per_shard
}

module "spark" {
  source                  = "../spark"
  name                    = var.name
  tags                    = var.tags
  subnet_ids              = module.network.private_subnet_ids
  security_group_id       = module.network.jobs_security_group_id
  bucket_arn              = module.storage.bucket_arn
  kms_key_arn             = module.storage.kms_key_arn
  jobs_jar_uri            = var.jobs_jar_uri
  jobs_image_uri          = var.jobs_image_uri
  warehouse_uri           = module.storage.warehouse_uri
  registry_url_secret_arn = module.registry.url_secret_arn
  redis_url_secret_arn    = module.online.url_secret_arn
  scheduled_views         = var.scheduled_views
  log_group_name          = module.observability.jobs_log_group
  materialize_schedule    = var.materialize_schedule
  max_vcpu                = var.jobs_max_vcpu
  max_memory_gb           = var.jobs_max_memory_gb
}

module "observability" {
  source                     = "../observability"
  name                       = var.name
  tags                       = var.tags
  log_retention_days         = var.log_retention_days
  alarm_email                = var.alarm_email
  load_balancer_arn_suffix   = module.server.load_balancer_arn_suffix
  target_group_arn_suffix    = module.server.target_group_arn_suffix
  redis_replication_group_id = module.online.replication_group_id
  emr_application_id         = module.spark.application_id
}

module "server" {
  source                          = "../server"
  name                            = var.name
  tags                            = var.tags
  vpc_id                          = module.network.vpc_id
  subnet_ids                      = module.network.private_subnet_ids
  server_security_group_id        = module.network.server_security_group_id
  load_balancer_security_group_id = module.network.load_balancer_security_group_id
  image                           = var.server_image
  certificate_arn                 = var.certificate_arn
  registry_url_secret_arn         = module.registry.url_secret_arn
  redis_url_secret_arn            = module.online.url_secret_arn
  log_group_name                  = module.observability.server_log_group
  cpu                             = var.server_cpu
  memory_mb                       = var.server_memory_mb
  min_tasks                       = var.server_min_tasks
  max_tasks                       = var.server_max_tasks
}
