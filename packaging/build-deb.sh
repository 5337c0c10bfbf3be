#!/usr/bin/env bash
# Builds a Debian package of Kiln from the self-contained image (packaging/build-image.sh): the image
# under /opt/kiln, `kiln` on PATH, the systemd units, bash completion and the kiln(1) man page (both
# generated from the commands themselves), and /var/lib/kiln made at install and kept at removal.
# Usage: packaging/build-deb.sh [output directory, default dist/]   (Linux; needs dpkg-deb)
set -euo pipefail
KILN_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$(mkdir -p "${1:-$KILN_HOME/dist}" && cd "${1:-$KILN_HOME/dist}" && pwd)"
command -v dpkg-deb >/dev/null || { echo "build-deb: needs dpkg-deb (Debian's dpkg)" >&2; exit 69; }
TARBALL=$(bash "$KILN_HOME/packaging/build-image.sh" "$OUT" | tail -n 1)
IMAGE="${TARBALL%.tar.gz}"
NAME=$(basename "$IMAGE")                       # kiln-VERSION-linux-x86_64
VERSION=${NAME#kiln-}
VERSION=${VERSION%-linux-*}
DEB_VERSION=${VERSION/-SNAPSHOT/~snapshot}
case "$(uname -m)" in
  x86_64) ARCH=amd64 ;;
  aarch64 | arm64) ARCH=arm64 ;;
  *) ARCH=$(uname -m) ;;
esac
ROOT="$OUT/deb-root"
rm -rf "$ROOT"
mkdir -p "$ROOT/DEBIAN" "$ROOT/opt" "$ROOT/usr/bin" "$ROOT/lib/systemd/system" "$ROOT/usr/share/bash-completion/completions" \
  "$ROOT/usr/share/man/man1" "$ROOT/usr/share/doc/kiln"
cp -a "$IMAGE" "$ROOT/opt/kiln"
ln -s /opt/kiln/kiln "$ROOT/usr/bin/kiln"
mv "$ROOT/opt/kiln/kiln-burnin.service" "$ROOT/opt/kiln/kiln-upload.service" "$ROOT/lib/systemd/system/"
rm -f "$ROOT/opt/kiln/dev.kiln.burnin.plist" # macOS only
mkdir -p "$ROOT/opt/kiln/docs"
cp "$KILN_HOME"/docs/*.md "$ROOT/opt/kiln/docs/"
"$IMAGE/kiln" generate-completion > "$ROOT/usr/share/bash-completion/completions/kiln"
"$IMAGE/kiln" generate-manpage | gzip -9n > "$ROOT/usr/share/man/man1/kiln.1.gz"
cp "$KILN_HOME/README.md" "$ROOT/usr/share/doc/kiln/"
SIZE=$(du -sk "$ROOT" | cut -f1)
cat > "$ROOT/DEBIAN/control" <<CONTROL
Package: kiln
Version: $DEB_VERSION
Architecture: $ARCH
Maintainer: Kiln <kiln@example.invalid>
Installed-Size: $SIZE
Depends: libc6
Section: admin
Priority: optional
Homepage: https://example.invalid/kiln
Description: burn-in and diagnostics agent
 Runs self-checking CPU, memory, GPU and Neural Engine stress suites with a
 thermal judge, decides a verdict and delivers a signed result bundle to the
 factory's acceptance service. Self-contained: brings its own Java runtime.
CONTROL
# The state directory is made at install and kept at removal and purge: it holds the station key and
# every result not yet delivered, which a package manager must never delete.
cat > "$ROOT/DEBIAN/postinst" <<'POSTINST'
#!/bin/sh
set -e
if [ "$1" = "configure" ]; then
  mkdir -p /var/lib/kiln
  chmod 0750 /var/lib/kiln
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    systemctl daemon-reload || true
  fi
fi
exit 0
POSTINST
cat > "$ROOT/DEBIAN/prerm" <<'PRERM'
#!/bin/sh
set -e
if [ "$1" = "remove" ] && command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  systemctl stop kiln-burnin.service kiln-upload.service 2>/dev/null || true
  systemctl disable kiln-burnin.service kiln-upload.service 2>/dev/null || true
fi
exit 0
PRERM
cat > "$ROOT/DEBIAN/postrm" <<'POSTRM'
#!/bin/sh
set -e
# /var/lib/kiln stays, even on purge: the station key and undelivered results are the factory's.
if [ "$1" = "purge" ] && [ -d /var/lib/kiln ]; then
  echo "kiln: /var/lib/kiln kept (station key and results); remove it by hand if it is no longer needed" >&2
fi
exit 0
POSTRM
chmod 0755 "$ROOT/DEBIAN/postinst" "$ROOT/DEBIAN/prerm" "$ROOT/DEBIAN/postrm"
DEB="$OUT/kiln_${DEB_VERSION}_${ARCH}.deb"
dpkg-deb --root-owner-group -Zxz --build "$ROOT" "$DEB" >&2
rm -rf "$ROOT"
echo "$DEB"
