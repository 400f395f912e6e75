#!/usr/bin/env bash
# Install the Debian packages s3desk's tests and screenshots need, if any are missing.
set -euo pipefail
exec "$(dirname "$0")/apt-missing.sh" \
  libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 \
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xkb1 libxcb-randr0 \
  libxcb-render-util0 libxcb-image0 \
  xvfb xauth x11-apps imagemagick fonts-dejavu-core \
  dbus dbus-x11 gnome-keyring
