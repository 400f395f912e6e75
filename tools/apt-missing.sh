#!/usr/bin/env bash
# Install those of the given Debian packages that are missing.
#
#   tools/apt-missing.sh [--required] PACKAGE...
#
# As root, installs them with apt-get. Otherwise names them; with --required that is an
# error (exit 1), without it a note (the tests that need them say so themselves).
set -euo pipefail
required=0
if [ "${1:-}" = "--required" ]; then required=1; shift; fi
missing=()
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing Debian packages (install them as root): ${missing[*]}" >&2
  exit "$required"
fi
echo "Installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
