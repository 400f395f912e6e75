#!/usr/bin/env bash
# Build the Debian package dist/s3desk_VERSION_ARCH.deb from the PyInstaller folder.
#
#   packaging/linux/build-deb.sh [--no-build]
#
# Builds dist/s3desk/ with packaging/s3desk.spec first (unless --no-build), then lays out:
#   /opt/s3desk/                          the program folder (s3desk, _internal/)
#   /usr/bin/s3desk                       -> /opt/s3desk/s3desk
#   /usr/share/applications/s3desk.desktop
#   /usr/share/icons/hicolor/{scalable,16x16,...,512x512}/apps/s3desk.{svg,png}
#   /usr/share/doc/s3desk/copyright
# The system libraries it needs (X11/xcb, xkbcommon, Wayland, fonts, GL/EGL, glib, OpenSSL,
# the C++ runtime) are Depends, as dpkg-shlibdeps finds them in every ELF file, plus
# libdbus-1-3, which Qt loads at run time. Environment: PY (the Python with PyInstaller,
# default .venv/bin/python), DEB_MAINTAINER (the Maintainer field), DEB_ZSTD_LEVEL (default
# 19: 37 MB in about a minute; 9 takes seconds and makes 42 MB).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
PY=${PY:-.venv/bin/python}
MAINTAINER=${DEB_MAINTAINER:-s3desk maintainers <maintainers@s3desk.invalid>}

for tool in dpkg-deb dpkg-shlibdeps zstd; do
  command -v "$tool" >/dev/null || {
    echo "build-deb: $tool is missing (Debian packages: dpkg-dev zstd)" >&2
    exit 2
  }
done

if [ "${1:-}" != "--no-build" ]; then
  "$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/s3desk.spec
fi
[ -x dist/s3desk/s3desk ] || { echo "build-deb: dist/s3desk/s3desk is missing" >&2; exit 2; }

version=$("$PY" packaging/version.py)
arch=$(dpkg --print-architecture)
stage=build/deb/s3desk
deb=dist/s3desk_${version}_${arch}.deb
rm -rf "$stage" "$deb"
mkdir -p "$stage/DEBIAN" "$stage/opt" "$stage/usr/bin" "$stage/usr/share/applications" \
  "$stage/usr/share/doc/s3desk"

cp -a dist/s3desk "$stage/opt/s3desk"
ln -s /opt/s3desk/s3desk "$stage/usr/bin/s3desk"
install -m 644 resources/s3desk.desktop "$stage/usr/share/applications/s3desk.desktop"
hicolor=$stage/usr/share/icons/hicolor
install -D -m 644 resources/s3desk.svg "$hicolor/scalable/apps/s3desk.svg"
for size in 16 22 24 32 48 64 128 256 512; do
  install -D -m 644 "build/icons/png/s3desk-$size.png" "$hicolor/${size}x${size}/apps/s3desk.png"
done
cat > "$stage/usr/share/doc/s3desk/copyright" <<'EOF'
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: s3desk
Comment: /opt/s3desk holds s3desk with the libraries it runs on, each under its own
 licence: Python (PSF License), Qt and PySide6 (LGPL-3.0), boto3, botocore and s3transfer
 (Apache-2.0), keyring, jeepney, SecretStorage, platformdirs, qasync (MIT/BSD), cryptography
 (Apache-2.0 or BSD-3-Clause), ICU (Unicode License). Their licence files are in
 /opt/s3desk/_internal where the wheels ship them.

Files: *
License: MIT
EOF

# Everything in the program folder: no group or world write, executables executable.
find "$stage" -type d -exec chmod 755 {} +
find "$stage/opt/s3desk" -type f -exec chmod go-w {} +

# Depends: dpkg-shlibdeps over every ELF file, with the bundle's own folders searched first
# (their libraries belong to no package and need no dependency).
mapfile -t elves < <(find "$stage/opt/s3desk" -type f -exec sh -c \
  'for f; do [ "$(head -c 4 "$f")" = "$(printf "\177ELF")" ] && echo "$f"; done' _ {} +)
printf 'Source: s3desk\n\nPackage: s3desk\nArchitecture: any\n' > "$stage/DEBIAN/control"
mkdir -p build/deb/debian && cp "$stage/DEBIAN/control" build/deb/debian/control
shlibs=$(cd build/deb && dpkg-shlibdeps -O --ignore-missing-info \
  -l"$root/$stage/opt/s3desk/_internal" -l"$root/$stage/opt/s3desk/_internal/PySide6/Qt/lib" \
  "${elves[@]/#/-e$root/}" 2>"$root/build/deb/shlibdeps.log") || {
  cat build/deb/shlibdeps.log >&2
  exit 1
}
depends=${shlibs#shlibs:Depends=}
# QtDBus loads libdbus-1 at run time (desktop portal, tray icon, input methods).
[[ $depends == *libdbus-1-3* ]] || depends="$depends, libdbus-1-3"
# Two libraries have no symbols file, only a shlibs file that asks for Debian 12's version of
# every user: libx11-xcb1 >= 1.8.4 (Qt calls its one function, there since 2006) and
# libzstd1 >= 1.5.2 (Qt calls ZSTD_decompress, ZSTD_getFrameContentSize, ZSTD_isError and
# ZSTD_getErrorName, all in 1.3). Ubuntu 22.04 has 1.7.5 and 1.4.8: ask for any version.
depends=$(sed -E 's/(libx11-xcb1|libzstd1) \([^)]*\)/\1/g' <<<"$depends")
installed_size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)

cat > "$stage/DEBIAN/control" <<EOF
Package: s3desk
Version: $version
Architecture: $arch
Maintainer: $MAINTAINER
Installed-Size: $installed_size
Depends: $depends
Recommends: gnome-keyring | kwalletmanager
Section: net
Priority: optional
Description: upload files to Amazon S3 and S3-compatible storage
 s3desk is a desktop app for putting files into Amazon S3 and S3-compatible
 storage (Cloudflare R2, Backblaze B2, Wasabi, MinIO, Ceph ...): drop files and
 folders on the window and they upload in the background, resuming after a crash.
 It browses, downloads, shares and deletes too, and runs headless as
 "s3desk upload" for scripts. Secrets are kept in the desktop's keyring (GNOME
 Keyring or KWallet). "s3desk --self-test" checks an installation.
EOF
(cd "$stage" && find . -type f ! -path './DEBIAN/*' -printf '%P\0' | sort -z \
  | xargs -0 md5sum) > "$stage/DEBIAN/md5sums"
chmod 644 "$stage/DEBIAN/control" "$stage/DEBIAN/md5sums"

dpkg-deb --root-owner-group -Zzstd -z"${DEB_ZSTD_LEVEL:-19}" --build "$stage" "$deb" >/dev/null
echo "built $deb ($(du -h "$deb" | cut -f1), installed $((installed_size / 1024)) MB)"
echo "Depends: $depends"
