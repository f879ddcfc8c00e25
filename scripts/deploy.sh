#!/usr/bin/env bash
# Blue-green release of one container image to the stack in terraform/.
#
#   scripts/deploy.sh [--dry-run] IMAGE
#
# IMAGE is an ECR image URI with a tag or digest. The script:
#   1. finds the colour serving traffic (the higher listener weight) and takes
#      the other, idle one; refuses to start while a watched alarm fires;
#   2. writes IMAGE to the idle colour's SSM parameter, sizes its Auto Scaling
#      group like the live one and replaces its instances (instance refresh),
#      so every idle instance boots the new image;
#   3. waits until every idle target passes the /health check;
#   4. moves 10 %, then 50 %, then 100 % of the traffic to it, watching the
#      colour's 5xx-rate and unhealthy-host alarms, the load balancer's 5xx-rate
#      alarm and the PredictionLatency p95 alarm for DEPLOY_WATCH_SECS after
#      each step;
#   5. on any alarm, sends all traffic back to the previous colour and exits 3.
# The previous colour keeps running the previous image, so scripts/rollback.sh
# can switch back within seconds after a release too.
#
# Settings (environment) beyond those in scripts/deploy-lib.sh:
#   DEPLOY_STEPS                 weights to go through (default "10 50 100")
#   DEPLOY_WATCH_SECS            watch time after each step (default 300)
#   DEPLOY_POLL_SECS             alarm and health polling interval (default 15)
#   DEPLOY_HEALTH_TIMEOUT_SECS   longest wait for healthy targets (default 900)
#   DEPLOY_REFRESH_TIMEOUT_SECS  longest wait for the instance refresh (default 1800)
#
# Exit status: 0 released, 1 failed before any traffic moved, 2 usage,
# 3 rolled back.
set -euo pipefail
exec 3>&1

# shellcheck source=scripts/deploy-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/deploy-lib.sh"

STEPS="${DEPLOY_STEPS:-10 50 100}"
WATCH_SECS="${DEPLOY_WATCH_SECS:-300}"
POLL_SECS="${DEPLOY_POLL_SECS:-15}"
HEALTH_TIMEOUT_SECS="${DEPLOY_HEALTH_TIMEOUT_SECS:-900}"
REFRESH_TIMEOUT_SECS="${DEPLOY_REFRESH_TIMEOUT_SECS:-1800}"

usage() {
    sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" >&2
    exit 2
}

image=""
while (($#)); do
    case "$1" in
        --dry-run) DRY_RUN=1 ;;
        -h | --help) usage ;;
        -*) printf 'deploy.sh: unknown option %s\n' "$1" >&2 && usage ;;
        *)
            [[ -z "$image" ]] || usage
            image="$1"
            ;;
    esac
    shift
done
[[ -n "$image" ]] || usage
[[ "$image" =~ ^[a-z0-9.-]+/[a-z0-9._/-]+(:[A-Za-z0-9_.-]+|@sha256:[0-9a-f]{64})$ ]] \
    || die "not an image URI with a tag or digest: $image"
for step in $STEPS; do
    if ! [[ "$step" =~ ^[0-9]+$ ]] || ((step < 1 || step > 100)); then
        die "DEPLOY_STEPS must be weights from 1 to 100"
    fi
done
[[ "${STEPS##* }" == "100" ]] || die "DEPLOY_STEPS must end at 100"

# Waits for instance refresh $2 of group $1 to finish.
wait_for_refresh() {
    local group="$1" refresh_id="$2" status deadline=$((SECONDS + REFRESH_TIMEOUT_SECS))
    while :; do
        status="$(aws_call autoscaling describe-instance-refreshes --auto-scaling-group-name "$group" \
            --instance-refresh-ids "$refresh_id" --query 'InstanceRefreshes[0].Status' --output text)"
        case "$status" in
            Successful) return 0 ;;
            Failed | Cancelled | RollbackSuccessful | RollbackFailed | Baseline*)
                die "instance refresh of $group ended $status; no traffic was moved"
                ;;
        esac
        ((SECONDS < deadline)) || die "instance refresh of $group still $status after ${REFRESH_TIMEOUT_SECS}s"
        pause "$POLL_SECS"
    done
}

# Waits until colour $1 has at least $2 targets, all of them healthy.
wait_for_healthy() {
    local colour="$1" wanted="$2" healthy total deadline=$((SECONDS + HEALTH_TIMEOUT_SECS))
    while :; do
        read -r healthy total <<<"$(target_health "$colour")"
        ((healthy >= wanted && healthy == total)) && return 0
        ((SECONDS < deadline)) || die "$colour has no $wanted healthy targets after ${HEALTH_TIMEOUT_SECS}s; no traffic was moved"
        pause "$POLL_SECS"
    done
}

# Watches the alarms of colour $1 for WATCH_SECS; fails (1) as soon as one fires.
watch_alarms() {
    local colour="$1" checks firing
    checks=$(((WATCH_SECS + POLL_SECS - 1) / POLL_SECS))
    ((checks >= 1)) || checks=1
    while ((checks-- > 0)); do
        firing="$(firing_alarms "$colour")"
        if [[ -n "$firing" ]]; then
            log "alarm: $(tr '\n' ' ' <<<"$firing")"
            return 1
        fi
        ((checks == 0)) || pause "$POLL_SECS"
    done
}

resolve_stack
read_weights
if ((WEIGHT[blue] >= WEIGHT[green])); then live="blue"; else live="green"; fi
target="$(other_colour "$live")"
DRY_TARGET_COLOUR="$target"
((WEIGHT[$live] == 100)) \
    || die "traffic is split (blue ${WEIGHT[blue]} %, green ${WEIGHT[green]} %): finish or roll back the last release first (scripts/rollback.sh)"
log "$live serves all traffic; releasing $image on $target"

firing="$(firing_alarms "$live")"
[[ -z "$firing" ]] || die "alarms already firing, fix them before releasing: $(tr '\n' ' ' <<<"$firing")"

aws_call ssm put-parameter --name "/$DEPLOY_NAME/image/$target" --type String --overwrite \
    --value "$image" >/dev/null

desired="$(aws_call autoscaling describe-auto-scaling-groups --auto-scaling-group-names "$DEPLOY_NAME-$live" \
    --query 'AutoScalingGroups[0].DesiredCapacity' --output text)"
[[ "$desired" =~ ^[0-9]+$ ]] || die "cannot read the desired capacity of $DEPLOY_NAME-$live"
log "sizing $target like $live: $desired instances"
aws_call autoscaling update-auto-scaling-group --auto-scaling-group-name "$DEPLOY_NAME-$target" \
    --desired-capacity "$desired"

refresh_id="$(aws_call autoscaling start-instance-refresh --auto-scaling-group-name "$DEPLOY_NAME-$target" \
    --preferences '{"MinHealthyPercentage":100,"MaxHealthyPercentage":200,"InstanceWarmup":300,"SkipMatching":false}' \
    --query 'InstanceRefreshId' --output text)"
log "replacing the $target instances (refresh $refresh_id)"
wait_for_refresh "$DEPLOY_NAME-$target" "$refresh_id"

log "waiting for $desired healthy $target targets"
wait_for_healthy "$target" "$desired"

for step in $STEPS; do
    set_weight "$target" "$step"
    if ! watch_alarms "$target"; then
        log "rolling back: all traffic to $live"
        set_weight "$live" 100
        printf 'deploy.sh: %s rolled back; %s serves all traffic again\n' "$image" "$live" >&2
        exit 3
    fi
done

log "released $image: $target serves all traffic; $live keeps the previous release (scripts/rollback.sh)"
