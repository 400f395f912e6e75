#!/usr/bin/env bash
# Install the Debian packages that building and checking the installers needs, if missing.
#
#   tools/package-deps.sh linux     dpkg-shlibdeps, zstd; xdotool and desktop-file-validate
#                                   for the installed package's tests
#   tools/package-deps.sh windows   makensis (NSIS), wixl and msiinfo for the Windows check
set -euo pipefail
case "${1:-}" in
  linux) packages=(dpkg-dev binutils zstd xdotool desktop-file-utils) ;;
  windows) packages=(nsis wixl msitools) ;;
  *) echo "usage: $0 linux|windows" >&2; exit 2 ;;
esac
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing Debian packages (install them as root): ${missing[*]}" >&2
  exit 1
fi
echo "Installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
