#!/bin/sh
# Removes Kiln installed by its macOS package: the daemons, the image and what points at it. The state
# directory (station key, undelivered results) and the logs are kept: they are the factory's.
# Usage: sudo /opt/kiln/uninstall.sh
set -eu
if [ "$(id -u)" -ne 0 ]; then
  echo "uninstall: run as root (sudo $0)" >&2
  exit 77
fi
for job in dev.kiln.burnin dev.kiln.upload; do
  launchctl bootout "system/$job" 2>/dev/null || true
  launchctl enable "system/$job" 2>/dev/null || true # forget the override, as if never installed
  rm -f "/Library/LaunchDaemons/$job.plist"
done
rm -f /usr/local/bin/kiln /usr/local/share/man/man1/kiln.1 /usr/local/etc/bash_completion.d/kiln
rm -rf /opt/kiln
pkgutil --forget dev.kiln.agent >/dev/null 2>&1 || true
echo "kiln: removed; kept /Library/Application Support/Kiln (station key and results) and /var/log/kiln"
