# What operators, the CD workflow and the deploy scripts need from the stack.

output "app_url" {
  description = "Public URL of the site."
  value       = "https://${var.domain_name}"
}

output "alb_dns_name" {
  description = "DNS name of the load balancer (point domain_name at it when Route 53 is not used)."
  value       = aws_lb.main.dns_name
}

output "certificate_validation_records" {
  description = "DNS records that validate the ACM certificate; add them by hand when route53_zone_id is empty."
  value = [for option in aws_acm_certificate.site.domain_validation_options : {
    name  = option.resource_record_name
    type  = option.resource_record_type
    value = option.resource_record_value
  }]
}

output "deploy_name" {
  description = "Name prefix the deploy scripts take as DEPLOY_NAME."
  value       = local.name
}

output "https_listener_arn" {
  description = "ARN of the HTTPS listener whose weights the deploy scripts move."
  value       = aws_lb_listener.https.arn
}

output "target_group_arns" {
  description = "ARN of the blue and green target groups."
  value       = { for colour, group in aws_lb_target_group.app : colour => group.arn }
}

output "autoscaling_group_names" {
  description = "Name of the blue and green Auto Scaling groups."
  value       = { for colour, group in aws_autoscaling_group.app : colour => group.name }
}

output "image_parameters" {
  description = "SSM parameters holding the image each colour runs."
  value       = { for colour, parameter in aws_ssm_parameter.image : colour => parameter.name }
}

output "ecr_repository_url" {
  description = "ECR repository the CD workflow pushes to (ECR_REPOSITORY is its name)."
  value       = aws_ecr_repository.app.repository_url
}

output "model_bucket" {
  description = "Name of the model store bucket."
  value       = aws_s3_bucket.models.id
}

output "backup_bucket" {
  description = "Name of the cross-region replica of the model store bucket."
  value       = aws_s3_bucket.backup.id
}

output "model_store_uri" {
  description = "The model store, for --store / VINOVOYANT_MODEL_STORE."
  value       = local.model_store_uri
}

output "backup_store_uri" {
  description = "The replicated model store in the backup region, for restores."
  value       = "s3://${aws_s3_bucket.backup.id}/${var.model_prefix}"
}

output "app_log_group" {
  description = "CloudWatch log group of the containers (and of the EMF metrics)."
  value       = aws_cloudwatch_log_group.app.name
}

output "alarm_topic_arn" {
  description = "SNS topic every alarm notifies; subscribe on-call here."
  value       = aws_sns_topic.alarms.arn
}

output "alarm_names" {
  description = "Names of the CloudWatch alarms, by purpose."
  value = {
    cpu_high           = { for colour, alarm in aws_cloudwatch_metric_alarm.cpu_high : colour => alarm.alarm_name }
    target_5xx_rate    = { for colour, alarm in aws_cloudwatch_metric_alarm.target_5xx_rate : colour => alarm.alarm_name }
    unhealthy_hosts    = { for colour, alarm in aws_cloudwatch_metric_alarm.unhealthy_hosts : colour => alarm.alarm_name }
    prediction_latency = aws_cloudwatch_metric_alarm.prediction_latency.alarm_name
    alb_5xx_rate       = aws_cloudwatch_metric_alarm.alb_5xx_rate.alarm_name
    replication_lag    = aws_cloudwatch_metric_alarm.replication_lag.alarm_name
  }
}

output "dashboard_url" {
  description = "CloudWatch dashboard of the service."
  value       = "https://${var.region}.console.aws.amazon.com/cloudwatch/home?region=${var.region}#dashboards:name=${aws_cloudwatch_dashboard.main.dashboard_name}"
}

output "deploy_role_arn" {
  description = "Role the CD workflow assumes (the AWS_DEPLOY_ROLE_ARN repository variable)."
  value       = aws_iam_role.deploy.arn
}
