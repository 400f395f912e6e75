#!/usr/bin/env bash
# Compile the Windows installers' sources here, against a placeholder program folder: the NSIS
# script with makensis (warnings are errors), the MSI with wixl, and the executables' version
# resource with PyInstaller's own code. Catches syntax errors, missing files and broken
# defines; running the installers needs Windows (.github/workflows/release.yml).
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PY:-.venv/bin/python}
work=build/windows-check
payload=$work/s3desk
rm -rf "$work"
mkdir -p "$payload/_internal/PySide6/Qt/plugins/platforms"
for file in s3desk.exe s3desk-cli.exe _internal/python311.dll _internal/base_library.zip \
  _internal/PySide6/Qt6Core.dll _internal/PySide6/Qt/plugins/platforms/qwindows.dll; do
  printf 'placeholder for %s\n' "$file" > "$payload/$file"
done
[ -f build/icons/s3desk.ico ] || "$PY" packaging/render_icons.py build/icons >/dev/null

version=$("$PY" packaging/version.py)
version4=$("$PY" packaging/version.py --numeric)

echo "== NSIS: packaging/windows/s3desk.nsi"
(cd packaging/windows && makensis -V2 -WX -DVERSION="$version" -DVERSION4="$version4" \
  -DSOURCE_DIR="../../$payload" -DICON=../../build/icons/s3desk.ico \
  -DOUTFILE="../../$work/s3desk-$version-setup.exe" s3desk.nsi)
head -c 2 "$work/s3desk-$version-setup.exe" | grep -q MZ || { echo "not a Windows program" >&2; exit 1; }
echo "ok: $work/s3desk-$version-setup.exe ($(du -h "$work/s3desk-$version-setup.exe" | cut -f1))"

echo "== MSI: packaging/windows/s3desk.wxs"
PY=$PY packaging/windows/build-msi.sh "$payload" "$work/s3desk-$version.msi" >/dev/null
if command -v msiinfo >/dev/null; then
  files=$(msiinfo export "$work/s3desk-$version.msi" File | tail -n +4 | wc -l)
  [ "$files" -eq 6 ] || { echo "the MSI holds $files files, not 6" >&2; exit 1; }
  # Tables read whole first: with pipefail, "msiinfo … | grep -q" fails whenever grep has
  # found its line and left before msiinfo finished writing (SIGPIPE).
  shortcuts=$(msiinfo export "$work/s3desk-$version.msi" Shortcut)
  grep -q '\[INSTALLDIR\]s3desk.exe' <<<"$shortcuts" \
    || { echo "the MSI has no Start menu entry for s3desk.exe" >&2; exit 1; }
  properties=$(msiinfo export "$work/s3desk-$version.msi" Property)
  grep -q "^ProductVersion	$version4" <<<"$properties" \
    || grep -q "^ProductVersion	${version4%.*}" <<<"$properties" \
    || { echo "the MSI's ProductVersion is not $version" >&2; exit 1; }
fi
echo "ok: $work/s3desk-$version.msi"

echo "== version resource: packaging/windows/version_info.py"
"$PY" - "$version" <<'PYEOF'
import sys

sys.path[:0] = ["packaging", "packaging/windows"]
import PyInstaller.compat

# versioninfo imports pywin32's win32api, which exists on Windows only and is used there to
# write the resource into the .exe; building and serialising the structure needs none of it.
if not hasattr(PyInstaller.compat, "win32api"):
    PyInstaller.compat.win32api = None
from version import numeric
from version_info import windows_version_info

info = windows_version_info(sys.argv[1], numeric(sys.argv[1]), "s3desk.exe")
raw = info.toRaw()
assert f"ProductVersion', '{sys.argv[1]}'" in str(info), str(info)
print(f"ok: {len(raw)} bytes, FileVersion {'.'.join(map(str, numeric(sys.argv[1])))}")
PYEOF
