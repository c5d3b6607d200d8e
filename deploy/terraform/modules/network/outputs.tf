output "vpc_id" {
  value = aws_vpc.this.id
}

output "private_subnet_ids" {
  value = aws_subnet.private[*].id
}

output "load_balancer_security_group_id" {
  value = aws_security_group.load_balancer.id
}

output "server_security_group_id" {
  value = aws_security_group.server.id
}

output "jobs_security_group_id" {
  value = aws_security_group.jobs.id
}

output "redis_security_group_id" {
  value = aws_security_group.redis.id
}

output "registry_security_group_id" {
  value = aws_security_group.registry.id
}
