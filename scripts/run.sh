#!/usr/bin/env bash
# Quick start: installs what is missing, builds, and runs the engine with the example config on
# embedded SQLite. Data (database, key file, delivered files) goes to ./var/.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/build.sh --target ferry
mkdir -p var
exec build/ferry run --config config/example.json
