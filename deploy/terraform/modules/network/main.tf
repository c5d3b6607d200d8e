# The network: a VPC with private subnets only (the feature server sits behind an internal load
# balancer; the jobs reach S3 through a gateway endpoint), and security groups that let only the
# server and the jobs reach Redis and PostgreSQL.

resource "aws_vpc" "this" {
  cidr_block           = var.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true
  tags                 = merge(var.tags, { Name = "${var.name}-vpc" })
}

resource "aws_subnet" "private" {
  count             = length(var.availability_zones)
  vpc_id            = aws_vpc.this.id
  availability_zone = var.availability_zones[count.index]
  cidr_block        = cidrsubnet(var.vpc_cidr, 4, count.index)
  tags              = merge(var.tags, { Name = "${var.name}-private-${count.index}", Tier = "private" })
}

resource "aws_route_table" "private" {
  vpc_id = aws_vpc.this.id
  tags   = merge(var.tags, { Name = "${var.name}-private" })
}

resource "aws_route_table_association" "private" {
  count          = length(aws_subnet.private)
  subnet_id      = aws_subnet.private[count.index].id
  route_table_id = aws_route_table.private.id
}

data "aws_region" "current" {}

# S3 without a NAT gateway: the offline tables, checkpoints and the jobs jar
resource "aws_vpc_endpoint" "s3" {
  vpc_id            = aws_vpc.this.id
  service_name      = "com.amazonaws.${data.aws_region.current.name}.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = [aws_route_table.private.id]
  tags              = merge(var.tags, { Name = "${var.name}-s3" })
}

resource "aws_security_group" "load_balancer" {
  name        = "${var.name}-alb"
  description = "Internal load balancer of the feature server"
  vpc_id      = aws_vpc.this.id
  tags        = var.tags
}

resource "aws_security_group" "server" {
  name        = "${var.name}-server"
  description = "Feature server tasks"
  vpc_id      = aws_vpc.this.id
  tags        = var.tags
}

resource "aws_security_group" "jobs" {
  name        = "${var.name}-jobs"
  description = "Spark jobs (EMR Serverless)"
  vpc_id      = aws_vpc.this.id
  tags        = var.tags
}

resource "aws_security_group" "redis" {
  name        = "${var.name}-redis"
  description = "Online store: reachable from the server and the jobs only"
  vpc_id      = aws_vpc.this.id
  tags        = var.tags
}

resource "aws_security_group" "registry" {
  name        = "${var.name}-registry"
  description = "Registry database: reachable from the server and the jobs only"
  vpc_id      = aws_vpc.this.id
  tags        = var.tags
}

resource "aws_vpc_security_group_ingress_rule" "load_balancer_https" {
  for_each          = toset(var.client_cidrs)
  security_group_id = aws_security_group.load_balancer.id
  description       = "Online services call the feature server"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = each.value
  tags              = var.tags
}

resource "aws_vpc_security_group_ingress_rule" "server_from_load_balancer" {
  security_group_id            = aws_security_group.server.id
  description                  = "The load balancer forwards to the server's port"
  ip_protocol                  = "tcp"
  from_port                    = 8080
  to_port                      = 8080
  referenced_security_group_id = aws_security_group.load_balancer.id
  tags                         = var.tags
}

resource "aws_vpc_security_group_ingress_rule" "redis" {
  for_each = {
    server = aws_security_group.server.id
    jobs   = aws_security_group.jobs.id
  }
  security_group_id            = aws_security_group.redis.id
  description                  = "Redis (TLS) from the ${each.key}"
  ip_protocol                  = "tcp"
  from_port                    = 6379
  to_port                      = 6379
  referenced_security_group_id = each.value
  tags                         = var.tags
}

resource "aws_vpc_security_group_ingress_rule" "registry" {
  for_each = {
    server = aws_security_group.server.id
    jobs   = aws_security_group.jobs.id
  }
  security_group_id            = aws_security_group.registry.id
  description                  = "PostgreSQL (SSL) from the ${each.key}"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = each.value
  tags                         = var.tags
}

# Spark's driver and executors talk to each other inside the jobs group
resource "aws_vpc_security_group_ingress_rule" "jobs_internal" {
  security_group_id            = aws_security_group.jobs.id
  description                  = "Spark driver and executors"
  ip_protocol                  = "-1"
  referenced_security_group_id = aws_security_group.jobs.id
  tags                         = var.tags
}

# Egress inside the VPC (Redis, PostgreSQL, executors) and to S3 through its endpoint
resource "aws_vpc_security_group_egress_rule" "in_vpc" {
  for_each = {
    load_balancer = aws_security_group.load_balancer.id
    server        = aws_security_group.server.id
    jobs          = aws_security_group.jobs.id
  }
  security_group_id = each.value
  description       = "Inside the VPC"
  ip_protocol       = "-1"
  cidr_ipv4         = var.vpc_cidr
  tags              = var.tags
}

resource "aws_vpc_security_group_egress_rule" "s3" {
  for_each = {
    server = aws_security_group.server.id
    jobs   = aws_security_group.jobs.id
  }
  security_group_id = each.value
  description       = "S3 through the gateway endpoint"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  prefix_list_id    = aws_vpc_endpoint.s3.prefix_list_id
  tags              = var.tags
}

# AWS APIs without a NAT gateway: image pulls, logs, secrets and credentials
resource "aws_security_group" "endpoints" {
  name        = "${var.name}-endpoints"
  description = "Interface endpoints of AWS APIs"
  vpc_id      = aws_vpc.this.id
  tags        = var.tags
}

resource "aws_vpc_security_group_ingress_rule" "endpoints" {
  security_group_id = aws_security_group.endpoints.id
  description       = "HTTPS from inside the VPC"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = var.vpc_cidr
  tags              = var.tags
}

resource "aws_vpc_endpoint" "interface" {
  for_each            = toset(["ecr.api", "ecr.dkr", "logs", "secretsmanager", "sts", "monitoring"])
  vpc_id              = aws_vpc.this.id
  service_name        = "com.amazonaws.${data.aws_region.current.name}.${each.value}"
  vpc_endpoint_type   = "Interface"
  subnet_ids          = aws_subnet.private[*].id
  security_group_ids  = [aws_security_group.endpoints.id]
  private_dns_enabled = true
  tags                = merge(var.tags, { Name = "${var.name}-${each.value}" })
}
