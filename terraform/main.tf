# Names shared by every file. The deploy scripts (scripts/deploy.sh) find the
# load balancer, target groups, Auto Scaling groups, image parameters and alarms
# by these names, so change them together.

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

# The two zones are named, not taken from "whatever is available", so the set
# never changes under an existing VPC; the data source fails the plan if a named
# zone is not available.
data "aws_availability_zones" "available" {
  state = "available"

  filter {
    name   = "zone-name"
    values = var.availability_zones
  }
}

locals {
  name       = "${var.project}-${var.environment}"
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  azs        = data.aws_availability_zones.available.names
  colours    = toset(["blue", "green"])

  backup_bucket_name = coalesce(var.backup_bucket_name, "${var.model_bucket_name}-backup")
  logs_bucket_name   = "${var.model_bucket_name}-logs"
  model_store_uri    = "s3://${var.model_bucket_name}/${var.model_prefix}"
  api_origins        = length(var.api_origins) > 0 ? var.api_origins : ["https://${var.domain_name}"]

  tags = merge(var.tags, {
    Project     = var.project
    Environment = var.environment
    ManagedBy   = "terraform"
  })
}
