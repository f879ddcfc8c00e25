#!/usr/bin/env bash
# Manual rollback of a blue-green release: sends all traffic to the other colour,
# which still runs the previous image (scripts/deploy.sh leaves it untouched).
#
#   scripts/rollback.sh [--dry-run] [--to blue|green] [--force]
#
# Without --to, traffic goes to the colour with the lower weight now: after a
# finished release that is the previous one; halfway through a release, the one
# that served before it. Refuses when that colour has no healthy target, unless
# --force. Takes seconds: no instance starts or stops.
#
# Settings: see scripts/deploy-lib.sh (DEPLOY_NAME, AWS_REGION, DRY_RUN).
# Exit status: 0 rolled back, 1 failed, 2 usage.
set -euo pipefail
exec 3>&1

# shellcheck source=scripts/deploy-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/deploy-lib.sh"

usage() {
    sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" >&2
    exit 2
}

to=""
force=0
while (($#)); do
    case "$1" in
        --dry-run) DRY_RUN=1 ;;
        --force) force=1 ;;
        --to)
            [[ "${2:-}" == "blue" || "${2:-}" == "green" ]] || usage
            to="$2"
            shift
            ;;
        -h | --help) usage ;;
        *) printf 'rollback.sh: unexpected argument %s\n' "$1" >&2 && usage ;;
    esac
    shift
done

resolve_stack
read_weights
if [[ -z "$to" ]]; then
    if ((WEIGHT[blue] < WEIGHT[green])); then to="blue"; else to="green"; fi
fi
from="$(other_colour "$to")"
log "now: blue ${WEIGHT[blue]} %, green ${WEIGHT[green]} %; rolling back to $to"
((WEIGHT[$to] < 100)) || die "$to already serves all traffic"

read -r healthy total <<<"$(target_health "$to")"
if ((healthy < 1)); then
    ((force == 1)) || die "$to has no healthy targets ($total registered); use --force to switch anyway"
    log "$to has no healthy targets; switching anyway (--force)"
fi
log "$to: $healthy of $total targets healthy"

image="$(aws_call ssm get-parameter --name "/$DEPLOY_NAME/image/$to" --query 'Parameter.Value' --output text)"
set_weight "$to" 100
log "rolled back: $to ($image) serves all traffic; $from is idle"
