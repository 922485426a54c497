#!/usr/bin/env bash
# Installs what is missing, checks style, builds, and runs every test with CTest: once on the
# normal build, then the suites that read untrusted input (HL7v2 and FHIR parsers, validator,
# connectors, mappings) again under AddressSanitizer and UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

echo "== style checks"
scripts/lint.sh

echo "== build and test (RelWithDebInfo)"
scripts/build.sh
(cd build && ctest --output-on-failure)

echo "== build and test under AddressSanitizer + UndefinedBehaviorSanitizer"
FERRY_BUILD_DIR=build-asan FERRY_BUILD_TYPE=Debug scripts/build.sh -DFERRY_SANITIZE=ON \
  --target engine_tests --target fhir_tests --target connectors_tests --target mappings_tests
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --output-on-failure -R '^(engine|fhir|connectors|mappings)$')
