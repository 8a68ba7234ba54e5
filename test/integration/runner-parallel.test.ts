// A step marked parallel (issue 22: hold mode's stops and final copies): its expansions run at once through
// apply's drive loop, every one journaled running before any acts (intent before effect), each with its own
// result; one that fails leaves its siblings' results as they ended, and the run stops after the group.
// Runs on the host runtime (no lab): each expansion touches a marker and waits until all three are there,
// which only a concurrent run can pass (one at a time, the first would wait for the others in vain).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRun } from '../../src/runner/index.ts';
import { driveRange } from '../../src/runner/drive.ts';
import { HostRuntime } from '../../src/adapters/host.ts';

function runbook(marks: string, failing: string | null): string {
  // Every expansion waits (up to 10 s) for the three markers; `failing` exits 1 once it has seen them.
  const wait = `touch ${marks}/$1; for i in $(seq 100); do [ "$(ls ${marks} | wc -l)" -ge 3 ] && break; sleep 0.1; done; [ "$(ls ${marks} | wc -l)" -ge 3 ] || exit 2; [ "$1" != "${failing ?? ''}" ]`;
  return `[runbook]
name = "together"
host = "nowhere"

[[containers]]
name = "here"
role = "target"
${['a', 'b', 'c'].map((n) => `\n[[containers]]\nname = "${n}"\nrole = "legacy"\n`).join('')}
[[steps]]
id = "first"
title = "first"
action = "note"
text = "before the group"

[[steps]]
id = "meet"
title = "meet in {{container.name}}"
action = "exec"
for_each = "legacy_containers"
parallel = true
container = "here"
argv = ["sh", "-c", ${JSON.stringify(wait)}, "sh", "{{container.name}}"]

[[steps]]
id = "last"
title = "last"
action = "note"
text = "after the group"
`;
}

async function drive(dir: string, failing: string | null) {
  const marks = join(dir, 'marks');
  mkdirSync(marks);
  const runbookPath = join(dir, 'together.toml');
  writeFileSync(runbookPath, runbook(marks, failing));
  const run = await openRun({ runbookPath, stateDir: join(dir, 'state'), env: { HOME: dir, PATH: process.env.PATH }, runtime: new HostRuntime() });
  try {
    const r = await driveRange(run, { range: run.plan, noRollback: true, hooks: {} });
    const events = run.journal.events(run.runId).filter((e) => e.kind === 'step' && e.stepKey?.startsWith('meet['));
    return { r, events, states: run.states() };
  } finally {
    await run.close();
  }
}

test('parallel: the expansions run at once, all journaled running before any result; the run goes on after the group', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cutover-parallel-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { r, events, states } = await drive(dir, null);
  assert.equal(r.end.kind, 'done', JSON.stringify(r.end));
  assert.deepEqual(r.outcomes.map((o) => `${o.key} ${o.state}`), ['first succeeded', 'meet[a] succeeded', 'meet[b] succeeded', 'meet[c] succeeded', 'last succeeded']);
  const states3 = events.map((e) => `${e.stepKey} ${e.state}`);
  assert.deepEqual(states3.slice(0, 3), ['meet[a] running', 'meet[b] running', 'meet[c] running'], 'intent before effect: the three running records come before any result');
  assert.deepEqual(states3.slice(3).sort(), ['meet[a] succeeded', 'meet[b] succeeded', 'meet[c] succeeded']);
  assert.equal(states.last, 'succeeded');
});

test('parallel: one expansion fails: its siblings keep their own results, the run stops after the group', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cutover-parallel-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { r, states } = await drive(dir, 'b');
  assert.equal(r.end.kind, 'failed', JSON.stringify(r.end));
  assert.equal(r.end.kind === 'failed' ? r.end.failed.key : '', 'meet[b]');
  assert.deepEqual([states['meet[a]'], states['meet[b]'], states['meet[c]']], ['succeeded', 'failed', 'succeeded']);
  assert.equal(states.last, undefined, 'nothing after the group ran');
});
