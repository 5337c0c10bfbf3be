#!/usr/bin/env bash
# Builds the macOS installer package of Kiln from the self-contained image (packaging/build-image.sh):
# the image in /opt/kiln, `kiln` on PATH (/usr/local/bin), the LaunchDaemons for the burn-in and for
# delivery (installed disabled), bash completion and the kiln(1) man page generated from the commands
# themselves, and an uninstall script (/opt/kiln/uninstall.sh). The postinstall script makes the
# state directory (/Library/Application Support/Kiln) and the station key; an upgrade keeps both and
# starts again the daemons that were running.
# Usage: packaging/build-pkg.sh [output directory, default dist/]
#        (macOS on Apple Silicon; needs pkgbuild and productbuild, part of the Xcode command line tools)
# Signing: KILN_PKG_SIGN="Developer ID Installer: …" signs the product (productbuild --sign).
# Not built on the Linux CI machines: its plists and scripts are linted there (MacPackageLintTest).
set -euo pipefail
KILN_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$(mkdir -p "${1:-$KILN_HOME/dist}" && cd "${1:-$KILN_HOME/dist}" && pwd)"
[ "$(uname -s)" = Darwin ] || { echo "build-pkg: builds on macOS only (jlink makes an image for the OS it runs on)" >&2; exit 69; }
for tool in pkgbuild productbuild; do
  command -v "$tool" >/dev/null || { echo "build-pkg: needs $tool (xcode-select --install)" >&2; exit 69; }
done
TARBALL=$(bash "$KILN_HOME/packaging/build-image.sh" "$OUT" | tail -n 1)
IMAGE="${TARBALL%.tar.gz}"
NAME=$(basename "$IMAGE")                       # kiln-VERSION-darwin-arm64
VERSION=${NAME#kiln-}
VERSION=${VERSION%-darwin-*}
PKG_VERSION=${VERSION%-SNAPSHOT}
ROOT="$OUT/pkg-root"
WORK="$OUT/pkg-work"
rm -rf "$ROOT" "$WORK"
mkdir -p "$ROOT/opt" "$ROOT/usr/local/bin" "$ROOT/usr/local/share/man/man1" "$ROOT/usr/local/etc/bash_completion.d" \
  "$ROOT/Library/LaunchDaemons" "$WORK"
cp -a "$IMAGE" "$ROOT/opt/kiln"
rm -f "$ROOT/opt/kiln/kiln-burnin.service" "$ROOT/opt/kiln/kiln-upload.service" # Linux only
mv "$ROOT/opt/kiln/dev.kiln.burnin.plist" "$ROOT/Library/LaunchDaemons/"
cp "$KILN_HOME/packaging/macos/dev.kiln.upload.plist" "$ROOT/Library/LaunchDaemons/"
cp "$KILN_HOME/packaging/macos/uninstall.sh" "$ROOT/opt/kiln/uninstall.sh"
chmod 0755 "$ROOT/opt/kiln/uninstall.sh"
mkdir -p "$ROOT/opt/kiln/docs"
cp "$KILN_HOME"/docs/*.md "$ROOT/opt/kiln/docs/"
ln -s /opt/kiln/kiln "$ROOT/usr/local/bin/kiln"
"$IMAGE/kiln" generate-completion > "$ROOT/usr/local/etc/bash_completion.d/kiln"
"$IMAGE/kiln" generate-manpage > "$ROOT/usr/local/share/man/man1/kiln.1"
# the image's runtime and native libraries are signed with the identity the factory uses, when given:
# libraries first, then the executables with the hardened runtime and the JVM's entitlements
# (packaging/macos/kiln.entitlements: JIT, unsigned executable memory, other teams' libraries, the
# libjsig preload). Re-signing without them drops what Temurin's own signature granted, and the JVM
# does not start. Shell scripts are not Mach-O and are left as they are.
if [ -n "${KILN_CODESIGN:-}" ]; then
  ENTITLEMENTS="$KILN_HOME/packaging/macos/kiln.entitlements"
  find "$ROOT/opt/kiln" -type f \( -name '*.dylib' -o -name '*.jnilib' \) -exec codesign --force --options runtime --timestamp \
    --sign "$KILN_CODESIGN" {} \;
  find "$ROOT/opt/kiln" -type f -perm -u+x ! -name '*.dylib' ! -name '*.jnilib' -print | while IFS= read -r f; do
    if file -b "$f" | grep -q 'Mach-O'; then
      codesign --force --options runtime --timestamp --entitlements "$ENTITLEMENTS" --sign "$KILN_CODESIGN" "$f"
    fi
  done
  codesign --verify --strict "$ROOT/opt/kiln/bin/java"
fi
pkgbuild --root "$ROOT" --identifier dev.kiln.agent --version "$PKG_VERSION" --install-location / \
  --scripts "$KILN_HOME/packaging/macos/scripts" "$WORK/kiln-component.pkg" >&2
sed "s/VERSION/$PKG_VERSION/" "$KILN_HOME/packaging/macos/distribution.xml" > "$WORK/distribution.xml"
PKG="$OUT/kiln-$VERSION-darwin-$(uname -m).pkg"
if [ -n "${KILN_PKG_SIGN:-}" ]; then
  productbuild --distribution "$WORK/distribution.xml" --package-path "$WORK" --sign "$KILN_PKG_SIGN" "$PKG" >&2
else
  productbuild --distribution "$WORK/distribution.xml" --package-path "$WORK" "$PKG" >&2
fi
rm -rf "$ROOT" "$WORK"
echo "$PKG"
