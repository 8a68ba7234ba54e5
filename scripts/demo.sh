#!/usr/bin/env bash
# `npm run demo`: installs what is missing, starts the rehearsal lab (a fake fismen on 127.0.10.0/24) and
# opens the cockpit on the lab's posta cutover runbook. Quitting the cockpit leaves the lab running.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
cutover() { ./bin/cutover.js "$@"; } # as an operator runs it (the launcher's node flags, then the bundle)

cutover lab up
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
  again:        npm run demo                (resumes the run where you left it)
  look:         node dist/cutover.mjs lab status
  take it down: node dist/cutover.mjs lab down
HINT
exit "$code"
