#!/usr/bin/env bash
# Start the app; say clearly what to do when there is no screen to show it on.
set -euo pipefail
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
  if command -v xvfb-run >/dev/null; then
    echo "No display found: starting s3desk on a virtual screen (xvfb-run)." >&2
    exec xvfb-run -a -s "-screen 0 1280x800x24" "$@"
  fi
  echo "No display found (DISPLAY and WAYLAND_DISPLAY are unset). Run 'make run' in a desktop session." >&2
  exit 1
fi
exec "$@"
