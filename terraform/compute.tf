# Instances: one launch template and one Auto Scaling group per colour, on the
# latest Amazon Linux 2023 AMI. At boot, user data reads the colour's image URI
# from SSM Parameter Store (written by scripts/deploy.sh), pulls it from ECR and
# runs it with Docker, logging to CloudWatch. Access is through SSM Session
# Manager: no SSH port, no key pair.

data "aws_ami" "al2023" {
  most_recent = true
  owners      = ["amazon"]

  filter {
    name   = "name"
    values = ["al2023-ami-2023.*-kernel-6.1-x86_64"]
  }

  filter {
    name   = "architecture"
    values = ["x86_64"]
  }

  filter {
    name   = "virtualization-type"
    values = ["hvm"]
  }
}

# The image each colour runs. Terraform sets the first value only; deploys own it.
resource "aws_ssm_parameter" "image" {
  for_each = local.colours

  # checkov:skip=CKV2_AWS_34:The value is an image URI, not a secret; a SecureString would only add a KMS call to every boot.
  name        = "/${local.name}/image/${each.key}"
  description = "Container image the ${each.key} instances run (written by scripts/deploy.sh)"
  type        = "String"
  value       = var.initial_image != "" ? var.initial_image : "${aws_ecr_repository.app.repository_url}:bootstrap"

  lifecycle {
    ignore_changes = [value]
  }
}

data "aws_iam_policy_document" "instance_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "instance" {
  name               = "${local.name}-instance"
  assume_role_policy = data.aws_iam_policy_document.instance_assume.json
}

# Least privilege: pull this one repository, read this one model store prefix,
# write to this one log group, read the two image parameters.
data "aws_iam_policy_document" "instance" {
  statement {
    sid = "EcrLogin"
    # GetAuthorizationToken has no resource-level permissions.
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid = "EcrPull"
    actions = [
      "ecr:BatchCheckLayerAvailability",
      "ecr:BatchGetImage",
      "ecr:GetDownloadUrlForLayer",
    ]
    resources = [aws_ecr_repository.app.arn]
  }

  statement {
    sid       = "ModelStoreList"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.models.arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${var.model_prefix}/*", var.model_prefix]
    }
  }

  statement {
    sid       = "ModelStoreRead"
    actions   = ["s3:GetObject", "s3:GetObjectVersion"]
    resources = ["${aws_s3_bucket.models.arn}/${var.model_prefix}/*"]
  }

  statement {
    sid       = "ModelStoreDecrypt"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.main.arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${var.region}.amazonaws.com"]
    }
  }

  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.app.arn}:*"]
  }

  statement {
    sid       = "ImageParameters"
    actions   = ["ssm:GetParameter"]
    resources = [for parameter in aws_ssm_parameter.image : parameter.arn]
  }
}

resource "aws_iam_role_policy" "instance" {
  name   = "vinovoyant-runtime"
  role   = aws_iam_role.instance.id
  policy = data.aws_iam_policy_document.instance.json
}

# Session Manager instead of SSH (AWS's managed policy for the SSM agent).
resource "aws_iam_role_policy_attachment" "instance_ssm" {
  role       = aws_iam_role.instance.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore"
}

resource "aws_iam_instance_profile" "instance" {
  name = "${local.name}-instance"
  role = aws_iam_role.instance.name
}

resource "aws_launch_template" "app" {
  for_each = local.colours

  name                   = "${local.name}-${each.key}"
  description            = "VinoVoyant ${each.key} instances"
  image_id               = data.aws_ami.al2023.id
  instance_type          = var.instance_type
  vpc_security_group_ids = [aws_security_group.app.id]
  update_default_version = true

  iam_instance_profile {
    arn = aws_iam_instance_profile.instance.arn
  }

  # IMDSv2 only, one hop: the container uses the host network, so it reaches the
  # metadata service (and the instance role's credentials) without a second hop.
  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
    instance_metadata_tags      = "disabled"
  }

  monitoring {
    enabled = true
  }

  block_device_mappings {
    device_name = "/dev/xvda"

    ebs {
      volume_size           = 30
      volume_type           = "gp3"
      encrypted             = true
      delete_on_termination = true
    }
  }

  user_data = base64encode(templatefile("${path.module}/user_data.sh.tftpl", {
    region          = var.region
    colour          = each.key
    image_parameter = aws_ssm_parameter.image[each.key].name
    log_group       = aws_cloudwatch_log_group.app.name
    app_port        = var.app_port
    model_uri       = "${local.model_store_uri}?channel=${var.model_channel}"
  }))

  tag_specifications {
    resource_type = "instance"
    tags          = merge(local.tags, { Name = "${local.name}-${each.key}", Colour = each.key })
  }

  tag_specifications {
    resource_type = "volume"
    tags          = merge(local.tags, { Name = "${local.name}-${each.key}", Colour = each.key })
  }
}

locals {
  instance_types = distinct(concat([var.instance_type], var.spot_instance_types))
}

resource "aws_autoscaling_group" "app" {
  for_each = local.colours

  name                      = "${local.name}-${each.key}"
  min_size                  = var.asg_min_size
  max_size                  = var.asg_max_size
  desired_capacity          = var.asg_desired_capacity
  vpc_zone_identifier       = aws_subnet.private[*].id
  target_group_arns         = [aws_lb_target_group.app[each.key].arn]
  health_check_type         = "ELB"
  health_check_grace_period = 300
  default_instance_warmup   = 300
  termination_policies      = ["OldestLaunchTemplate", "OldestInstance"]
  enabled_metrics = [
    "GroupDesiredCapacity",
    "GroupInServiceInstances",
    "GroupTotalInstances",
  ]

  # The cost plan: an on-demand base as large as the group's minimum (the
  # always-on instances a Savings Plan or Reserved Instances cover), Spot for
  # every instance above it, spread over instance pools of the same size by
  # capacity-optimized allocation, and replaced ahead of interruption notices
  # (capacity rebalancing). spot_enabled = false makes every instance on-demand.
  capacity_rebalance = var.spot_enabled

  mixed_instances_policy {
    instances_distribution {
      on_demand_allocation_strategy            = "prioritized"
      on_demand_base_capacity                  = var.asg_min_size
      on_demand_percentage_above_base_capacity = var.spot_enabled ? 0 : 100
      spot_allocation_strategy                 = "capacity-optimized"
    }

    launch_template {
      launch_template_specification {
        launch_template_id = aws_launch_template.app[each.key].id
        version            = aws_launch_template.app[each.key].latest_version
      }

      # instance_type first: on-demand instances take the types in this order.
      dynamic "override" {
        for_each = local.instance_types
        content {
          instance_type = override.value
        }
      }
    }
  }

  # A launch template change made by Terraform (a new AMI, an instance type)
  # rolls through the colour, keeping it at full strength.
  instance_refresh {
    strategy = "Rolling"

    preferences {
      min_healthy_percentage = 100
      max_healthy_percentage = 200
    }
  }

  tag {
    key                 = "Name"
    value               = "${local.name}-${each.key}"
    propagate_at_launch = true
  }

  tag {
    key                 = "Colour"
    value               = each.key
    propagate_at_launch = true
  }

  tag {
    key                 = "Project"
    value               = var.project
    propagate_at_launch = true
  }

  lifecycle {
    # Target tracking and scripts/deploy.sh move the desired capacity.
    ignore_changes = [desired_capacity]
  }
}

resource "aws_autoscaling_policy" "cpu" {
  for_each = local.colours

  name                   = "${local.name}-${each.key}-cpu-${var.cpu_target_percent}"
  autoscaling_group_name = aws_autoscaling_group.app[each.key].name
  policy_type            = "TargetTrackingScaling"

  target_tracking_configuration {
    predefined_metric_specification {
      predefined_metric_type = "ASGAverageCPUUtilization"
    }
    target_value = var.cpu_target_percent
  }
}
