#!/usr/bin/env bash
# Configures and builds Ferry into build/ (or $FERRY_BUILD_DIR). Extra arguments go to cmake's
# configure step, e.g. scripts/build.sh -DFERRY_SANITIZE=ON.
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=${FERRY_BUILD_DIR:-build}
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=${FERRY_BUILD_TYPE:-RelWithDebInfo} "$@" >/dev/null
cmake --build "$build_dir" -j"$(nproc)"
