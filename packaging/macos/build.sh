#!/usr/bin/env bash
# Build s3desk for macOS: the .app from packaging/s3desk.spec, signed (hardened runtime,
# secure timestamp), notarized and stapled, inside a signed, notarized and stapled dmg.
#
#   packaging/macos/build.sh            -> dist/s3desk.app, dist/s3desk-VERSION.dmg
#
# Environment (all optional; without an identity the app is only ad-hoc signed, for testing):
#   PY                           Python with PyInstaller (default .venv/bin/python)
#   MACOS_SIGN_IDENTITY          "Developer ID Application: Example Org (TEAMID1234)"
#   MACOS_CERTIFICATE_P12        base64 of that certificate and its key (.p12), imported into
#   MACOS_CERTIFICATE_PASSWORD   a temporary keychain that is deleted afterwards (CI)
#   Notarization, with an App Store Connect API key (preferred) ...
#   APPLE_API_KEY_P8             the key's contents (-----BEGIN PRIVATE KEY----- ...)
#   APPLE_API_KEY_ID, APPLE_API_ISSUER
#   ... or with an Apple ID and an app-specific password:
#   APPLE_ID, APPLE_TEAM_ID, APPLE_APP_PASSWORD
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PY:-.venv/bin/python}
[ "$(uname -s)" = Darwin ] || { echo "build.sh: this needs macOS (codesign, hdiutil, xcrun)" >&2; exit 2; }

version=$("$PY" packaging/version.py)
app=dist/s3desk.app
dmg=dist/s3desk-$version.dmg
identity=${MACOS_SIGN_IDENTITY:-}
scratch=$(mktemp -d)
keychain=""
cleanup() {
  [ -n "$keychain" ] && security delete-keychain "$keychain" 2>/dev/null || true
  rm -rf "$scratch"
}
trap cleanup EXIT

# -- 1. the .app --------------------------------------------------------------------------
"$PY" -m PyInstaller --noconfirm --clean --distpath dist --workpath build/pyinstaller \
  packaging/s3desk.spec
plist=$app/Contents/Info.plist
[ "$(/usr/libexec/PlistBuddy -c 'Print :CFBundleShortVersionString' "$plist")" = "$version" ] \
  || { echo "build.sh: Info.plist does not say version $version" >&2; exit 1; }
[ "$(/usr/libexec/PlistBuddy -c 'Print :CFBundleIdentifier' "$plist")" = org.s3desk.s3desk ] \
  || { echo "build.sh: unexpected bundle identifier" >&2; exit 1; }
"$app/Contents/MacOS/s3desk" --self-test

# -- 2. signing ---------------------------------------------------------------------------
if [ -n "${MACOS_CERTIFICATE_P12:-}" ]; then
  keychain=$scratch/signing.keychain-db
  keychain_password=$(uuidgen)
  security create-keychain -p "$keychain_password" "$keychain"
  security set-keychain-settings -lut 3600 "$keychain"
  security unlock-keychain -p "$keychain_password" "$keychain"
  base64 --decode <<<"$MACOS_CERTIFICATE_P12" > "$scratch/cert.p12"
  security import "$scratch/cert.p12" -k "$keychain" -P "${MACOS_CERTIFICATE_PASSWORD:-}" \
    -T /usr/bin/codesign
  security set-key-partition-list -S apple-tool:,apple:,codesign: -s -k "$keychain_password" \
    "$keychain" >/dev/null
  # codesign finds identities in the search list: put the temporary keychain first.
  security list-keychains -d user -s "$keychain" $(security list-keychains -d user | tr -d '"')
fi

sign() {  # sign PATH...: Developer ID with hardened runtime, or ad hoc without an identity
  if [ -n "$identity" ]; then
    codesign --force --deep --options runtime --timestamp \
      --entitlements packaging/macos/entitlements.plist --sign "$identity" "$@"
  else
    codesign --force --deep --sign - "$@"
  fi
}
sign "$app"
codesign --verify --deep --strict --verbose=2 "$app"

# -- 3. notarization ----------------------------------------------------------------------
notary_args=()
if [ -n "${APPLE_API_KEY_P8:-}" ]; then
  printf '%s\n' "$APPLE_API_KEY_P8" > "$scratch/AuthKey.p8"
  notary_args=(--key "$scratch/AuthKey.p8" --key-id "${APPLE_API_KEY_ID:?}" --issuer "${APPLE_API_ISSUER:?}")
elif [ -n "${APPLE_ID:-}" ]; then
  notary_args=(--apple-id "$APPLE_ID" --team-id "${APPLE_TEAM_ID:?}" --password "${APPLE_APP_PASSWORD:?}")
fi

notarize() {  # notarize FILE: submit, wait for Apple's verdict, show its log if refused
  local out status id
  out=$(xcrun notarytool submit "$1" "${notary_args[@]}" --wait --timeout 1h --output-format json)
  status=$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1])["status"])' "$out")
  id=$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1])["id"])' "$out")
  echo "notarization of $1: $status (submission $id)"
  if [ "$status" != Accepted ]; then
    xcrun notarytool log "$id" "${notary_args[@]}" >&2 || true
    exit 1
  fi
}

can_notarize=false
[ -n "$identity" ] && [ ${#notary_args[@]} -gt 0 ] && can_notarize=true
if $can_notarize; then
  # The app itself first, so that it carries its ticket once copied out of the dmg.
  ditto -c -k --keepParent "$app" "$scratch/s3desk.zip"
  notarize "$scratch/s3desk.zip"
  xcrun stapler staple "$app"
  xcrun stapler validate "$app"
  spctl --assess --type execute --verbose=2 "$app"
else
  echo "build.sh: not notarized (needs MACOS_SIGN_IDENTITY and Apple credentials)" >&2
fi

# -- 4. the dmg ---------------------------------------------------------------------------
mkdir "$scratch/dmg"
cp -R "$app" "$scratch/dmg/"
ln -s /Applications "$scratch/dmg/Applications"
rm -f "$dmg"
hdiutil create -volname "s3desk $version" -srcfolder "$scratch/dmg" -fs HFS+ -format UDZO \
  -ov "$dmg"
if [ -n "$identity" ]; then
  codesign --force --timestamp --sign "$identity" "$dmg"
fi
if $can_notarize; then
  notarize "$dmg"
  xcrun stapler staple "$dmg"
  xcrun stapler validate "$dmg"
  spctl --assess --type open --context context:primary-signature --verbose=2 "$dmg"
fi
echo "built $dmg"
