#!/usr/bin/env bash
# Creates bench/.venv-peers with the AWS CLI (v1), kept apart from the project's venv because
# awscli pins its own botocore. Safe to run again: it only installs what is missing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/.venv-peers"
python="${PYTHON:-python3}"
export PIP_DISABLE_PIP_VERSION_CHECK=1

if [[ ! -x "$venv/bin/python" ]]; then
    "$python" -m venv "$venv"
fi
if [[ ! -x "$venv/bin/aws" ]]; then
    "$venv/bin/python" -m pip install --quiet awscli
fi
"$venv/bin/aws" --version
