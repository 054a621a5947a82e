#!/usr/bin/env bash
# Installs the Debian -dev packages Smelt links against, only those missing.
# Safe to run on every build: with everything present it does nothing.
set -euo pipefail

packages=(liblz4-dev libxxhash-dev libyaml-dev libopenblas-dev pkg-config)
missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing: ${missing[*]}" >&2
sudo_prefix=()
if [ "$(id -u)" -ne 0 ]; then sudo_prefix=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_prefix[@]}" apt-get update -qq
"${sudo_prefix[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
