# shellcheck shell=bash
# Shared by scripts/deploy.sh and scripts/rollback.sh (sourced, not run): the
# settings, the `aws` wrapper with its dry-run mode, and the helpers that read
# and move the listener's blue/green weights.
#
# Settings (environment):
#   DEPLOY_NAME          name prefix of the stack (terraform output deploy_name),
#                        default vinovoyant-prod
#   AWS_REGION           region of the stack, default eu-north-1
#   DRY_RUN=1            print every aws call on standard output instead of making
#                        it, and answer the read calls with made-up values (no
#                        aws CLI or credentials needed). Dry-run only knobs:
#                          DRY_RUN_ACTIVE=blue|green  colour serving 100 % (blue)
#                          DRY_RUN_ALARM_AT=<weight>  an alarm fires while the new
#                                                     colour has this weight
#                          DRY_RUN_UNHEALTHY=<colour> that colour's targets are unhealthy
#                          DRY_RUN_REFRESH_STATUS     final instance refresh status
#                                                     (Successful)
#                          DRY_RUN_DESIRED            desired capacity reported (2)
#
# AWS calls go to file descriptor 3, which the scripts point at their standard
# output, so a dry run's calls show even when a caller captures an answer.

DEPLOY_NAME="${DEPLOY_NAME:-vinovoyant-prod}"
REGION="${AWS_REGION:-${AWS_DEFAULT_REGION:-eu-north-1}}"
DRY_RUN="${DRY_RUN:-0}"
COLOURS=(blue green)

# Dry-run state: the weights the listener would have now.
declare -A DRY_WEIGHT=([blue]=0 [green]=0)
DRY_WEIGHT[${DRY_RUN_ACTIVE:-blue}]=100
# Colour being deployed, for DRY_RUN_ALARM_AT.
DRY_TARGET_COLOUR=""

log() { printf '==> %s\n' "$*" >&2; }
die() {
    printf '%s: %s\n' "${0##*/}" "$*" >&2
    exit 1
}

is_dry_run() { [[ "$DRY_RUN" == "1" ]]; }

# Sleeps, except in a dry run, which has nothing to wait for.
pause() {
    is_dry_run || sleep "$1"
}

# Prints one argument the way a shell would need it: bare when safe, else in
# single quotes.
shell_word() {
    if [[ "$1" =~ ^[A-Za-z0-9_./:=@,+%-]+$ ]]; then
        printf '%s' "$1"
    else
        printf "'%s'" "${1//\'/\'\\\'\'}"
    fi
}

# Runs `aws --region $REGION "$@"`, or in a dry run prints it on fd 3 and
# prints a made-up answer.
aws_call() {
    if is_dry_run; then
        local word line="aws --region $REGION"
        for word in "$@"; do
            line+=" $(shell_word "$word")"
        done
        printf '%s\n' "$line" >&3
        dry_run_answer "$@"
    else
        aws --region "$REGION" "$@"
    fi
}

# The value following option $1 among the remaining arguments.
option_value() {
    local wanted="$1"
    shift
    while (($#)); do
        if [[ "$1" == "$wanted" ]]; then
            printf '%s' "${2:-}"
            return
        fi
        shift
    done
}

dry_arn_prefix() { printf 'arn:aws:elasticloadbalancing:%s:000000000000' "$REGION"; }
dry_target_group_arn() { printf '%s:targetgroup/%s-%s/0000000000%s' "$(dry_arn_prefix)" "$DEPLOY_NAME" "$1" "${1:0:1}"; }
dry_listener_arn() { printf '%s:listener/app/%s/0000000000000000/0000000000000443' "$(dry_arn_prefix)" "$DEPLOY_NAME"; }

dry_run_answer() {
    local service="$1" command="$2" colour
    case "$service $command" in
        "elbv2 describe-load-balancers")
            printf '%s:loadbalancer/app/%s/0000000000000000\n' "$(dry_arn_prefix)" "$DEPLOY_NAME"
            ;;
        "elbv2 describe-listeners")
            if [[ -n "$(option_value --listener-arns "$@")" ]]; then
                for colour in "${COLOURS[@]}"; do
                    printf '%s\t%s\n' "$(dry_target_group_arn "$colour")" "${DRY_WEIGHT[$colour]}"
                done
            else
                dry_listener_arn
                printf '\n'
            fi
            ;;
        "elbv2 describe-target-groups")
            for colour in "${COLOURS[@]}"; do
                printf '%s-%s\t%s\n' "$DEPLOY_NAME" "$colour" "$(dry_target_group_arn "$colour")"
            done
            ;;
        "elbv2 describe-target-health")
            colour="$(colour_of_target_group "$(option_value --target-group-arn "$@")")"
            if [[ "${DRY_RUN_UNHEALTHY:-}" == "$colour" ]]; then
                printf 'unhealthy\nunhealthy\n'
            else
                printf 'healthy\nhealthy\n'
            fi
            ;;
        "elbv2 modify-listener")
            dry_run_apply_weights "$(option_value --default-actions "$@")"
            ;;
        "autoscaling describe-auto-scaling-groups")
            printf '%s\n' "${DRY_RUN_DESIRED:-2}"
            ;;
        "autoscaling start-instance-refresh")
            printf 'dry-run-refresh-0001\n'
            ;;
        "autoscaling describe-instance-refreshes")
            printf '%s\n' "${DRY_RUN_REFRESH_STATUS:-Successful}"
            ;;
        "cloudwatch describe-alarms")
            if [[ -n "${DRY_RUN_ALARM_AT:-}" && -n "$DRY_TARGET_COLOUR" \
                && "${DRY_WEIGHT[$DRY_TARGET_COLOUR]}" == "$DRY_RUN_ALARM_AT" ]]; then
                printf '%s-%s-5xx-rate\n' "$DEPLOY_NAME" "$DRY_TARGET_COLOUR"
            fi
            ;;
        "ssm get-parameter")
            printf '000000000000.dkr.ecr.%s.amazonaws.com/%s:%s\n' "$REGION" "$DEPLOY_NAME" \
                "$(option_value --name "$@" | sed 's#.*/##')-release"
            ;;
        *) ;;
    esac
}

# Records the weights of a modify-listener call, so later dry-run reads see them.
dry_run_apply_weights() {
    local colour weight
    for colour in "${COLOURS[@]}"; do
        weight="$(grep -o "targetgroup/$DEPLOY_NAME-$colour/[^\"]*\",\"Weight\":[0-9]*" <<<"$1" | grep -o '[0-9]*$')"
        DRY_WEIGHT[$colour]="${weight:-0}"
    done
}

# Fills TG_ARN[blue|green] and LISTENER_ARN from the stack's names.
declare -A TG_ARN=()
LISTENER_ARN=""
resolve_stack() {
    local lb_arn name arn
    lb_arn="$(aws_call elbv2 describe-load-balancers --names "$DEPLOY_NAME" \
        --query 'LoadBalancers[0].LoadBalancerArn' --output text)"
    [[ "$lb_arn" == arn:* ]] || die "no load balancer named $DEPLOY_NAME"
    # shellcheck disable=SC2016 # the backticks are JMESPath literals, not a command
    LISTENER_ARN="$(aws_call elbv2 describe-listeners --load-balancer-arn "$lb_arn" \
        --query 'Listeners[?Port==`443`].ListenerArn | [0]' --output text)"
    [[ "$LISTENER_ARN" == arn:* ]] || die "no HTTPS listener on $DEPLOY_NAME"
    while IFS=$'\t' read -r name arn; do
        [[ -n "$name" ]] && TG_ARN[${name##*-}]="$arn"
    done < <(aws_call elbv2 describe-target-groups --names "$DEPLOY_NAME-blue" "$DEPLOY_NAME-green" \
        --query 'TargetGroups[].[TargetGroupName,TargetGroupArn]' --output text)
    [[ -n "${TG_ARN[blue]:-}" && -n "${TG_ARN[green]:-}" ]] \
        || die "target groups $DEPLOY_NAME-blue and $DEPLOY_NAME-green not found"
}

colour_of_target_group() {
    case "$1" in
        *"/$DEPLOY_NAME-blue/"*) printf 'blue' ;;
        *"/$DEPLOY_NAME-green/"*) printf 'green' ;;
        *) printf 'unknown' ;;
    esac
}

other_colour() {
    if [[ "$1" == "blue" ]]; then printf 'green'; else printf 'blue'; fi
}

# Fills WEIGHT[blue|green] from the listener.
declare -A WEIGHT=()
read_weights() {
    local arn weight
    WEIGHT=([blue]=0 [green]=0)
    while IFS=$'\t' read -r arn weight; do
        # shellcheck disable=SC2034 # read by the scripts that source this file
        [[ -n "$arn" ]] && WEIGHT[$(colour_of_target_group "$arn")]="$weight"
    done < <(aws_call elbv2 describe-listeners --listener-arns "$LISTENER_ARN" \
        --query 'Listeners[0].DefaultActions[0].ForwardConfig.TargetGroups[].[TargetGroupArn,Weight]' \
        --output text)
}

# Sends $2 % of the traffic to colour $1 and the rest to the other colour.
set_weight() {
    local colour="$1" weight="$2" other blue green actions
    other="$(other_colour "$colour")"
    local -A share=([$colour]="$weight" [$other]="$((100 - weight))")
    blue="${share[blue]}"
    green="${share[green]}"
    actions="$(printf '[{"Type":"forward","ForwardConfig":{"TargetGroups":[{"TargetGroupArn":"%s","Weight":%d},{"TargetGroupArn":"%s","Weight":%d}],"TargetGroupStickinessConfig":{"Enabled":false}}}]' \
        "${TG_ARN[blue]}" "$blue" "${TG_ARN[green]}" "$green")"
    aws_call elbv2 modify-listener --listener-arn "$LISTENER_ARN" --default-actions "$actions" >/dev/null
    log "weights now: blue $blue %, green $green %"
}

# Prints "<healthy> <total>": the targets of colour $1 passing /health, and all
# its registered targets (initial, draining and unhealthy ones included).
target_health() {
    local states state healthy=0 total=0
    states="$(aws_call elbv2 describe-target-health --target-group-arn "${TG_ARN[$1]}" \
        --query 'TargetHealthDescriptions[].TargetHealth.State' --output text)"
    for state in $states; do
        total=$((total + 1))
        [[ "$state" == "healthy" ]] && healthy=$((healthy + 1))
    done
    printf '%d %d' "$healthy" "$total"
}

# The alarms that say colour $1 is doing badly (names from terraform/monitoring.tf).
watched_alarms() {
    printf '%s\n' \
        "$DEPLOY_NAME-$1-5xx-rate" \
        "$DEPLOY_NAME-$1-unhealthy-hosts" \
        "$DEPLOY_NAME-alb-5xx-rate" \
        "$DEPLOY_NAME-prediction-latency-p95"
}

# Names of the alarms of colour $1 now in ALARM, one a line (none: empty).
# The state is filtered twice: by the API (--state-value) and again by the
# query, so an endpoint that ignores StateValue beside AlarmNames (moto 5.1
# does; scripts/rehearse-release.sh found it) cannot stop every release.
firing_alarms() {
    local alarms
    mapfile -t alarms < <(watched_alarms "$1")
    # shellcheck disable=SC2016 # the backticks are JMESPath literals, not a command
    aws_call cloudwatch describe-alarms --alarm-names "${alarms[@]}" --state-value ALARM \
        --query 'MetricAlarms[?StateValue==`ALARM`].AlarmName' --output text | tr '\t' '\n' | sed '/^$/d;/^None$/d'
}
