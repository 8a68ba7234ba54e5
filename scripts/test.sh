#!/usr/bin/env bash
# All test layers with the Node test runner, files listed explicitly, one file at a time per lane (integration
# and e2e tests share the lab's fixed loopback addresses). Pass layer names to narrow: scripts/test.sh unit screen
# The per-file limit (20 min) is the crash-point walks': both orders kill -9 a driver at dozens of points.
#
# Two lanes when this machine can make a network namespace (root, as in CI): the longest integration files
# run in a second lane inside `unshare -n` with their own loopback, state dir and tmux socket dir, beside the
# first lane. Their measured durations split the suite roughly in half (~12 min each on 2 cores instead of
# ~25 min in one lane). CUTOVER_TEST_LANES=1 forces one lane.
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s nullglob
layers=("$@")
((${#layers[@]})) || layers=(unit screen integration e2e)
files=()
for l in "${layers[@]}"; do files+=(test/"$l"/*.test.ts test/"$l"/*.test.tsx); done
((${#files[@]})) || { echo "test.sh: no test files in: ${layers[*]}" >&2; exit 1; }

runner=(node --import tsx --test --test-concurrency=1 --test-timeout=1200000)

# The second lane, by measured duration (s, clean run on 2 cores): crash points 322, faults 95, bench 92,
# new writes 64, status states 52, resume 44, partial rollback 44, rollback proofs 40 (the first lane has the
# rest, ~770 s, plus ~120 short files' start-up).
second_lane=(
  test/integration/crash-points.test.ts
  test/integration/apply-faults.test.ts
  test/integration/bench-smoke.test.ts
  test/integration/rollback-new-writes.test.ts
  test/integration/status-states.test.ts
  test/integration/resume-lab.test.ts
  test/integration/rollback-partial.test.ts
  test/integration/rollback-proofs.test.ts
)

can_namespace() {
  [[ "${CUTOVER_TEST_LANES:-2}" != 1 ]] && command -v ip >/dev/null && unshare -n true 2>/dev/null
}

first=()
second=()
for f in "${files[@]}"; do
  if [[ " ${second_lane[*]} " == *" $f "* ]]; then second+=("$f"); else first+=("$f"); fi
done

if ((${#second[@]} == 0 || ${#first[@]} == 0)) || ! can_namespace; then
  exec "${runner[@]}" "${files[@]}"
fi

scratch=$(mktemp -d)
second_log="$scratch/second-lane.tap"
mkdir -p "$scratch/state" "$scratch/tmux"
# The second lane's own loopback, state dir and tmux sockets; its TAP goes to a file, printed after the first.
unshare -n env XDG_STATE_HOME="$scratch/state" TMUX_TMPDIR="$scratch/tmux" \
  bash -c 'ip link set lo up && exec "$@"' lane "${runner[@]}" "${second[@]}" >"$second_log" 2>&1 &
second_pid=$!
trap 'kill "$second_pid" 2>/dev/null || true' INT TERM

first_rc=0
"${runner[@]}" "${first[@]}" || first_rc=$?
second_rc=0
wait "$second_pid" || second_rc=$?
trap - INT TERM

echo "# ---- second lane (own network namespace): ${second[*]}"
cat "$second_log"
rm -rf "$scratch"
echo "# lanes: first exit $first_rc, second exit $second_rc"
((first_rc == 0 && second_rc == 0))
