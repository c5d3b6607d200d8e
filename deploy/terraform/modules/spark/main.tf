# The Spark jobs: an EMR Serverless application that runs the spark-jobs jar from S3 through
# spark-submit, and EventBridge Scheduler schedules that start a backfill and a
# materialize-incremental run of each scheduled view. Only the jobs' role may write the bucket.

data "aws_partition" "current" {}

resource "aws_emrserverless_application" "this" {
  name          = "${var.name}-jobs"
  release_label = var.release_label
  type          = "SPARK"
  maximum_capacity {
    cpu    = "${var.max_vcpu} vCPU"
    memory = "${var.max_memory_gb} GB"
  }
  auto_stop_configuration {
    enabled              = true
    idle_timeout_minutes = 10
  }
  network_configuration {
    subnet_ids         = var.subnet_ids
    security_group_ids = [var.security_group_id]
  }
  # the jobs image: EMR's runtime with the jobs jar inside (deploy/images/jobs/Dockerfile)
  dynamic "image_configuration" {
    for_each = var.jobs_image_uri == null ? [] : [var.jobs_image_uri]
    content {
      image_uri = image_configuration.value
    }
  }
  tags = var.tags
}

data "aws_iam_policy_document" "jobs_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["emr-serverless.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "jobs" {
  name               = "${var.name}-jobs"
  assume_role_policy = data.aws_iam_policy_document.jobs_assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "jobs" {
  statement {
    sid       = "ReadWriteTheOfflineStore"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
    resources = ["${var.bucket_arn}/*"]
  }
  statement {
    sid       = "ListTheOfflineStore"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = [var.bucket_arn]
  }
  statement {
    sid       = "UseTheBucketKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]
  }
  statement {
    sid       = "WriteTheirLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogGroups", "logs:DescribeLogStreams"]
    resources = ["arn:${data.aws_partition.current.partition}:logs:*:*:log-group:${var.log_group_name}:*"]
  }
  statement {
    sid       = "ReadTheirSecrets"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [var.registry_url_secret_arn, var.redis_url_secret_arn]
  }
}

resource "aws_iam_role_policy" "jobs" {
  name   = "strata-jobs"
  role   = aws_iam_role.jobs.id
  policy = data.aws_iam_policy_document.jobs.json
}

data "aws_iam_policy_document" "scheduler_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["scheduler.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "scheduler" {
  name               = "${var.name}-scheduler"
  assume_role_policy = data.aws_iam_policy_document.scheduler_assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "scheduler" {
  statement {
    actions   = ["emr-serverless:StartJobRun"]
    resources = [aws_emrserverless_application.this.arn]
  }
  statement {
    actions   = ["iam:PassRole"]
    resources = [aws_iam_role.jobs.arn]
  }
}

resource "aws_iam_role_policy" "scheduler" {
  name   = "start-strata-jobs"
  role   = aws_iam_role.scheduler.id
  policy = data.aws_iam_policy_document.scheduler.json
}

locals {
  # the URLs reach the driver from Secrets Manager (EMR.secret@), never on a command line
  submit_parameters = join(" ", [
    "--class dev.strata.jobs.cli.StrataCli",
    "--conf spark.emr-serverless.driverEnv.STRATA_REGISTRY_URL=EMR.secret@${var.registry_url_secret_arn}",
    "--conf spark.emr-serverless.driverEnv.STRATA_REDIS_URL=EMR.secret@${var.redis_url_secret_arn}",
  ])
  # the jar inside the jobs image, or the one in the bucket
  entry_point   = var.jobs_image_uri == null ? var.jobs_jar_uri : "local:///usr/lib/strata/strata-spark-jobs-all.jar"
  start_job_run = "arn:${data.aws_partition.current.partition}:scheduler:::aws-sdk:emrserverless:startJobRun"
  # each view's two scheduled jobs, as "KIND/VIEW"
  scheduled_jobs = toset(concat(
    formatlist("backfill/%s", var.scheduled_views),
    formatlist("materialize/%s", var.scheduled_views)
  ))
  # backfill: each night, the views' features of yesterday (UTC), recomputed into the offline tables;
  # materialize: every few minutes, what the offline tables gained since the last run, into Redis
  job_schedule = { backfill = var.backfill_schedule, materialize = var.materialize_schedule }
  job_command  = { backfill = "backfill", materialize = "materialize-incremental" }
  job_options  = { backfill = ["--start", "yesterday", "--end", "yesterday"], materialize = [] }
}

resource "aws_scheduler_schedule" "job" {
  for_each                     = local.scheduled_jobs
  name                         = "${var.name}-${replace(each.value, "/", "-")}"
  schedule_expression          = local.job_schedule[dirname(each.value)]
  schedule_expression_timezone = "UTC"
  flexible_time_window {
    mode = "OFF"
  }
  target {
    arn      = local.start_job_run
    role_arn = aws_iam_role.scheduler.arn
    input = jsonencode({
      ApplicationId    = aws_emrserverless_application.this.id
      ExecutionRoleArn = aws_iam_role.jobs.arn
      Name             = replace(each.value, "/", "-")
      ClientToken      = "<aws.scheduler.execution-id>"
      JobDriver = {
        SparkSubmit = {
          EntryPoint = local.entry_point
          EntryPointArguments = concat(
            [local.job_command[dirname(each.value)], basename(each.value)],
            local.job_options[dirname(each.value)],
            ["--warehouse", var.warehouse_uri]
          )
          SparkSubmitParameters = local.submit_parameters
        }
      }
      ConfigurationOverrides = {
        MonitoringConfiguration = {
          CloudWatchLoggingConfiguration = { Enabled = true, LogGroupName = var.log_group_name }
        }
      }
      Tags = var.tags
    })
  }
}
