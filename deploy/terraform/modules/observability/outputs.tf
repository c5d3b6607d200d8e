output "server_log_group" {
  value = aws_cloudwatch_log_group.server.name
}

output "jobs_log_group" {
  value = aws_cloudwatch_log_group.jobs.name
}

output "alarm_topic_arn" {
  value = aws_sns_topic.alarms.arn
}
