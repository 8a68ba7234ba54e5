#!/usr/bin/env bash
# All test layers with the Node test runner, files listed explicitly, one file at a time (integration and
# e2e tests share the lab's loopback addresses). Pass layer names to narrow: scripts/test.sh unit screen
# The per-file limit (20 min) is the crash-point walks': both orders kill -9 a driver at dozens of points.
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s nullglob
layers=("$@")
((${#layers[@]})) || layers=(unit screen integration e2e)
files=()
for l in "${layers[@]}"; do files+=(test/"$l"/*.test.ts test/"$l"/*.test.tsx); done
((${#files[@]})) || { echo "test.sh: no test files in: ${layers[*]}" >&2; exit 1; }
exec node --import tsx --test --test-concurrency=1 --test-timeout=1200000 "${files[@]}"
