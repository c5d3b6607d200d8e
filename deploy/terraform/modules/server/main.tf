# The feature server on ECS Fargate behind an internal application load balancer (HTTPS), health
# checked on the server's health endpoint, scaled on CPU and on requests per task. The registry
# and Redis URLs and the API keys come from Secrets Manager as environment variables; the task
# role may read nothing else (no bucket access: only the jobs write the offline store).

data "aws_region" "current" {}

resource "aws_ecs_cluster" "this" {
  name = "${var.name}-server"
  setting {
    name  = "containerInsights"
    value = "enabled"
  }
  tags = var.tags
}

# The API keys: {"strata":{"api-keys":{"KEY":"read"|"write"|"admin"}}}, put in by the operator
resource "aws_secretsmanager_secret" "api_keys" {
  name        = "${var.name}/server-api-keys"
  description = "SPRING_APPLICATION_JSON of the feature server: its API keys and their roles"
  tags        = var.tags
}

data "aws_iam_policy_document" "tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

# ECS itself: pulls the image, writes the logs, reads the secrets into the environment
resource "aws_iam_role" "execution" {
  name               = "${var.name}-server-execution"
  assume_role_policy = data.aws_iam_policy_document.tasks_assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy_attachment" "execution" {
  role       = aws_iam_role.execution.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}

data "aws_iam_policy_document" "secrets" {
  statement {
    actions = ["secretsmanager:GetSecretValue"]
    resources = [
      var.registry_url_secret_arn,
      var.redis_url_secret_arn,
      aws_secretsmanager_secret.api_keys.arn,
    ]
  }
}

resource "aws_iam_role_policy" "execution_secrets" {
  name   = "server-secrets"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.secrets.json
}

# The server's own role: nothing beyond what its network reaches (Redis, the registry)
resource "aws_iam_role" "task" {
  name               = "${var.name}-server-task"
  assume_role_policy = data.aws_iam_policy_document.tasks_assume.json
  tags               = var.tags
}

resource "aws_ecs_task_definition" "server" {
  family                   = "${var.name}-server"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.cpu
  memory                   = var.memory_mb
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn
  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }
  container_definitions = jsonencode([{
    name         = "feature-server"
    image        = var.image
    essential    = true
    user         = "1000:1000"
    portMappings = [{ containerPort = 8080, protocol = "tcp" }]
    environment = [
      { name = "JAVA_TOOL_OPTIONS", value = "-XX:MaxRAMPercentage=75" },
    ]
    secrets = [
      # Spring binds STRATA_REGISTRYURL to strata.registry-url, STRATA_REDISURL to strata.redis-url
      { name = "STRATA_REGISTRYURL", valueFrom = var.registry_url_secret_arn },
      { name = "STRATA_REDISURL", valueFrom = var.redis_url_secret_arn },
      { name = "SPRING_APPLICATION_JSON", valueFrom = aws_secretsmanager_secret.api_keys.arn },
    ]
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = var.log_group_name
        awslogs-region        = data.aws_region.current.name
        awslogs-stream-prefix = "server"
      }
    }
  }])
  tags = var.tags
}

resource "aws_lb" "this" {
  name               = "${var.name}-server"
  internal           = true
  load_balancer_type = "application"
  subnets            = var.subnet_ids
  security_groups    = [var.load_balancer_security_group_id]
  drop_invalid_header_fields = true
  tags               = var.tags
}

resource "aws_lb_target_group" "server" {
  name        = "${var.name}-server"
  port        = 8080
  protocol    = "HTTP"
  target_type = "ip"
  vpc_id      = var.vpc_id
  health_check {
    path                = "/actuator/health"
    matcher             = "200"
    interval            = 10
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }
  deregistration_delay = 30
  tags                 = var.tags
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.this.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = var.certificate_arn
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.server.arn
  }
  tags = var.tags
}

resource "aws_ecs_service" "server" {
  name            = "${var.name}-server"
  cluster         = aws_ecs_cluster.this.id
  task_definition = aws_ecs_task_definition.server.arn
  desired_count   = var.min_tasks
  launch_type     = "FARGATE"
  network_configuration {
    subnets          = var.subnet_ids
    security_groups  = [var.server_security_group_id]
    assign_public_ip = false
  }
  load_balancer {
    target_group_arn = aws_lb_target_group.server.arn
    container_name   = "feature-server"
    container_port   = 8080
  }
  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }
  lifecycle {
    ignore_changes = [desired_count]
  }
  depends_on = [aws_lb_listener.https]
  tags       = var.tags
}

resource "aws_appautoscaling_target" "server" {
  service_namespace  = "ecs"
  resource_id        = "service/${aws_ecs_cluster.this.name}/${aws_ecs_service.server.name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = var.min_tasks
  max_capacity       = var.max_tasks
  tags               = var.tags
}

resource "aws_appautoscaling_policy" "cpu" {
  name               = "${var.name}-server-cpu"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.server.service_namespace
  resource_id        = aws_appautoscaling_target.server.resource_id
  scalable_dimension = aws_appautoscaling_target.server.scalable_dimension
  target_tracking_scaling_policy_configuration {
    target_value = var.target_cpu_percent
    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}

resource "aws_appautoscaling_policy" "requests" {
  name               = "${var.name}-server-requests"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.server.service_namespace
  resource_id        = aws_appautoscaling_target.server.resource_id
  scalable_dimension = aws_appautoscaling_target.server.scalable_dimension
  target_tracking_scaling_policy_configuration {
    target_value = var.target_requests_per_task
    predefined_metric_specification {
      predefined_metric_type = "ALBRequestCountPerTarget"
      resource_label         = "${aws_lb.this.arn_suffix}/${aws_lb_target_group.server.arn_suffix}"
    }
  }
}
