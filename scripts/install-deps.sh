#!/usr/bin/env bash
# Installs the Debian packages Ferry builds against, then fetches the pinned FHIR definitions
# (scripts/fetch-fhir-definitions.sh). Idempotent: installs only what is missing, and does
# nothing (not even apt-get update) when everything is present.
set -euo pipefail

packages=(cmake g++ make pkg-config libpoco-dev rapidjson-dev libssl-dev libsoci-dev
          libsqlite3-dev libboost-test-dev openssl clang-format git curl ca-certificates tzdata)
missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing: ${missing[*]}"
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then
    sudo_cmd=(sudo)
  fi
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}"
fi

"$(dirname "$0")/fetch-fhir-definitions.sh"
