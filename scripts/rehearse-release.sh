#!/usr/bin/env bash
# A blue-green release and a disaster-recovery drill rehearsed against the AWS
# APIs: moto in server mode on 127.0.0.1 stands in for ELBv2, Auto Scaling, EC2,
# SSM, CloudWatch, ACM and S3, and the AWS CLI (PyPI) talks to it through an
# `aws` on PATH that adds --endpoint-url. scripts/deploy.sh and
# scripts/rollback.sh run for real (not --dry-run), with short waits.
#
#   scripts/rehearse-release.sh
#
#   setup  the stack scripts/deploy.sh expects, named as terraform/ names it
#          (vinovoyant-prod: load balancer, HTTPS listener weighted 100/0 to the
#          target groups -blue/-green, launch templates and Auto Scaling groups
#          per colour with the mixed instances policy of terraform/compute.tf,
#          the image parameters, the watched alarms, the model buckets)
#   (a)    a release: the listener's weights go 10 -> 50 -> 100 % to the idle
#          colour (sampled from the emulator while it runs), its image
#          parameter holds the new image
#   (b)    a release during which a watched alarm goes to ALARM
#          (set-alarm-state): all traffic back, exit 3; and a release refused
#          while an alarm fires
#   (c)    scripts/rollback.sh after a release: the previous colour again
#   (d)    the runbook's restore: vinovoyant backup, the production prefix
#          deleted, models verify on the backup, vinovoyant restore, models
#          verify, a server on s3://...?channel=prod serving the restored
#          version; SHA-256 of every object equal before, in the backup and
#          after the restore; each step's time against the 1 h RTO
#
# Calls the emulator lacks are answered by the `aws` wrapper as a dry run
# (printed, with a made-up answer) and listed at the end: moto 5.1.22 has no
# instance refresh (start-instance-refresh, describe-instance-refreshes). Other
# differences: moto's DescribeAlarms ignores StateValue beside AlarmNames (the
# deploy scripts filter the state in their query too), it evaluates no alarm
# (states are set here by hand) and probes no target (all read healthy).
#
# Settings (environment):
#   REHEARSAL_BIN    vinovoyant binary for (d) (default target/debug/vinovoyant)
#   REHEARSAL_PORT   moto's port on 127.0.0.1 (default 30500)
#   VINOVOYANT_S3_VENV  moto's virtualenv, shared with scripts/s3-server.sh
#                       and its pinned moto (default ~/.cache/vinovoyant/s3-venv;
#                       installed only when missing, as s3-server.sh would)
#   REHEARSAL_CLI_VENV  the AWS CLI's own virtualenv (awscli pins botocore, so
#                       it stays out of moto's; default
#                       ~/.cache/vinovoyant/awscli-venv)
# Both live outside the clone so a warm CI machine installs nothing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo_root="$PWD"

BIN="${REHEARSAL_BIN:-target/debug/vinovoyant}"
PORT="${REHEARSAL_PORT:-30500}"
MOTO_VENV="${VINOVOYANT_S3_VENV:-$HOME/.cache/vinovoyant/s3-venv}"
CLI_VENV="${REHEARSAL_CLI_VENV:-$HOME/.cache/vinovoyant/awscli-venv}"
AWSCLI_VERSION="1.45.11"
STATE="$repo_root/target/rehearsal"
ENDPOINT="http://127.0.0.1:$PORT"
SERVE_PORT=$((PORT + 1))

# Names as terraform/ makes them with its defaults (checked below).
export DEPLOY_NAME="vinovoyant-prod" AWS_REGION="eu-north-1"
BUCKET="vino-voyant-wine-origin-predictor"
BACKUP_BUCKET="$BUCKET-backup"
BACKUP_REGION="eu-west-1"
STORE="s3://$BUCKET/models"
BACKUP="s3://$BACKUP_BUCKET/models"
OLD_IMAGE="123456789012.dkr.ecr.eu-north-1.amazonaws.com/vinovoyant-prod:0000001"
NEW_IMAGE="123456789012.dkr.ecr.eu-north-1.amazonaws.com/vinovoyant-prod:0000002"
BAD_IMAGE="123456789012.dkr.ecr.eu-north-1.amazonaws.com/vinovoyant-prod:0000003"

# Short waits for the rehearsal; production keeps deploy.sh's defaults.
export DEPLOY_WATCH_SECS=3 DEPLOY_POLL_SECS=1 DEPLOY_HEALTH_TIMEOUT_SECS=60 DEPLOY_REFRESH_TIMEOUT_SECS=60
# The production steps (10 50 100) are what is rehearsed.
unset DEPLOY_STEPS DRY_RUN

declare -a TIMINGS=()
# Milliseconds since the epoch; "<s>.<tenths>" of a span of them.
now_ms() { local t="${EPOCHREALTIME/[.,]/}"; printf '%d' "$((t / 1000))"; }
secs() { printf '%d.%d' "$(($1 / 1000))" "$((($1 % 1000) / 100))"; }
step_started=0
step() {
    printf '\n==> %s (%ss)\n' "$*" "$SECONDS"
    step_started=$(now_ms)
}
record() { TIMINGS+=("$(printf '%-60s %6ss' "$1" "$(secs $(($(now_ms) - step_started)))")"); }
ok() { printf '  ok  %s\n' "$*"; }
fail() {
    printf 'rehearse-release: FAIL: %s\n' "$*" >&2
    exit 1
}

[[ -x "$BIN" ]] || fail "no vinovoyant binary at $BIN (cargo test builds it; or set REHEARSAL_BIN)"
BIN="$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")"

# --- names: the rehearsal's must be terraform's -------------------------------
grep -q "default     = \"$BUCKET\"" terraform/variables.tf || fail "terraform/variables.tf: model bucket is no longer $BUCKET"
grep -q "default     = \"$AWS_REGION\"" terraform/variables.tf || fail "terraform/variables.tf: region is no longer $AWS_REGION"
# shellcheck disable=SC2016 # Terraform's ${...}, matched literally
grep -qF 'name       = "${var.project}-${var.environment}"' terraform/main.tf || fail "terraform/main.tf: the name prefix is no longer <project>-<environment>"
# shellcheck disable=SC2016
grep -qF '"${local.name}-${each.key}"' terraform/alb.tf || fail "terraform/alb.tf: target groups are no longer <name>-<colour>"

# --- tools ---------------------------------------------------------------------
step "moto ($MOTO_VENV) and the AWS CLI ($CLI_VENV)"
moto_version="$(sed -n 's/^MOTO_VERSION="\(.*\)"$/\1/p' scripts/s3-server.sh)"
if ! "$MOTO_VENV/bin/python" -c "import sys, moto, flask; sys.exit(moto.__version__ != '$moto_version')" 2>/dev/null; then
    printf '  installing moto[server] %s into %s (as scripts/s3-server.sh does)\n' "$moto_version" "$MOTO_VENV"
    python3 -m venv "$MOTO_VENV"
    "$MOTO_VENV/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$moto_version"
fi
if [[ "$("$CLI_VENV/bin/aws" --version 2>&1 | cut -d' ' -f1)" != "aws-cli/$AWSCLI_VERSION" ]]; then
    printf '  installing awscli %s into %s\n' "$AWSCLI_VERSION" "$CLI_VENV"
    python3 -m venv "$CLI_VENV"
    "$CLI_VENV/bin/pip" install --quiet --disable-pip-version-check "awscli==$AWSCLI_VERSION"
fi
PY="$MOTO_VENV/bin/python"

rm -rf "$STATE"
mkdir -p "$STATE/bin"
# No real account can be reached: fake credentials, no config files, and every
# call goes to the emulator.
export AWS_ACCESS_KEY_ID=rehearsal AWS_SECRET_ACCESS_KEY=rehearsal AWS_DEFAULT_REGION="$AWS_REGION"
export AWS_CONFIG_FILE="$STATE/aws-config" AWS_SHARED_CREDENTIALS_FILE="$STATE/aws-credentials"
: >"$AWS_CONFIG_FILE"
: >"$AWS_SHARED_CREDENTIALS_FILE"
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL
export REHEARSAL_ENDPOINT="$ENDPOINT" REHEARSAL_GAPS="$STATE/gaps"
cat >"$STATE/bin/aws" <<EOF
#!/usr/bin/env bash
# The AWS CLI against moto on 127.0.0.1 (written by scripts/rehearse-release.sh).
# Calls moto does not implement are answered here as a dry run.
case " \$* " in
*" autoscaling start-instance-refresh "*)
    echo "  [dry run: moto has no instance refresh] aws \$*" >&2
    echo "autoscaling start-instance-refresh" >>"\$REHEARSAL_GAPS"
    echo "rehearsal-refresh-\$RANDOM"
    exit 0
    ;;
*" autoscaling describe-instance-refreshes "*)
    echo "  [dry run: moto has no instance refresh] aws \$*" >&2
    echo "autoscaling describe-instance-refreshes" >>"\$REHEARSAL_GAPS"
    echo "Successful"
    exit 0
    ;;
esac
exec "$CLI_VENV/bin/aws" --endpoint-url "\$REHEARSAL_ENDPOINT" "\$@"
EOF
chmod +x "$STATE/bin/aws"
export PATH="$STATE/bin:$PATH"
[[ "$(command -v aws)" == "$STATE/bin/aws" ]] || fail "the emulator's aws is not first on PATH"
record "tools"

# --- the emulator --------------------------------------------------------------
pids=()
cleanup() {
    local pid
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
}
trap cleanup EXIT

step "moto on $ENDPOINT"
"$PY" -c "import socket; s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', $PORT))" 2>/dev/null \
    || fail "port $PORT on 127.0.0.1 is taken (set REHEARSAL_PORT)"
"$MOTO_VENV/bin/moto_server" -H 127.0.0.1 -p "$PORT" >"$STATE/moto.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do
    "$PY" -c "import urllib.request as u; u.urlopen('$ENDPOINT/moto-api/', timeout=1)" 2>/dev/null && break
    kill -0 "${pids[0]}" 2>/dev/null || fail "moto exited: $(tail -n 5 "$STATE/moto.log")"
    sleep 0.2
done
ok "moto $("$PY" -c 'import moto; print(moto.__version__)'), AWS CLI $(aws --version 2>&1 | cut -d' ' -f1)"
record "emulator start"

# --- the stack -----------------------------------------------------------------
step "the stack scripts/deploy.sh expects ($DEPLOY_NAME, $AWS_REGION)"
q() { aws --region "$AWS_REGION" "$@"; }
# One boto3 process makes it all (the CLI would start Python ~40 times); the
# scripts under test still go through the CLI. Prints the listener's ARN.
listener="$("$PY" - "$ENDPOINT" "$DEPLOY_NAME" "$AWS_REGION" "$OLD_IMAGE" <<'PY'
import json, sys, boto3
endpoint, name, region, image = sys.argv[1:5]
c = lambda service: boto3.client(service, endpoint_url=endpoint, region_name=region)
ec2, elbv2, asg, ssm, cw, acm = (c(s) for s in ("ec2", "elbv2", "autoscaling", "ssm", "cloudwatch", "acm"))

vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.40.{16 * i}.0/20", AvailabilityZone=f"{region}{az}")["Subnet"]["SubnetId"]
           for i, az in enumerate("ab")]
sg = ec2.create_security_group(GroupName=f"{name}-app", Description="app", VpcId=vpc)["GroupId"]
ami = ec2.describe_images(Owners=["amazon"], Filters=[{"Name": "name", "Values": ["amzn2-ami-hvm-*x86_64*"]}])["Images"][0]["ImageId"]
lb = elbv2.create_load_balancer(Name=name, Subnets=subnets, SecurityGroups=[sg])["LoadBalancers"][0]["LoadBalancerArn"]
tg = {}
for colour in ("blue", "green"):
    tg[colour] = elbv2.create_target_group(
        Name=f"{name}-{colour}", Protocol="HTTP", Port=8080, VpcId=vpc, HealthCheckPath="/health",
        HealthCheckIntervalSeconds=30, HealthCheckTimeoutSeconds=5, HealthyThresholdCount=2, UnhealthyThresholdCount=3,
    )["TargetGroups"][0]["TargetGroupArn"]
cert = acm.request_certificate(DomainName="vinovoyant.example.com", ValidationMethod="DNS")["CertificateArn"]
elbv2.create_listener(LoadBalancerArn=lb, Protocol="HTTP", Port=80, DefaultActions=[
    {"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}])
listener = elbv2.create_listener(
    LoadBalancerArn=lb, Protocol="HTTPS", Port=443, Certificates=[{"CertificateArn": cert}],
    SslPolicy="ELBSecurityPolicy-TLS13-1-2-2021-06",
    DefaultActions=[{"Type": "forward", "ForwardConfig": {"TargetGroups": [
        {"TargetGroupArn": tg["blue"], "Weight": 100}, {"TargetGroupArn": tg["green"], "Weight": 0}]}}],
)["Listeners"][0]["ListenerArn"]

for colour in ("blue", "green"):
    ssm.put_parameter(Name=f"/{name}/image/{colour}", Type="String", Value=image)
    ec2.create_launch_template(LaunchTemplateName=f"{name}-{colour}", LaunchTemplateData={
        "ImageId": ami, "InstanceType": "t3.medium", "SecurityGroupIds": [sg]})
    # The mixed instances policy of terraform/compute.tf, with its defaults.
    asg.create_auto_scaling_group(
        AutoScalingGroupName=f"{name}-{colour}", MinSize=2, MaxSize=10, DesiredCapacity=2,
        VPCZoneIdentifier=",".join(subnets), TargetGroupARNs=[tg[colour]], HealthCheckType="ELB",
        HealthCheckGracePeriod=300, CapacityRebalance=True,
        MixedInstancesPolicy={
            "LaunchTemplate": {
                "LaunchTemplateSpecification": {"LaunchTemplateName": f"{name}-{colour}", "Version": "$Latest"},
                "Overrides": [{"InstanceType": "t3.medium"}, {"InstanceType": "t3a.medium"}],
            },
            "InstancesDistribution": {
                "OnDemandBaseCapacity": 2, "OnDemandPercentageAboveBaseCapacity": 0,
                "SpotAllocationStrategy": "capacity-optimized",
            },
        },
    )

alarms = [f"{name}-{colour}-{kind}" for colour in ("blue", "green") for kind in ("5xx-rate", "unhealthy-hosts", "cpu-high")]
alarms += [f"{name}-alb-5xx-rate", f"{name}-prediction-latency-p95"]
for alarm in alarms:
    cw.put_metric_alarm(AlarmName=alarm, Namespace="VinoVoyant", MetricName="Rehearsal", Statistic="Sum",
                        Period=60, EvaluationPeriods=3, Threshold=1, ComparisonOperator="GreaterThanThreshold",
                        TreatMissingData="notBreaching")
    cw.set_alarm_state(AlarmName=alarm, StateValue="OK", StateReason="rehearsal")

# Read back what the scripts will rely on.
group = asg.describe_auto_scaling_groups(AutoScalingGroupNames=[f"{name}-blue"])["AutoScalingGroups"][0]
dist = group["MixedInstancesPolicy"]["InstancesDistribution"]
got = (dist["OnDemandBaseCapacity"], dist["OnDemandPercentageAboveBaseCapacity"], dist["SpotAllocationStrategy"],
       group["CapacityRebalance"], len(group["MixedInstancesPolicy"]["LaunchTemplate"]["Overrides"]))
assert got == (2, 0, "capacity-optimized", True, 2), f"mixed instances policy reads back as {got}"
for colour in ("blue", "green"):
    targets = elbv2.describe_target_health(TargetGroupArn=tg[colour])["TargetHealthDescriptions"]
    assert len(targets) >= 2, f"the {colour} target group has {len(targets)} targets"
print(f"  ok  load balancer, HTTPS listener 100/0, 2 target groups, 2 launch templates, 2 groups of 2, "
      f"2 image parameters, {len(alarms)} alarms", file=sys.stderr)
print("  ok  mixed instances policy read back: on-demand base 2, 0 % on-demand above it, capacity-optimized, "
      "capacity rebalancing, 2 instance types", file=sys.stderr)
print("  ok  each target group has its group's 2 instances registered", file=sys.stderr)
print(listener)
PY
)" || fail "setting up the stack"
record "stack setup"

# Prints "blue=<w> green=<w>" as the emulator has them.
weights() {
    q elbv2 describe-listeners --listener-arns "$listener" \
        --query 'Listeners[0].DefaultActions[0].ForwardConfig.TargetGroups[].[TargetGroupArn,Weight]' --output text \
        | sed -E "s#^.*targetgroup/$DEPLOY_NAME-(blue|green)/[^[:space:]]*[[:space:]]+#\1=#" | sort | paste -sd' ' -
}
image_of() { q ssm get-parameter --name "/$DEPLOY_NAME/image/$1" --query Parameter.Value --output text; }

# Samples the listener weight of the colour $1 every 0.1 s into $2 (one line
# per change) until killed, straight from the emulator with boto3.
sample_weights() {
    "$PY" - "$ENDPOINT" "$listener" "$1" "$2" <<'PY' &
import sys, time, boto3
endpoint, listener, colour, out = sys.argv[1:5]
client = boto3.client("elbv2", endpoint_url=endpoint, region_name="eu-north-1")
last = None
for _ in range(3000):  # at most ~5 min
    groups = client.describe_listeners(ListenerArns=[listener])["Listeners"][0]["DefaultActions"][0]["ForwardConfig"]["TargetGroups"]
    weight = next(g["Weight"] for g in groups if f"/vinovoyant-prod-{colour}/" in g["TargetGroupArn"])
    if weight != last:
        with open(out, "a") as f:
            f.write(f"{weight}\n")
        last = weight
    time.sleep(0.1)
PY
    pids+=($!)
}
stop_sampler() {
    sleep 0.5
    kill "${pids[-1]}" 2>/dev/null || true
    wait "${pids[-1]}" 2>/dev/null || true
}

# --- (a) a release ---------------------------------------------------------------
step "(a) release $NEW_IMAGE (scripts/deploy.sh, watch ${DEPLOY_WATCH_SECS}s per step)"
[[ "$(weights)" == "blue=100 green=0" ]] || fail "before the release the weights are $(weights)"
sample_weights green "$STATE/weights-a"
rc=0
scripts/deploy.sh "$NEW_IMAGE" >"$STATE/deploy-a.out" 2>&1 || rc=$?
stop_sampler
sed 's/^/    /' "$STATE/deploy-a.out"
((rc == 0)) || fail "deploy.sh exited $rc"
seen="$(paste -sd' ' "$STATE/weights-a")"
[[ "$seen" == "0 10 50 100" ]] || fail "green's weight went through '$seen', expected 0 10 50 100"
ok "green's weight, sampled from the emulator: $seen"
[[ "$(weights)" == "blue=0 green=100" ]] || fail "after the release the weights are $(weights)"
[[ "$(image_of green)" == "$NEW_IMAGE" ]] || fail "green's image parameter is $(image_of green)"
[[ "$(image_of blue)" == "$OLD_IMAGE" ]] || fail "blue's image parameter changed to $(image_of blue)"
ok "green's image parameter is the new image; blue keeps the previous one"
record "(a) release 10 -> 50 -> 100 %"

# --- (b) an alarm during a release ------------------------------------------------
step "(b) release $BAD_IMAGE with $DEPLOY_NAME-blue-5xx-rate set to ALARM at 50 %"
# green is live now; the release goes to blue.
sample_weights blue "$STATE/weights-b"
rc=0
scripts/deploy.sh "$BAD_IMAGE" >"$STATE/deploy-b.out" 2>&1 &
deploy_pid=$!
fired=0
for _ in $(seq 1 600); do
    if grep -qx 50 "$STATE/weights-b" 2>/dev/null; then
        q cloudwatch set-alarm-state --alarm-name "$DEPLOY_NAME-blue-5xx-rate" --state-value ALARM \
            --state-reason "rehearsal: 5xx rate above 1 % at 50 %"
        fired=1
        break
    fi
    kill -0 "$deploy_pid" 2>/dev/null || break
    sleep 0.1
done
wait "$deploy_pid" || rc=$?
stop_sampler
sed 's/^/    /' "$STATE/deploy-b.out"
((fired)) || fail "the release never reached 50 % (weights seen: $(paste -sd' ' "$STATE/weights-b"))"
((rc == 3)) || fail "deploy.sh exited $rc, expected 3 (rolled back)"
seen="$(paste -sd' ' "$STATE/weights-b")"
[[ "$seen" == "0 10 50 0" ]] || fail "blue's weight went through '$seen', expected 0 10 50 0"
[[ "$(weights)" == "blue=0 green=100" ]] || fail "after the rollback the weights are $(weights)"
ok "exit 3; blue's weight went $seen; green serves all traffic again"
# In production the alarm clears by itself once blue has no traffic
# (treat_missing_data = notBreaching); moto does not evaluate alarms.
q cloudwatch set-alarm-state --alarm-name "$DEPLOY_NAME-blue-5xx-rate" --state-value OK --state-reason "rehearsal: no traffic"
record "(b) alarm at 50 % -> all traffic back, exit 3"

step "(b') a release is refused while $DEPLOY_NAME-alb-5xx-rate fires"
q cloudwatch set-alarm-state --alarm-name "$DEPLOY_NAME-alb-5xx-rate" --state-value ALARM --state-reason "rehearsal: 5xx on the live colour"
rc=0
scripts/deploy.sh "$BAD_IMAGE" >"$STATE/deploy-b2.out" 2>&1 || rc=$?
sed 's/^/    /' "$STATE/deploy-b2.out"
((rc == 1)) || fail "deploy.sh exited $rc while an alarm fired, expected 1"
grep -q 'alarms already firing' "$STATE/deploy-b2.out" || fail "deploy.sh did not say why it refused"
[[ "$(weights)" == "blue=0 green=100" ]] || fail "a refused release moved traffic: $(weights)"
grep -q 'start-instance-refresh\|put-parameter' <(sed -n '1,$p' "$STATE/deploy-b2.out") && fail "a refused release changed the idle colour"
[[ "$(image_of blue)" == "$BAD_IMAGE" ]] || fail "blue's image parameter changed to $(image_of blue)"
q cloudwatch set-alarm-state --alarm-name "$DEPLOY_NAME-alb-5xx-rate" --state-value OK --state-reason "rehearsal: fixed"
ok "refused (exit 1) before any change; the alarm is back to OK"
record "(b') release refused while an alarm fires"

# --- (c) rollback after a release ---------------------------------------------------
step "(c) release $NEW_IMAGE on blue, then scripts/rollback.sh"
scripts/deploy.sh "$NEW_IMAGE" >"$STATE/deploy-c.out" 2>&1 || fail "deploy.sh failed: $(cat "$STATE/deploy-c.out")"
[[ "$(weights)" == "blue=100 green=0" ]] || fail "after the release the weights are $(weights)"
ok "released on blue: $(weights)"
rollback_started=$(now_ms)
scripts/rollback.sh >"$STATE/rollback.out" 2>&1 || fail "rollback.sh failed: $(cat "$STATE/rollback.out")"
rollback_secs="$(secs $(($(now_ms) - rollback_started)))"
sed 's/^/    /' "$STATE/rollback.out"
[[ "$(weights)" == "blue=0 green=100" ]] || fail "after the rollback the weights are $(weights)"
[[ "$(image_of green)" == "$NEW_IMAGE" ]] || fail "green's image parameter is $(image_of green)"
ok "green (the previous colour) serves all traffic again, in ${rollback_secs}s"
record "(c) release then rollback.sh (rollback itself ${rollback_secs}s)"

# --- (d) disaster recovery ---------------------------------------------------------
export VINOVOYANT_S3_ENDPOINT="$ENDPOINT" VINOVOYANT_LOG_FORMAT=text VINOVOYANT_LOG_LEVEL=warn
step "(d) model store: $STORE (eu-north-1), backup $BACKUP ($BACKUP_REGION)"
q s3api create-bucket --bucket "$BUCKET" --create-bucket-configuration LocationConstraint=eu-north-1 >/dev/null
aws --region "$BACKUP_REGION" s3api create-bucket --bucket "$BACKUP_BUCKET" \
    --create-bucket-configuration LocationConstraint="$BACKUP_REGION" >/dev/null
for bucket in "$BUCKET" "$BACKUP_BUCKET"; do
    q s3api put-bucket-versioning --bucket "$bucket" --versioning-configuration Status=Enabled
done
"$BIN" models publish --bundle models --store "$STORE" >"$STATE/publish.out" 2>&1 || fail "models publish: $(cat "$STATE/publish.out")"
version="$("$BIN" models list --store "$STORE" --json | "$PY" -c 'import json, sys; d = json.load(sys.stdin); v = d.get("versions", d); print((v[-1]["version"] if isinstance(v[-1], dict) else v[-1]) if isinstance(v, list) else "")' 2>/dev/null || true)"
[[ -n "$version" ]] || fail "cannot read the published version: $("$BIN" models list --store "$STORE" --json)"
"$BIN" models promote "$version" --channel prod --store "$STORE" >"$STATE/promote.out" 2>&1 || fail "models promote: $(cat "$STATE/promote.out")"
ok "published and promoted $version to prod"

# SHA-256 of every object under an s3:// prefix, as "<key below the prefix> <sha256>".
checksums() {
    "$PY" - "$ENDPOINT" "$1" <<'PY'
import hashlib, sys, boto3
endpoint, uri = sys.argv[1:3]
bucket, _, prefix = uri[len("s3://"):].partition("/")
s3 = boto3.client("s3", endpoint_url=endpoint, region_name="eu-north-1")
lines = []
for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix + "/"):
    for obj in page.get("Contents", []):
        body = s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read()
        lines.append(f"{obj['Key'][len(prefix) + 1:]} {hashlib.sha256(body).hexdigest()}")
print("\n".join(sorted(lines)))
PY
}
checksums "$STORE" >"$STATE/sums-before"
objects="$(wc -l <"$STATE/sums-before")"
((objects >= 2)) || fail "the store holds only $objects objects"
# Every bundle file in the store is byte for byte the local bundle.
for file in models/*; do
    sum="$(sha256sum "$file" | cut -d' ' -f1)"
    grep -q " $sum\$" "$STATE/sums-before" || fail "$file is not in the store with SHA-256 $sum"
done
ok "$objects objects in the store; every file of models/ among them, SHA-256 equal"
record "(d) setup: publish and promote"

declare -a DR=()
dr_step() {
    local label="$1" started elapsed
    shift
    started=$(now_ms)
    "$@" || fail "$label"
    elapsed=$(($(now_ms) - started))
    DR+=("$(printf '%-60s %6ss' "$label" "$(secs "$elapsed")")")
    ok "$label ($(secs "$elapsed")s)"
}
dr_started=$(now_ms)
step "(d) disaster recovery, as docs/operations.md has it"
dr_step "1 vinovoyant backup (store -> backup bucket, $BACKUP_REGION)" \
    "$BIN" backup --from "$STORE" --to "$BACKUP" --to-region "$BACKUP_REGION"
checksums "$BACKUP" >"$STATE/sums-backup"
cmp -s "$STATE/sums-before" "$STATE/sums-backup" || fail "the backup differs: $(diff "$STATE/sums-before" "$STATE/sums-backup")"
ok "backup: $objects objects, every SHA-256 equal to the store's"

delete_prefix() {
    q s3 rm --recursive --quiet "$STORE/" && [[ -z "$(checksums "$STORE")" ]]
}
dr_step "2 disaster: production prefix deleted (aws s3 rm)" delete_prefix
if "$BIN" models list --store "$STORE" >/dev/null 2>&1 && [[ -n "$("$BIN" models list --store "$STORE" --json | grep -o "$version" || true)" ]]; then
    fail "the store still lists $version after the deletion"
fi

dr_step "3 vinovoyant models verify --store \$BACKUP" \
    "$BIN" models verify --store "$BACKUP"
dr_step "4 vinovoyant restore (backup bucket -> store)" \
    "$BIN" restore --from "$BACKUP" --from-region "$BACKUP_REGION" --to "$STORE"
checksums "$STORE" >"$STATE/sums-after"
cmp -s "$STATE/sums-before" "$STATE/sums-after" || fail "the restored store differs: $(diff "$STATE/sums-before" "$STATE/sums-after")"
ok "restored: $objects objects, every SHA-256 equal to the store before the disaster"
verify_and_list() {
    "$BIN" models verify --store "$STORE" && "$BIN" models list --store "$STORE" --json | grep -q "$version"
}
dr_step "5 vinovoyant models verify; models list" verify_and_list

serve_restored() {
    local started=$SECONDS health=""
    "$BIN" serve --model "$STORE?channel=prod" --model-cache "$STATE/model-cache" \
        --addr "127.0.0.1:$SERVE_PORT" --site-root "$STATE/no-site" >"$STATE/serve.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 1 150); do
        health="$(curl -s --max-time 2 "http://127.0.0.1:$SERVE_PORT/health" || true)"
        [[ -n "$health" ]] && break
        sleep 0.2
    done
    printf '    /health: %s (%ss after start)\n' "$health" "$((SECONDS - started))"
    [[ "$health" == *'"status":"ok"'* && "$health" == *"\"model_version\":\"$version\""* ]] || return 1
    local answer
    answer="$(curl -s --max-time 10 -H 'content-type: application/json' \
        -d '{"description": "Ripe black cherry, tobacco and firm tannins from old-vine Tempranillo in Rioja."}' \
        "http://127.0.0.1:$SERVE_PORT/api/v1/predict")"
    printf '    prediction: %s\n' "$(grep -o '"country":"[^"]*"' <<<"$answer")"
    [[ "$answer" == *"\"model_version\":\"$version\""* && "$answer" == *'"country":"Spain"'* ]] || return 1
    kill -TERM "${pids[-1]}" && wait "${pids[-1]}"
}
dr_step "6 vinovoyant serve ?channel=prod: /health ok, $version" serve_restored
refresh_live() {
    aws --region "$AWS_REGION" autoscaling start-instance-refresh --auto-scaling-group-name "$DEPLOY_NAME-green" \
        --preferences '{"MinHealthyPercentage":100,"MaxHealthyPercentage":200}' --query InstanceRefreshId --output text >/dev/null
}
dr_step "7 instance refresh of the live colour (dry run)" refresh_live
dr_total_ms=$(($(now_ms) - dr_started))
record "(d) disaster recovery, steps 1-7"

# --- summary -----------------------------------------------------------------------
printf '\n==> rehearsal timings (waits shortened: DEPLOY_WATCH_SECS=%s, DEPLOY_POLL_SECS=%s)\n' \
    "$DEPLOY_WATCH_SECS" "$DEPLOY_POLL_SECS"
printf '  %s\n' "${TIMINGS[@]}"
printf '\n==> disaster recovery against the 1 h RTO (3600 s)\n'
printf '  %s\n' "${DR[@]}"
printf '  %-60s %6ss = %s %% of the RTO\n' "total" "$(secs "$dr_total_ms")" \
    "$(awk -v t="$dr_total_ms" 'BEGIN { printf "%.2f", t / 36000 }')"
((dr_total_ms < 3600000)) || fail "the restore took longer than the 1 h RTO"
printf '\n==> emulator gaps (those calls were dry runs)\n'
if [[ -s "$STATE/gaps" ]]; then
    sort "$STATE/gaps" | uniq -c | sed 's/^ */  /'
else
    printf '  none\n'
fi
printf '\n==> rehearsal passed (%ss)\n' "$SECONDS"
