#!/usr/bin/env bash
# Run CMD against a real but throwaway OS keyring: a private D-Bus session with gnome-keyring's
# Secret Service, unlocked with a random password, under a temporary HOME. The user's own
# keyring is never touched. Exits with CMD's exit code.
#
#   tools/with-keyring.sh CMD [ARGS...]
set -euo pipefail

if [ $# -eq 0 ]; then
  echo "usage: $0 CMD [ARGS...]" >&2
  exit 2
fi
for tool in dbus-run-session dbus-send gnome-keyring-daemon; do
  if ! command -v "$tool" >/dev/null; then
    echo "$tool is missing (Debian packages: dbus gnome-keyring; make system-deps)" >&2
    exit 2
  fi
done

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export HOME="$scratch/home"
export XDG_DATA_HOME="$HOME/.local/share" XDG_CONFIG_HOME="$HOME/.config"
export XDG_CACHE_HOME="$HOME/.cache"
# gnome-keyring keeps its control socket here; a private one keeps it away from a running
# desktop's daemon.
export XDG_RUNTIME_DIR="$scratch/run"
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$HOME" "$XDG_RUNTIME_DIR"
# No display: an unlock prompt fails at once instead of waiting for a person to answer it.
unset DISPLAY WAYLAND_DISPLAY GNOME_KEYRING_CONTROL PYTHON_KEYRING_BACKEND
export S3DESK_REAL_KEYRING=1
# Tests lock the keyring and unlock it again with this.
S3DESK_TEST_KEYRING_PASSWORD=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
export S3DESK_TEST_KEYRING_PASSWORD

rc=0
# As at a desktop login: --unlock reads the password from stdin and creates the "login"
# keyring (the default collection) with it, but the daemon only claims the Secret Service
# name on D-Bus once --start has completed its initialization (it returns when done).
# The bus and keyring daemons' chatter goes to a log, shown only if something failed; CMD
# keeps the real stderr (fd 3).
dbus-run-session -- sh -c '
  fail() { echo "with-keyring: $1" >&2; exit 125; }
  printf %s "$S3DESK_TEST_KEYRING_PASSWORD" \
    | gnome-keyring-daemon --daemonize --unlock --components=secrets >/dev/null \
    || fail "gnome-keyring-daemon did not start"
  gnome-keyring-daemon --start --components=secrets >/dev/null \
    || fail "gnome-keyring-daemon did not initialize"
  daemon=$(dbus-send --session --print-reply=literal --dest=org.freedesktop.DBus \
    /org/freedesktop/DBus org.freedesktop.DBus.GetConnectionUnixProcessID \
    string:org.freedesktop.secrets | awk "{print \$2}")
  [ -n "$daemon" ] || fail "gnome-keyring is not serving the Secret Service on D-Bus"
  rc=0
  "$@" 2>&3 || rc=$?
  # Stop the daemon before its folder is removed.
  kill "$daemon" 2>/dev/null && timeout 10 tail --pid="$daemon" -s 0.1 -f /dev/null
  exit "$rc"
' with-keyring "$@" 3>&2 2>"$scratch/session.log" || rc=$?
if [ "$rc" -ne 0 ] && [ -s "$scratch/session.log" ]; then
  echo "--- D-Bus session log (dbus-daemon, gnome-keyring) ---" >&2
  cat "$scratch/session.log" >&2
fi
exit "$rc"
