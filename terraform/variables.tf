# Every input, with its default. Only domain_name, route53_zone_id and
# github_repository normally need setting (see terraform.tfvars.example).

variable "project" {
  description = "Project name, the first part of every resource name."
  type        = string
  default     = "vinovoyant"
}

variable "environment" {
  description = "Environment name (prod, staging…), the second part of every resource name."
  type        = string
  default     = "prod"

  validation {
    condition     = can(regex("^[a-z0-9-]{1,10}$", var.environment))
    error_message = "Use at most 10 lower-case letters, digits or hyphens: target group names are limited to 32 characters."
  }
}

variable "region" {
  description = "AWS region that serves traffic and holds the model bucket."
  type        = string
  default     = "eu-north-1"
}

variable "backup_region" {
  description = "AWS region of the backup bucket and the ECR replica; must differ from region."
  type        = string
  default     = "eu-west-1"
}

variable "availability_zones" {
  description = "The two availability zones of the VPC, in region (change them with region)."
  type        = list(string)
  default     = ["eu-north-1a", "eu-north-1b"]

  validation {
    condition     = length(var.availability_zones) == 2
    error_message = "Name exactly two availability zones."
  }
}

variable "vpc_cidr" {
  description = "CIDR block of the VPC; split into two public and two private subnets."
  type        = string
  default     = "10.40.0.0/16"
}

variable "domain_name" {
  description = "Public host name of the site (the ACM certificate's name), e.g. vinovoyant.example.com."
  type        = string
}

variable "route53_zone_id" {
  description = "Route 53 hosted zone of domain_name. When set, the certificate is validated and an alias record created automatically; when empty, add the records printed in the certificate_validation_records output by hand."
  type        = string
  default     = ""
}

variable "app_port" {
  description = "Port the container listens on (LEPTOS_SITE_ADDR) and the target groups send traffic to."
  type        = number
  default     = 8080
}

variable "instance_type" {
  description = "EC2 instance type of both colours: the on-demand base runs on it, Spot above the base on it or on spot_instance_types."
  type        = string
  default     = "t3.medium"
}

variable "spot_enabled" {
  description = "Run the instances above each group's on-demand base (asg_min_size) on Spot, capacity-optimized over instance_type and spot_instance_types, with capacity rebalancing. false: every instance on-demand."
  type        = bool
  default     = true
}

variable "spot_instance_types" {
  description = "Instance types the groups may launch besides instance_type, all of its size (2 vCPU, 4 GiB for t3.medium): more Spot pools for capacity-optimized allocation to choose from."
  type        = list(string)
  default     = ["t3a.medium"]

  validation {
    condition     = length(var.spot_instance_types) >= 1
    error_message = "Name at least one more instance type of instance_type's size: Spot needs two or more pools."
  }
}

variable "asg_min_size" {
  description = "Smallest number of instances per colour."
  type        = number
  default     = 2
}

variable "asg_max_size" {
  description = "Largest number of instances per colour."
  type        = number
  default     = 10
}

variable "asg_desired_capacity" {
  description = "Instances per colour at creation; afterwards target tracking and the deploy script own it."
  type        = number
  default     = 2
}

variable "cpu_target_percent" {
  description = "Average CPU utilisation the target tracking policy keeps each colour at."
  type        = number
  default     = 70
}

variable "initial_image" {
  description = "Image URI both colours run before the first deploy; afterwards scripts/deploy.sh writes the image parameters. Empty means <ecr repository>:bootstrap."
  type        = string
  default     = ""
}

variable "model_bucket_name" {
  description = "Name of the S3 bucket of the model store and data sets."
  type        = string
  default     = "vino-voyant-wine-origin-predictor"
}

variable "backup_bucket_name" {
  description = "Name of the cross-region replica bucket; empty means <model_bucket_name>-backup."
  type        = string
  default     = ""
}

variable "model_prefix" {
  description = "Key prefix of the model store inside the bucket (the store is s3://<bucket>/<prefix>)."
  type        = string
  default     = "models"
}

variable "model_channel" {
  description = "Model store channel the servers load (VINOVOYANT_MODEL=s3://<bucket>/<prefix>?channel=<channel>)."
  type        = string
  default     = "prod"
}

variable "api_origins" {
  description = "Origins allowed by the bucket's CORS rules; empty means https://<domain_name>."
  type        = list(string)
  default     = []
}

variable "noncurrent_version_days" {
  description = "Days a replaced or deleted object version is kept in the model bucket before it expires."
  type        = number
  default     = 30
}

variable "backup_noncurrent_version_days" {
  description = "Days a replaced or deleted object version is kept in the backup bucket."
  type        = number
  default     = 90
}

variable "log_retention_days" {
  description = "Retention of the application, VPC flow and WAF log groups."
  type        = number
  default     = 365
}

variable "access_log_expiry_days" {
  description = "Days ALB and S3 access logs are kept in the logs bucket."
  type        = number
  default     = 90
}

variable "ecr_keep_images" {
  description = "Tagged images kept in ECR; older ones expire (untagged ones after 7 days)."
  type        = number
  default     = 30
}

variable "latency_p95_threshold_ms" {
  description = "PredictionLatency p95 (milliseconds) above which the latency alarm fires."
  type        = number
  default     = 2000
}

variable "error_rate_threshold_percent" {
  description = "Share of requests answered with a 5xx (percent) above which the 5xx-rate alarms fire."
  type        = number
  default     = 1
}

variable "replication_latency_threshold_seconds" {
  description = "Replication lag of the model bucket (seconds) above which the RPO alarm fires."
  type        = number
  default     = 300
}

variable "alarm_email" {
  description = "E-mail address subscribed to the alarm topic; empty subscribes nobody."
  type        = string
  default     = ""
}

variable "waf_rate_limit" {
  description = "Requests one IP address may make in 5 minutes before WAF blocks it."
  type        = number
  default     = 2000
}

variable "deletion_protection" {
  description = "Protect the load balancer from deletion (turn off only to destroy the stack)."
  type        = bool
  default     = true
}

variable "github_repository" {
  description = "GitHub repository (owner/name) whose main branch may assume the deploy role through OIDC."
  type        = string
}

variable "github_oidc_provider_arn" {
  description = "ARN of an existing GitHub OIDC provider in the account; empty creates one (there can be only one per account)."
  type        = string
  default     = ""
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}
