#!/usr/bin/env bash
# Build s3desk's MSI from a Windows PyInstaller folder, with msitools' wixl (runs on Linux).
#
#   packaging/windows/build-msi.sh SOURCE_DIR OUT.msi [VERSION]
#
# SOURCE_DIR holds s3desk.exe, s3desk-cli.exe and _internal\ (dist/s3desk from a Windows
# build of packaging/s3desk.spec). VERSION defaults to s3desk.__version__. The icon comes from
# build/icons (packaging/render_icons.py). Paths are relative to the repository's root.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PY:-.venv/bin/python}
source_dir=${1:?usage: build-msi.sh SOURCE_DIR OUT.msi [VERSION]}
out=${2:?usage: build-msi.sh SOURCE_DIR OUT.msi [VERSION]}
version=${3:-$("$PY" packaging/version.py)}
source_dir=${source_dir%/}
case "$source_dir" in /*) echo "build-msi: SOURCE_DIR must be relative to the repository" >&2; exit 2 ;; esac
for exe in s3desk.exe s3desk-cli.exe; do
  [ -f "$source_dir/$exe" ] || { echo "build-msi: $source_dir/$exe is missing" >&2; exit 2; }
done
[ -f build/icons/s3desk.ico ] || "$PY" packaging/render_icons.py build/icons >/dev/null

mkdir -p build/msi "$(dirname "$out")"
# Windows Installer versions are three numbers, each at most 255.65535.65535.
msi_version=$("$PY" -c 'import sys; sys.path.insert(0, "packaging"); from version import numeric
print(".".join(map(str, numeric(sys.argv[1])[:3])))' "$version")
(cd "$source_dir" && find . -type f | sed 's#^\./##' | LC_ALL=C sort) \
  | sed "s#^#$source_dir/#" \
  | wixl-heat --prefix "$source_dir/" --component-group Payload --var var.SourceDir \
      --directory-ref INSTALLDIR --win64 > build/msi/payload.wxs
wixl -a x64 -D Version="$msi_version" -D SourceDir="$source_dir" -D Win64=yes \
  -D IconFile=build/icons/s3desk.ico \
  packaging/windows/s3desk.wxs build/msi/payload.wxs -o "$out"
echo "built $out"
