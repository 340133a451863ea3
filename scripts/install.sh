#!/usr/bin/env bash
# `make install`: the release binary, themes and seed corpus under PREFIX (/opt/drey), the systemd unit, the example
# nginx site and the settings file (both kept when they exist: they hold your edits), and the `drey` user that owns
# /var/lib/drey. DESTDIR stages everything under a folder and creates no user. See Docs/deploy.md.
set -euo pipefail
cd "$(dirname "$0")/.."
PREFIX="${PREFIX:-/opt/drey}"
DESTDIR="${DESTDIR:-}"
BINARY="${DREY_BINARY:-.build/release/drey}"
[[ -x "$BINARY" ]] || { echo "no binary at $BINARY: run \`make release\` first" >&2; exit 1; }

root="$DESTDIR$PREFIX"
install -d "$root/bin" "$root/share/drey/Resources" "$root/share/doc/drey"
install -m 0755 "$BINARY" "$root/bin/drey"
# Replaced whole, so files a new release removed do not linger.
rm -rf "$root/share/drey/Themes" "$root/share/drey/Resources/spam-seed"
cp -R Themes "$root/share/drey/Themes"
cp -R Resources/spam-seed "$root/share/drey/Resources/spam-seed"
install -m 0644 Docs/deploy.md "$root/share/doc/drey/deploy.md"
install -d "$DESTDIR/usr/local/bin"
ln -sfn "$PREFIX/bin/drey" "$DESTDIR/usr/local/bin/drey"

# The unit names /opt/drey: point it at PREFIX.
install -d "$DESTDIR/etc/systemd/system"
sed "s|/opt/drey|$PREFIX|g" deploy/drey.service > "$DESTDIR/etc/systemd/system/drey.service"
chmod 0644 "$DESTDIR/etc/systemd/system/drey.service"
keep() { # source target mode: install unless the target exists
  if [[ -e "$2" ]]; then echo "kept $2 (compare with $1)"; else install -D -m "$3" "$1" "$2"; fi
}
keep deploy/nginx-drey.conf "$DESTDIR/etc/nginx/sites-available/drey.conf" 0644
keep deploy/drey.env.example "$DESTDIR/etc/drey/drey.env" 0640

if [[ -z "$DESTDIR" ]]; then
  if ! id -u drey >/dev/null 2>&1; then
    useradd --system --home-dir /var/lib/drey --no-create-home --shell /usr/sbin/nologin drey
  fi
  install -d -o drey -g drey -m 0750 /var/lib/drey
  chgrp drey /etc/drey/drey.env
  if command -v systemctl >/dev/null 2>&1 && [[ -d /run/systemd/system ]]; then systemctl daemon-reload; fi
fi
echo "installed drey in $root; next: systemctl enable --now drey (Docs/deploy.md)"
