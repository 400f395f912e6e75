#!/usr/bin/env bash
# Install the Debian packages that building and checking the installers needs, if missing.
#
#   tools/package-deps.sh linux     dpkg-shlibdeps, zstd; xdotool and desktop-file-validate
#                                   for the installed package's tests
#   tools/package-deps.sh windows   makensis (NSIS), wixl and msiinfo for the Windows check
set -euo pipefail
case "${1:-}" in
  linux) exec "$(dirname "$0")/apt-missing.sh" --required dpkg-dev binutils zstd xdotool desktop-file-utils ;;
  windows) exec "$(dirname "$0")/apt-missing.sh" --required nsis wixl msitools ;;
  *) echo "usage: $0 linux|windows" >&2; exit 2 ;;
esac
