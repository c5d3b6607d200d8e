output "application_id" {
  value = aws_emrserverless_application.this.id
}

output "jobs_role_arn" {
  value = aws_iam_role.jobs.arn
}

output "schedules" {
  value = concat(values(aws_scheduler_schedule.backfill)[*].name, values(aws_scheduler_schedule.materialize)[*].name)
}
