#!/usr/bin/env bash
# Installs what Drey needs from Debian and PyPI when it is missing (as root), or says the one line to run.
set -euo pipefail

apt_packages=(libcmark-gfm-dev libcmark-gfm-extensions-dev)
if [[ "${1:-}" == "--test" ]]; then
  apt_packages+=(postgresql chromium chromium-driver openssl)
fi
missing=()
for p in "${apt_packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]]; then
    echo "installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "Drey needs: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

if [[ "${1:-}" == "--test" ]]; then
  if ! python3 -c 'import feedparser, html5lib, mf2py, selenium, pytest, aiosmtpd' >/dev/null 2>&1; then
    echo "installing Python test clients (feedparser, html5lib, mf2py, selenium, pytest, aiosmtpd)" >&2
    python3 -m pip install -q --disable-pip-version-check feedparser html5lib mf2py selenium pytest aiosmtpd 2>&1 | grep -v 'Running pip as the' >&2 || true
  fi
fi
