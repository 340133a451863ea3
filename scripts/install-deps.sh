#!/usr/bin/env bash
# Installs what Drey needs from Debian and PyPI when it is missing (as root), or says the one line to run.
set -euo pipefail

apt_packages=(libcmark-gfm-dev libcmark-gfm-extensions-dev libvips-dev)
if [[ "${1:-}" == "--test" ]]; then
  # python3-venv: the Python test clients go into a virtual environment (scripts/python-env.sh), as Debian's
  # Python refuses `pip install` outside one.
  # libxml2-utils: xmllint validates the sitemaps against the sitemaps.org schemas. nginx and curl: the deployment
  # test puts deploy/nginx-drey.conf in front of `drey serve` and reads it over HTTP/2; systemd: its
  # `systemd-analyze verify` checks deploy/drey.service.
  apt_packages+=(postgresql chromium chromium-driver openssl python3-venv libxml2-utils nginx curl systemd)
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
