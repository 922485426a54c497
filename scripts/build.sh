#!/usr/bin/env bash
# Configures and builds Ferry into build/ (or $FERRY_BUILD_DIR). Arguments starting with -D go
# to cmake's configure step (scripts/build.sh -DFERRY_SANITIZE=ON); "--target NAME" builds
# only that target.
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=${FERRY_BUILD_DIR:-build}
configure=()
build=()
while [ $# -gt 0 ]; do
  case "$1" in
    --target) build+=(--target "$2"); shift 2 ;;
    *) configure+=("$1"); shift ;;
  esac
done
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=${FERRY_BUILD_TYPE:-RelWithDebInfo} \
  "${configure[@]}" >/dev/null
cmake --build "$build_dir" -j"$(nproc)" "${build[@]}"
