#!/usr/bin/env bash
# Tests of scripts/deploy.sh and scripts/rollback.sh in dry-run mode: the AWS
# calls they would make, in order: which colour they pick, the weights they set
# and when, and the rollback paths. An `aws` on PATH that fails the test if it is
# ever run proves that a dry run needs neither the CLI nor credentials.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin"
cat >"$work/bin/aws" <<EOF
#!/bin/sh
echo "aws \$*" >>"$work/aws-was-run"
exit 97
EOF
chmod +x "$work/bin/aws"

IMAGE="123456789012.dkr.ecr.eu-north-1.amazonaws.com/vinovoyant-prod:3f2a9c1"
passed=0
failed=0
current=""
case_failed=0
OUT=""
ERR=""
RC=0

# Runs a script with only the given environment (plus DRY_RUN=1, short watch
# times and the failing aws first on PATH); fills OUT, ERR and RC.
run() {
    set +e
    OUT="$(env -i PATH="$work/bin:/usr/bin:/bin" HOME="$work" DRY_RUN=1 \
        DEPLOY_WATCH_SECS=30 DEPLOY_POLL_SECS=15 "$@" 2>"$work/stderr")"
    RC=$?
    set -e
    ERR="$(cat "$work/stderr")"
}

# Records a failed expectation of the current case.
fail() {
    printf '  FAIL %s: %s\n' "$current" "$*"
    case_failed=1
    return 1
}

expect_rc() { [[ "$RC" == "$1" ]] || fail "exit status $RC, expected $1"; }
expect_out() { grep -qF -- "$1" <<<"$OUT" || fail "no call contains: $1"; }
expect_no_out() { ! grep -qF -- "$1" <<<"$OUT" || fail "a call contains: $1"; }
expect_err() { grep -qF -- "$1" <<<"$ERR" || fail "stderr lacks: $1"; }

# The listener weights set, in order, as "b<blue>/g<green>" words.
weights() {
    grep ' elbv2 modify-listener ' <<<"$OUT" \
        | sed -E 's#.*targetgroup/[a-z-]+-blue/[^"]*","Weight":([0-9]+).*targetgroup/[a-z-]+-green/[^"]*","Weight":([0-9]+).*#b\1/g\2#' \
        | paste -sd' ' -
}
expect_weights() {
    local got
    got="$(weights)"
    [[ "$got" == "$1" ]] || fail "weights \"$got\", expected \"$1\""
}

# Line number of the first call containing $1 (0 when none).
line_of() { grep -nF -- "$1" <<<"$OUT" | head -n1 | cut -d: -f1 || true; }
expect_order() {
    local previous=0 line pattern
    for pattern in "$@"; do
        line="$(line_of "$pattern")"
        [[ -n "$line" ]] || fail "no call contains: $pattern"
        ((line > previous)) || fail "\"$pattern\" comes before an earlier step"
        previous="$line"
    done
}

count_of() { grep -cF -- "$1" <<<"$OUT" || true; }

expect_aws_never_run() { [[ ! -e "$work/aws-was-run" ]] || fail "the real aws was run: $(cat "$work/aws-was-run")"; }

# Runs one case: every expectation in it is checked (set -e is off inside),
# and the last run's output is shown when any failed.
test_case() {
    current="$1"
    case_failed=0
    "$1" || true
    if ((case_failed == 0)); then
        passed=$((passed + 1))
        printf '  ok   %s\n' "$1"
    else
        failed=$((failed + 1))
        printf '    stdout:\n      %s\n    stderr:\n      %s\n' "${OUT//$'\n'/$'\n'      }" "${ERR//$'\n'/$'\n'      }"
    fi
}

deploy_from_blue_releases_on_green_in_three_steps() {
    run scripts/deploy.sh "$IMAGE"
    expect_rc 0
    expect_weights "b90/g10 b50/g50 b0/g100"
    expect_out "ssm put-parameter --name /vinovoyant-prod/image/green --type String --overwrite --value $IMAGE"
    expect_no_out "/vinovoyant-prod/image/blue"
    expect_out "update-auto-scaling-group --auto-scaling-group-name vinovoyant-prod-green --desired-capacity 2"
    expect_order \
        "describe-alarms --alarm-names vinovoyant-prod-blue-5xx-rate" \
        "ssm put-parameter" \
        "start-instance-refresh --auto-scaling-group-name vinovoyant-prod-green" \
        "describe-instance-refreshes --auto-scaling-group-name vinovoyant-prod-green" \
        "describe-target-health --target-group-arn arn:aws:elasticloadbalancing:eu-north-1:000000000000:targetgroup/vinovoyant-prod-green/" \
        "elbv2 modify-listener"
    # Two alarm checks (30 s watch, 15 s polls) after each of the three steps.
    [[ "$(count_of "describe-alarms --alarm-names vinovoyant-prod-green-5xx-rate vinovoyant-prod-green-unhealthy-hosts vinovoyant-prod-alb-5xx-rate vinovoyant-prod-prediction-latency-p95 --state-value ALARM")" == 6 ]] \
        || fail "expected 6 alarm checks on green"
    expect_err "released $IMAGE: green serves all traffic"
    expect_aws_never_run
}

deploy_from_green_releases_on_blue() {
    run DRY_RUN_ACTIVE=green scripts/deploy.sh "$IMAGE"
    expect_rc 0
    expect_weights "b10/g90 b50/g50 b100/g0"
    expect_out "ssm put-parameter --name /vinovoyant-prod/image/blue "
    expect_no_out "/vinovoyant-prod/image/green"
    expect_out "start-instance-refresh --auto-scaling-group-name vinovoyant-prod-blue "
    expect_out "describe-auto-scaling-groups --auto-scaling-group-names vinovoyant-prod-green "
    expect_aws_never_run
}

alarm_at_fifty_percent_rolls_back() {
    run DRY_RUN_ALARM_AT=50 scripts/deploy.sh "$IMAGE"
    expect_rc 3
    expect_weights "b90/g10 b50/g50 b100/g0"
    expect_err "alarm: vinovoyant-prod-green-5xx-rate"
    expect_err "rolled back; blue serves all traffic again"
    # Two checks at 10 %; the first check at 50 % fires, so there is no second.
    [[ "$(count_of "describe-alarms --alarm-names vinovoyant-prod-green-5xx-rate")" == 3 ]] \
        || fail "expected 2 alarm checks at 10 % and 1 at 50 %"
}

alarm_at_ten_percent_rolls_back_at_once() {
    run DRY_RUN_ALARM_AT=10 scripts/deploy.sh "$IMAGE"
    expect_rc 3
    expect_weights "b90/g10 b100/g0"
}

alarm_already_firing_stops_before_any_change() {
    run DRY_RUN_ALARM_AT=0 scripts/deploy.sh "$IMAGE"
    expect_rc 1
    expect_err "alarms already firing"
    expect_no_out "put-parameter"
    expect_no_out "start-instance-refresh"
    expect_no_out "modify-listener"
}

failed_instance_refresh_moves_no_traffic() {
    run DRY_RUN_REFRESH_STATUS=Failed scripts/deploy.sh "$IMAGE"
    expect_rc 1
    expect_err "instance refresh of vinovoyant-prod-green ended Failed"
    expect_no_out "modify-listener"
}

unhealthy_new_colour_moves_no_traffic() {
    run DRY_RUN_UNHEALTHY=green DEPLOY_HEALTH_TIMEOUT_SECS=0 scripts/deploy.sh "$IMAGE"
    expect_rc 1
    expect_err "green has no 2 healthy targets"
    expect_no_out "modify-listener"
}

stack_name_and_region_reach_every_call() {
    run DEPLOY_NAME=vinovoyant-staging AWS_REGION=eu-west-1 scripts/deploy.sh "$IMAGE"
    expect_rc 0
    [[ "$(grep -c . <<<"$OUT")" == "$(count_of "aws --region eu-west-1 ")" ]] \
        || fail "a call without --region eu-west-1"
    expect_out "describe-load-balancers --names vinovoyant-staging "
    expect_out "/vinovoyant-staging/image/green"
    expect_no_out "vinovoyant-prod-"
    expect_no_out "/vinovoyant-prod/"
    expect_weights "b90/g10 b50/g50 b0/g100"
}

custom_steps_are_followed() {
    run DEPLOY_STEPS="25 100" scripts/deploy.sh "$IMAGE"
    expect_rc 0
    expect_weights "b75/g25 b0/g100"
}

bad_arguments_are_refused() {
    run scripts/deploy.sh
    expect_rc 2
    run scripts/deploy.sh "not an image"
    expect_rc 1
    expect_err "not an image URI"
    run DEPLOY_STEPS="10 50" scripts/deploy.sh "$IMAGE"
    expect_rc 1
    expect_err "must end at 100"
    expect_no_out "aws "
}

rollback_sends_all_traffic_to_the_previous_colour() {
    run DRY_RUN_ACTIVE=green scripts/rollback.sh
    expect_rc 0
    expect_weights "b100/g0"
    expect_order \
        "describe-target-health --target-group-arn arn:aws:elasticloadbalancing:eu-north-1:000000000000:targetgroup/vinovoyant-prod-blue/" \
        "ssm get-parameter --name /vinovoyant-prod/image/blue" \
        "elbv2 modify-listener"
    expect_err "rolled back: blue"
    expect_aws_never_run
}

rollback_refuses_an_unhealthy_colour_unless_forced() {
    run DRY_RUN_ACTIVE=green DRY_RUN_UNHEALTHY=blue scripts/rollback.sh
    expect_rc 1
    expect_err "blue has no healthy targets"
    expect_no_out "modify-listener"
    run DRY_RUN_ACTIVE=green DRY_RUN_UNHEALTHY=blue scripts/rollback.sh --force
    expect_rc 0
    expect_weights "b100/g0"
}

rollback_to_the_live_colour_is_refused() {
    run scripts/rollback.sh --to blue
    expect_rc 1
    expect_err "blue already serves all traffic"
    expect_no_out "modify-listener"
    run scripts/rollback.sh --to green
    expect_rc 0
    expect_weights "b0/g100"
}

printf 'deploy and rollback dry-run tests\n'
test_case deploy_from_blue_releases_on_green_in_three_steps
test_case deploy_from_green_releases_on_blue
test_case alarm_at_fifty_percent_rolls_back
test_case alarm_at_ten_percent_rolls_back_at_once
test_case alarm_already_firing_stops_before_any_change
test_case failed_instance_refresh_moves_no_traffic
test_case unhealthy_new_colour_moves_no_traffic
test_case stack_name_and_region_reach_every_call
test_case custom_steps_are_followed
test_case bad_arguments_are_refused
test_case rollback_sends_all_traffic_to_the_previous_colour
test_case rollback_refuses_an_unhealthy_colour_unless_forced
test_case rollback_to_the_live_colour_is_refused
printf '%d passed, %d failed\n' "$passed" "$failed"
((failed == 0))
