output "application_id" {
  value = aws_emrserverless_application.this.id
}

output "jobs_role_arn" {
  value = aws_iam_role.jobs.arn
}

output "schedules" {
  value = sort(values(aws_scheduler_schedule.job)[*].name)
}
