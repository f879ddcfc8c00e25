# Terraform and provider versions, and the two AWS providers: the primary region
# that serves traffic and the backup region that holds the replicated model store.

terraform {
  required_version = ">= 1.6.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.80"
    }
  }

  # State lives in S3 with locking; the bucket, key and region are given at init
  # (see README.md), so one configuration serves several environments.
  backend "s3" {}
}

provider "aws" {
  region = var.region

  default_tags {
    tags = local.tags
  }
}

provider "aws" {
  alias  = "backup"
  region = var.backup_region

  default_tags {
    tags = local.tags
  }
}
