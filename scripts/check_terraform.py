"""Parses every terraform/*.tf file with python-hcl2 and checks that the stack
says what issue 7 and the rest of the repository rely on: the health check and
scaling numbers, the mixed instances policy of issue 23 (on-demand base, Spot
above it, capacity-optimized over one size of instance types), the S3 protections, the alarm thresholds, the alarm names the
deploy scripts watch, the metric names the server writes, documented variables
and outputs, and a reason next to every checkov skip.

Run by scripts/lint-infra.sh:  python scripts/check_terraform.py
Prints one line per failed expectation and exits 1 when there is any.
"""

import re
import sys
from pathlib import Path

import hcl2

ROOT = Path(__file__).resolve().parent.parent
TERRAFORM = ROOT / "terraform"

failures: list[str] = []


def expect(condition: bool, message: str) -> None:
    """Records `message` when `condition` is false."""
    if not condition:
        failures.append(message)


def one(value):
    """python-hcl2 wraps attribute values and blocks in one-element lists."""
    while isinstance(value, list) and len(value) == 1:
        value = value[0]
    return value


def load() -> tuple[dict, dict, dict, dict, str]:
    """Parses every file; returns resources, data sources, variables, outputs
    (each keyed by "type.name" or name) and the text of all files."""
    resources, data, variables, outputs = {}, {}, {}, {}
    text = ""
    files = sorted(TERRAFORM.glob("*.tf"))
    expect(bool(files), "no terraform/*.tf files")
    for path in files:
        source = path.read_text(encoding="utf-8")
        text += source
        try:
            parsed = hcl2.loads(source)
        except Exception as error:  # noqa: BLE001 - any parser error is a finding
            failures.append(f"{path.name}: does not parse: {error}")
            continue
        for block in parsed.get("resource", []):
            for kind, named in block.items():
                for name, body in named.items():
                    resources[f"{kind}.{name}"] = body
        for block in parsed.get("data", []):
            for kind, named in block.items():
                for name, body in named.items():
                    data[f"{kind}.{name}"] = body
        for block in parsed.get("variable", []):
            variables.update(block)
        for block in parsed.get("output", []):
            outputs.update(block)
    for path in sorted(TERRAFORM.glob("*.tftpl")):
        text += path.read_text(encoding="utf-8")
    return resources, data, variables, outputs, text


def resolve(value, variables: dict):
    """The default of "${var.x}", or the value itself."""
    value = one(value)
    if isinstance(value, str):
        match = re.fullmatch(r"\$\{var\.([a-z0-9_]+)\}", value)
        if match and match.group(1) in variables:
            return one(variables[match.group(1)].get("default"))
    return value


# vCPUs and GiB of the instance types a group may mix (add a type here to use it).
INSTANCE_SIZES = {
    "t2.medium": (2, 4), "t3.medium": (2, 4), "t3a.medium": (2, 4),
    "c5.large": (2, 4), "c5a.large": (2, 4), "c6i.large": (2, 4), "c6a.large": (2, 4), "c7i.large": (2, 4),
    "t3.large": (2, 8), "t3a.large": (2, 8), "m5.large": (2, 8), "m5a.large": (2, 8), "m6i.large": (2, 8),
    "m6a.large": (2, 8), "m7i.large": (2, 8),
}


def check_mixed_instances(group: dict, resources: dict, variables: dict, text: str, attr) -> None:
    """The cost plan of issue 23: an on-demand base equal to the minimum, Spot
    above it, capacity-optimized over two or more types of one size, capacity
    rebalancing, and spot_enabled = false making every instance on-demand."""
    expect("launch_template" not in group, "Auto Scaling group has a launch_template beside its mixed_instances_policy")
    mixed = one(group.get("mixed_instances_policy"))
    expect(isinstance(mixed, dict), "Auto Scaling group has no mixed_instances_policy")
    if not isinstance(mixed, dict):
        return
    spot_default = resolve("${var.spot_enabled}", variables)
    expect(spot_default is True, "variable spot_enabled does not default to true")
    expect(one(group.get("capacity_rebalance")) == "${var.spot_enabled}", "capacity_rebalance is not var.spot_enabled")

    distribution = one(mixed.get("instances_distribution")) or {}
    base = one(distribution.get("on_demand_base_capacity"))
    expect(base == one(group.get("min_size")), f"on-demand base ({base}) is not the group's min_size ({one(group.get('min_size'))})")
    expect(resolve(base, variables) == attr(group, "min_size") == 2, "on-demand base does not resolve to the minimum, 2")
    above = str(one(distribution.get("on_demand_percentage_above_base_capacity")))
    match = re.fullmatch(r"\$\{var\.spot_enabled \? (\d+) : (\d+)\}", above)
    expect(bool(match), f"on_demand_percentage_above_base_capacity is not 'var.spot_enabled ? 0 : 100': {above}")
    if match:
        expect(match.groups() == ("0", "100"), f"on-demand share above the base is {match.group(1)} % with Spot and {match.group(2)} % without, expected 0 and 100")
    expect(one(distribution.get("spot_allocation_strategy")) == "capacity-optimized", "Spot allocation is not capacity-optimized")
    expect(one(distribution.get("on_demand_allocation_strategy")) == "prioritized", "on-demand allocation is not prioritized (instance_type first)")

    template = one(mixed.get("launch_template")) or {}
    spec = one(template.get("launch_template_specification")) or {}
    expect("aws_launch_template.app[each.key]" in str(one(spec.get("launch_template_id"))), "mixed_instances_policy does not use the colour's launch template")
    overrides = [block.get("override") for block in (template.get("dynamic") or []) if isinstance(block, dict) and "override" in block]
    expect(len(overrides) == 1, "mixed_instances_policy has no dynamic override block")
    if overrides:
        expect(one(overrides[0].get("for_each")) == "${local.instance_types}", "overrides do not iterate over local.instance_types")
        expect(one((one(overrides[0].get("content")) or {}).get("instance_type")) == "${override.value}", "override does not set instance_type")
    expect(
        re.search(r"instance_types\s*=\s*distinct\(concat\(\[var\.instance_type\],\s*var\.spot_instance_types\)\)", text) is not None,
        "local.instance_types is not distinct(concat([var.instance_type], var.spot_instance_types))",
    )
    extra = resolve("${var.spot_instance_types}", variables) or []
    extra = [extra] if isinstance(extra, str) else list(extra)  # one() unwraps a one-element list
    types = list(dict.fromkeys([resolve("${var.instance_type}", variables)] + extra))
    expect(len(types) >= 2, f"the groups can use only {types}: Spot needs two or more instance types")
    unknown = [t for t in types if t not in INSTANCE_SIZES]
    expect(not unknown, f"instance types of unknown size {unknown}: add them to INSTANCE_SIZES")
    sizes = {INSTANCE_SIZES[t] for t in types if t in INSTANCE_SIZES}
    expect(len(sizes) <= 1, f"instance types {types} are not all one size: {sorted(sizes)}")
    expect("validation" in variables.get("spot_instance_types", {}), "variable spot_instance_types has no validation")


def main() -> int:
    resources, data, variables, outputs, text = load()
    if failures:
        print("\n".join(failures))
        return 1

    def res(address: str) -> dict:
        body = resources.get(address)
        expect(body is not None, f"missing resource {address}")
        return body or {}

    def attr(body: dict, *path: str):
        for key in path:
            body = one(body.get(key)) if isinstance(body, dict) else None
        return resolve(body, variables)

    # Variables and outputs are documented; every variable is used, every used one declared.
    for name, body in variables.items():
        expect(bool(one(body.get("description"))), f"variable {name} has no description")
        expect(f"var.{name}" in text, f"variable {name} is never used")
    for name in set(re.findall(r"\bvar\.([a-z0-9_]+)", text)):
        expect(name in variables, f"var.{name} is used but not declared")
    for name, body in outputs.items():
        expect(bool(one(body.get("description"))), f"output {name} has no description")
    expect((TERRAFORM / "README.md").is_file(), "terraform/README.md is missing")

    # Defaults the issue names.
    expect(resolve("${var.instance_type}", variables) == "t3.medium", "instance_type default is not t3.medium")
    expect(
        resolve("${var.model_bucket_name}", variables) == "vino-voyant-wine-origin-predictor",
        "model_bucket_name default is not vino-voyant-wine-origin-predictor",
    )
    expect(resolve("${var.region}", variables) == "eu-north-1", "region default is not eu-north-1")

    # Load balancer, target groups, health checks.
    health = attr(res("aws_lb_target_group.app"), "health_check")
    for key, wanted in {"path": "/health", "interval": 30, "timeout": 5, "healthy_threshold": 2, "unhealthy_threshold": 3}.items():
        expect(resolve(health.get(key), variables) == wanted, f"target group health check {key} is not {wanted}")
    expect(attr(res("aws_lb_listener.http"), "default_action", "redirect", "protocol") == "HTTPS", "HTTP listener does not redirect to HTTPS")
    https = res("aws_lb_listener.https")
    expect(attr(https, "protocol") == "HTTPS", "HTTPS listener is not HTTPS")
    expect("aws_acm_certificate" in str(one(https.get("certificate_arn"))), "HTTPS listener has no ACM certificate")
    groups = one(https.get("default_action"))["forward"][0]["target_group"]
    expect(len(groups) == 2, "HTTPS listener does not forward to two weighted target groups")
    # The operators' endpoints never answer through the load balancer.
    private = res("aws_lb_listener_rule.operator_endpoints_private")
    paths = attr(private, "condition", "path_pattern", "values") or []
    for path in ("/metrics", "/health/details"):
        expect(path in paths, f"the load balancer answers {path} from outside")
    expect(attr(private, "action", "type") == "fixed-response", "operator endpoints are forwarded, not answered by the load balancer")

    # Instances and scaling.
    expect(attr(res("aws_launch_template.app"), "image_id") == "${data.aws_ami.al2023.id}", "launch template AMI is not the data source")
    expect("data.aws_ami.al2023" in {f"data.{k}" for k in data}, "no aws_ami data source")
    group = res("aws_autoscaling_group.app")
    for key, wanted in {"min_size": 2, "max_size": 10, "desired_capacity": 2, "health_check_type": "ELB", "health_check_grace_period": 300}.items():
        expect(attr(group, key) == wanted, f"Auto Scaling group {key} is not {wanted}")
    check_mixed_instances(group, resources, variables, text, attr)

    policy = res("aws_autoscaling_policy.cpu")
    expect(attr(policy, "target_tracking_configuration", "target_value") == 70, "target tracking is not at 70 % CPU")

    # ECR.
    expect(attr(res("aws_ecr_repository.app"), "image_scanning_configuration", "scan_on_push") is True, "ECR does not scan on push")
    res("aws_ecr_lifecycle_policy.app")

    # S3: every bucket versioned, encrypted, closed to the public.
    for bucket in ("models", "backup", "logs"):
        expect(attr(res(f"aws_s3_bucket_versioning.{bucket}"), "versioning_configuration", "status") == "Enabled", f"bucket {bucket} is not versioned")
        res(f"aws_s3_bucket_server_side_encryption_configuration.{bucket}")
        block = res(f"aws_s3_bucket_public_access_block.{bucket}")
        for key in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"):
            expect(attr(block, key) is True, f"bucket {bucket}: {key} is not true")
    res("aws_s3_bucket_cors_configuration.models")
    lifecycle = res("aws_s3_bucket_lifecycle_configuration.models")
    rules = one(lifecycle.get("rule"))
    rules = rules if isinstance(rules, list) else [rules]
    expect(
        any(attr(rule, "noncurrent_version_expiration", "noncurrent_days") == 30 for rule in rules),
        "non-current model versions do not expire after 30 days",
    )
    expect(
        any(attr(rule, "transition", "storage_class") == "INTELLIGENT_TIERING" for rule in rules),
        "models do not move to Intelligent-Tiering",
    )
    replication = res("aws_s3_bucket_replication_configuration.models")
    expect("aws_s3_bucket.backup" in str(replication), "model bucket does not replicate to the backup bucket")

    # Alarms: thresholds, and the metric names the server writes (server/src/telemetry.rs).
    cpu = res("aws_cloudwatch_metric_alarm.cpu_high")
    for key, wanted in {"threshold": 80, "period": 300, "evaluation_periods": 2}.items():
        expect(attr(cpu, key) == wanted, f"CPU alarm {key} is not {wanted}")
    latency = res("aws_cloudwatch_metric_alarm.prediction_latency")
    for key, wanted in {
        "namespace": "VinoVoyant",
        "metric_name": "PredictionLatency",
        "extended_statistic": "p95",
        "threshold": 2000,
        "period": 60,
        "evaluation_periods": 3,
    }.items():
        expect(attr(latency, key) == wanted, f"latency alarm {key} is not {wanted}")
    res("aws_cloudwatch_metric_alarm.target_5xx_rate")
    res("aws_cloudwatch_metric_alarm.alb_5xx_rate")
    res("aws_cloudwatch_dashboard.main")
    res("aws_sns_topic.alarms")
    res("aws_cloudwatch_log_group.app")
    telemetry = (ROOT / "server/src/telemetry.rs").read_text(encoding="utf-8")
    for name in ('"VinoVoyant"', '"PredictionLatency"', '"ServerErrors"'):
        expect(name in telemetry, f"server/src/telemetry.rs no longer writes {name}")

    # The alarm names scripts/deploy-lib.sh watches exist.
    deploy_lib = (ROOT / "scripts/deploy-lib.sh").read_text(encoding="utf-8")
    for suffix in ("-5xx-rate", "-unhealthy-hosts", "-alb-5xx-rate", "-prediction-latency-p95"):
        expect(suffix in deploy_lib, f"scripts/deploy-lib.sh does not watch *{suffix}")
        expect(f'{suffix}"' in text, f"no alarm named *{suffix} in terraform/")

    # Every checkov skip carries a reason.
    for match in re.finditer(r"checkov:skip=([A-Z0-9_]+)(?::(.*))?", text):
        expect(len((match.group(2) or "").strip()) >= 20, f"checkov skip {match.group(1)} has no reason")

    print("\n".join(failures) if failures else f"terraform: {len(resources)} resources, {len(variables)} variables, {len(outputs)} outputs; all expectations hold")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
