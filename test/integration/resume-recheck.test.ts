// The runner's resume rules on a real journal (SQLite file), with a runbook of steps that touch no host:
// the step a dead driver was in is re-checked before anything else; one whose action is not safe to
// repeat runs again only when the operator confirms; done steps never run again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRun } from '../../src/runner/index.ts';

const RUNBOOK = `[runbook]
name = "recheck"
host = "nowhere"

[[containers]]
name = "a"
role = "other"

[[steps]]
id = "hello"
title = "say hello"
action = "note"
text = "hello"

[[steps]]
id = "gate"
title = "ready?"
action = "gate.operator"
prompt = "is everyone ready?"

[[steps]]
id = "bye"
title = "say bye"
action = "note"
text = "bye"
`;

test('resume: the interrupted gate is re-checked first and re-run only when confirmed; done steps stay done', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cutover-recheck-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const runbookPath = join(dir, 'recheck.toml');
  writeFileSync(runbookPath, RUNBOOK);
  const stateDir = join(dir, 'state');

  const first = await openRun({ runbookPath, stateDir, env: { HOME: dir } });
  assert.equal((await first.runStep('hello')).state, 'succeeded');
  await assert.rejects(first.runStep('bye'), /step 3 bye cannot run now: step 2 gate comes first/);
  // The driver "dies" inside the gate: its running event is the last word in the journal.
  first.journal.recordStep(first.runId, { stepKey: 'gate', state: 'running', action: 'gate.operator', title: 'ready?' });
  await first.close();

  const again = await openRun({ runbookPath, stateDir, env: { HOME: dir } });
  try {
    assert.equal(again.runId, first.runId, 'the unfinished run is picked up');
    assert.deepEqual(again.resumed && { done: again.resumed.done, interrupted: again.resumed.interrupted, next: again.resumed.next }, { done: ['hello'], interrupted: 'gate', next: 'gate' });
    assert.equal(again.states().gate, 'failed', 'not known to be done');
    assert.match('blocked' in again.next() ? (again.next() as { blocked: string }).blocked : '', /step 2 gate failed/);

    const asked: string[] = [];
    const refused = await again.runStep('gate', { confirm: async (_p, _s, kind) => (asked.push(kind ?? '?'), kind !== 'recheck') });
    assert.deepEqual(asked, ['recheck']);
    assert.equal(refused.notRun, 'interrupted');
    assert.equal(again.steps().get('gate')?.attempts, 1, 'nothing ran');

    const kinds: string[] = [];
    const ran = await again.runStep('gate', { confirm: async (_p, _s, kind) => (kinds.push(kind ?? '?'), true) });
    assert.equal(ran.state, 'succeeded');
    assert.deepEqual(kinds, ['recheck', 'gate'], 'first the re-check, then the gate itself');
    assert.equal((await again.runStep('bye')).state, 'succeeded');
    again.finish('succeeded');
    const steps = again.steps();
    assert.deepEqual([...steps.values()].map((s) => [s.key, s.state, s.attempts]), [['hello', 'succeeded', 1], ['gate', 'succeeded', 2], ['bye', 'succeeded', 1]]);
    assert.ok(again.journal.events(again.runId).some((e) => e.kind === 'run' && e.state === 'resumed'));
  } finally {
    await again.close();
  }

  const third = await openRun({ runbookPath, stateDir, env: { HOME: dir } });
  try {
    assert.notEqual(third.runId, first.runId, 'a finished run is not resumed');
    assert.equal(third.resumed, null);
    third.skipStep('hello', 'not needed');
    assert.throws(() => third.skipStep('hello', 'twice'), /cannot go from skipped to skipped/);
    assert.equal(third.states().hello, 'skipped');
  } finally {
    await third.close();
  }
});
