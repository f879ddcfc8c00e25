# CloudWatch: the application log group (where the EMF lines become the
# VinoVoyant metrics), the alarms, the alarm topic and a dashboard.
#
# Alarm names follow "<name>-<what>" or "<name>-<colour>-<what>";
# scripts/deploy.sh watches the latency, 5xx and unhealthy-host alarms while it
# shifts traffic and rolls back when one fires. docs/operations.md says what each
# alarm means and what to do.

resource "aws_cloudwatch_log_group" "app" {
  name              = "/${local.name}/app"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.main.arn
}

resource "aws_sns_topic" "alarms" {
  name              = "${local.name}-alarms"
  kms_master_key_id = aws_kms_key.main.id
}

data "aws_iam_policy_document" "alarms_topic" {
  statement {
    sid       = "CloudWatchAlarmsPublish"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alarms.arn]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_sns_topic_policy" "alarms" {
  arn    = aws_sns_topic.alarms.arn
  policy = data.aws_iam_policy_document.alarms_topic.json
}

resource "aws_sns_topic_subscription" "alarm_email" {
  count = var.alarm_email == "" ? 0 : 1

  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = var.alarm_email
}

# CPU above 80 % for two 5-minute periods: target tracking (70 %) is not keeping up.
resource "aws_cloudwatch_metric_alarm" "cpu_high" {
  for_each = local.colours

  alarm_name          = "${local.name}-${each.key}-cpu-high"
  alarm_description   = "Average CPU of the ${each.key} instances above 80 % for 10 minutes: scaling is at its limit or a request pattern is expensive. See docs/operations.md#alarms."
  namespace           = "AWS/EC2"
  metric_name         = "CPUUtilization"
  dimensions          = { AutoScalingGroupName = aws_autoscaling_group.app[each.key].name }
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 2
  datapoints_to_alarm = 2
  threshold           = 80
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "missing"
  actions_enabled     = true
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}

# The server's EMF lines have no dimensions, so this is the whole fleet's p95.
resource "aws_cloudwatch_metric_alarm" "prediction_latency" {
  alarm_name          = "${local.name}-prediction-latency-p95"
  alarm_description   = "p95 of VinoVoyant/PredictionLatency above ${var.latency_p95_threshold_ms} ms for 3 consecutive minutes. See docs/operations.md#alarms."
  namespace           = "VinoVoyant"
  metric_name         = "PredictionLatency"
  extended_statistic  = "p95"
  unit                = "Milliseconds"
  period              = 60
  evaluation_periods  = 3
  datapoints_to_alarm = 3
  threshold           = var.latency_p95_threshold_ms
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  actions_enabled     = true
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}

# Share of one colour's requests answered 5xx by the application.
resource "aws_cloudwatch_metric_alarm" "target_5xx_rate" {
  for_each = local.colours

  alarm_name          = "${local.name}-${each.key}-5xx-rate"
  alarm_description   = "More than ${var.error_rate_threshold_percent} % of the requests sent to ${each.key} answered 5xx, 3 minutes running. See docs/operations.md#alarms."
  evaluation_periods  = 3
  datapoints_to_alarm = 3
  threshold           = var.error_rate_threshold_percent
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  actions_enabled     = true
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]

  metric_query {
    id          = "rate"
    expression  = "IF(requests > 0, 100 * FILL(errors, 0) / requests, 0)"
    label       = "5xx rate (%)"
    return_data = true
  }

  metric_query {
    id = "errors"

    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_Target_5XX_Count"
      period      = 60
      stat        = "Sum"
      dimensions = {
        LoadBalancer = aws_lb.main.arn_suffix
        TargetGroup  = aws_lb_target_group.app[each.key].arn_suffix
      }
    }
  }

  metric_query {
    id = "requests"

    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "RequestCount"
      period      = 60
      stat        = "Sum"
      dimensions = {
        LoadBalancer = aws_lb.main.arn_suffix
        TargetGroup  = aws_lb_target_group.app[each.key].arn_suffix
      }
    }
  }
}

# Share of all requests answered 5xx, by the application or by the load balancer
# itself (502/503/504: no healthy target, a crash mid-request, a timeout).
resource "aws_cloudwatch_metric_alarm" "alb_5xx_rate" {
  alarm_name          = "${local.name}-alb-5xx-rate"
  alarm_description   = "More than ${var.error_rate_threshold_percent} % of all requests answered 5xx (application or load balancer), 3 minutes running. See docs/operations.md#alarms."
  evaluation_periods  = 3
  datapoints_to_alarm = 3
  threshold           = var.error_rate_threshold_percent
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  actions_enabled     = true
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]

  metric_query {
    id          = "rate"
    expression  = "IF(requests > 0, 100 * (FILL(target, 0) + FILL(elb, 0)) / requests, 0)"
    label       = "5xx rate (%)"
    return_data = true
  }

  metric_query {
    id = "target"

    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_Target_5XX_Count"
      period      = 60
      stat        = "Sum"
      dimensions  = { LoadBalancer = aws_lb.main.arn_suffix }
    }
  }

  metric_query {
    id = "elb"

    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_ELB_5XX_Count"
      period      = 60
      stat        = "Sum"
      dimensions  = { LoadBalancer = aws_lb.main.arn_suffix }
    }
  }

  metric_query {
    id = "requests"

    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "RequestCount"
      period      = 60
      stat        = "Sum"
      dimensions  = { LoadBalancer = aws_lb.main.arn_suffix }
    }
  }
}

# A target failing /health (HTTP 503: model not loaded or canary failing) for 3 minutes.
resource "aws_cloudwatch_metric_alarm" "unhealthy_hosts" {
  for_each = local.colours

  alarm_name          = "${local.name}-${each.key}-unhealthy-hosts"
  alarm_description   = "At least one ${each.key} target failed its /health checks for 3 minutes. See docs/operations.md#alarms."
  namespace           = "AWS/ApplicationELB"
  metric_name         = "UnHealthyHostCount"
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 3
  datapoints_to_alarm = 3
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  actions_enabled     = true
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
  dimensions = {
    LoadBalancer = aws_lb.main.arn_suffix
    TargetGroup  = aws_lb_target_group.app[each.key].arn_suffix
  }
}

# Replication lag to the backup region beyond the RPO (5 minutes).
resource "aws_cloudwatch_metric_alarm" "replication_lag" {
  alarm_name          = "${local.name}-backup-replication-lag"
  alarm_description   = "Objects of s3://${var.model_bucket_name} took more than ${var.replication_latency_threshold_seconds} s to reach the backup bucket: the RPO is at risk. See docs/operations.md#alarms."
  namespace           = "AWS/S3"
  metric_name         = "ReplicationLatency"
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = var.replication_latency_threshold_seconds
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  actions_enabled     = true
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
  dimensions = {
    SourceBucket      = aws_s3_bucket.models.id
    DestinationBucket = aws_s3_bucket.backup.id
    RuleId            = "backup"
  }
}

resource "aws_cloudwatch_dashboard" "main" {
  dashboard_name = local.name

  dashboard_body = jsonencode({
    widgets = [
      {
        type   = "metric"
        x      = 0
        y      = 0
        width  = 12
        height = 6
        properties = {
          title   = "Requests per colour"
          region  = var.region
          stat    = "Sum"
          period  = 60
          view    = "timeSeries"
          stacked = true
          metrics = [
            for colour in local.colours : ["AWS/ApplicationELB", "RequestCount", "LoadBalancer", aws_lb.main.arn_suffix, "TargetGroup", aws_lb_target_group.app[colour].arn_suffix, { label = colour }]
          ]
        }
      },
      {
        type   = "metric"
        x      = 12
        y      = 0
        width  = 12
        height = 6
        properties = {
          title  = "PredictionLatency (ms)"
          region = var.region
          period = 60
          view   = "timeSeries"
          metrics = [
            ["VinoVoyant", "PredictionLatency", { stat = "p50", label = "p50" }],
            ["VinoVoyant", "PredictionLatency", { stat = "p95", label = "p95" }],
            ["VinoVoyant", "PredictionLatency", { stat = "p99", label = "p99" }],
          ]
          annotations = {
            horizontal = [{ label = "alarm", value = var.latency_p95_threshold_ms }]
          }
        }
      },
      {
        type   = "metric"
        x      = 0
        y      = 6
        width  = 12
        height = 6
        properties = {
          title  = "5xx answers"
          region = var.region
          stat   = "Sum"
          period = 60
          view   = "timeSeries"
          metrics = concat(
            [for colour in local.colours : ["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "LoadBalancer", aws_lb.main.arn_suffix, "TargetGroup", aws_lb_target_group.app[colour].arn_suffix, { label = "${colour} (app)" }]],
            [["AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", "LoadBalancer", aws_lb.main.arn_suffix, { label = "load balancer" }]],
            [["VinoVoyant", "ServerErrors", { label = "server (EMF)" }]],
          )
        }
      },
      {
        type   = "metric"
        x      = 12
        y      = 6
        width  = 12
        height = 6
        properties = {
          title  = "CPU per colour (%)"
          region = var.region
          stat   = "Average"
          period = 300
          view   = "timeSeries"
          metrics = [
            for colour in local.colours : ["AWS/EC2", "CPUUtilization", "AutoScalingGroupName", aws_autoscaling_group.app[colour].name, { label = colour }]
          ]
          annotations = {
            horizontal = [{ label = "scale-out target", value = var.cpu_target_percent }, { label = "alarm", value = 80 }]
          }
        }
      },
      {
        type   = "metric"
        x      = 0
        y      = 12
        width  = 12
        height = 6
        properties = {
          title  = "Healthy targets per colour"
          region = var.region
          stat   = "Minimum"
          period = 60
          view   = "timeSeries"
          metrics = [
            for colour in local.colours : ["AWS/ApplicationELB", "HealthyHostCount", "LoadBalancer", aws_lb.main.arn_suffix, "TargetGroup", aws_lb_target_group.app[colour].arn_suffix, { label = colour }]
          ]
        }
      },
      {
        type   = "alarm"
        x      = 12
        y      = 12
        width  = 12
        height = 6
        properties = {
          title = "Alarms"
          alarms = concat(
            [for alarm in aws_cloudwatch_metric_alarm.cpu_high : alarm.arn],
            [for alarm in aws_cloudwatch_metric_alarm.target_5xx_rate : alarm.arn],
            [for alarm in aws_cloudwatch_metric_alarm.unhealthy_hosts : alarm.arn],
            [
              aws_cloudwatch_metric_alarm.prediction_latency.arn,
              aws_cloudwatch_metric_alarm.alb_5xx_rate.arn,
              aws_cloudwatch_metric_alarm.replication_lag.arn,
            ],
          )
        }
      },
    ]
  })
}
