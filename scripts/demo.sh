#!/usr/bin/env bash
# `npm run demo`: installs what is missing, starts the rehearsal lab (a fake fismen on 127.0.10.0/24) and
# opens the cockpit on the lab's posta cutover runbook. Quitting the cockpit leaves the lab running.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
cutover() { ./bin/cutover.js "$@"; } # as an operator runs it (the launcher's node flags, then the bundle)

# A running lab is reused, so the cockpit really resumes the run where you left it; otherwise a new lab is
# built (and the old lab's runbook state retired: its runs belong to the old instances).
if cutover lab status >/dev/null 2>&1; then
  echo "demo: reusing the running lab (cutover lab down first for a fresh one)" >&2
else
  cutover lab up
fi
# CUTOVER_LAB_DIR and CUTOVER_INCUS: the lab runbook's containers are the lab's, through its incus shim.
eval "$(cutover lab env)"
export CUTOVER_LAB_DIR CUTOVER_INCUS

runbook=runbooks/lab/posta-cutover.toml
code=0
if [ -f "$runbook" ]; then
  if [ -t 0 ] && [ -t 1 ]; then
    cutover run "$runbook" || code=$?
  else
    echo "demo: no terminal here; the cockpit needs one. Non-interactive: cutover apply $runbook --yes --allow-destructive" >&2
    cutover status "$runbook" || true
  fi
else
  echo "demo: $runbook is not there yet; showing the lab instead" >&2
  cutover lab status || code=$?
fi

cat >&2 <<HINT

The lab is still running (dir: $CUTOVER_LAB_DIR).
  again:        npm run demo                (reuses this lab and resumes the run where you left it)
  look:         node dist/cutover.mjs lab status
  take it down: node dist/cutover.mjs lab down
HINT
exit "$code"
