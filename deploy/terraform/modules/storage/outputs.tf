output "bucket" {
  value = aws_s3_bucket.this.id
}

output "bucket_arn" {
  value = aws_s3_bucket.this.arn
}

output "kms_key_arn" {
  value = aws_kms_key.bucket.arn
}

output "warehouse_uri" {
  description = "The warehouse root of the jobs (--warehouse)"
  value       = "s3a://${aws_s3_bucket.this.id}/warehouse"
}
