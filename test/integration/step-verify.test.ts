// A step's own verify conditions run right after it, over its result (exec: exit status, stdout, stderr; any
// action: summary and time), on a real journal; a condition that does not hold fails the step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRun } from '../../src/runner/index.ts';
import { HostRuntime } from '../../src/adapters/host.ts';
import { failedVerify } from '../../src/runner/verify.ts';

const RUNBOOK = `[runbook]
name = "verified"
host = "nowhere"

[[containers]]
name = "here"
role = "other"

[[steps]]
id = "hello"
title = "say hello"
action = "exec"
container = "here"
argv = ["echo", "ready: 42 rows"]
verify = ["status == 0 && body.stdout contains \\"ready\\"", "time < 30s"]

[[steps]]
id = "count"
title = "count rows"
action = "exec"
container = "here"
argv = ["echo", "ready: 41 rows"]
verify = ["body.stdout contains \\"42 rows\\""]
`;

test('verify conditions hold: the step succeeds; they do not: it fails naming what was expected and read', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cutover-verify-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const runbookPath = join(dir, 'verified.toml');
  writeFileSync(runbookPath, RUNBOOK);
  const run = await openRun({ runbookPath, stateDir: join(dir, 'state'), env: { HOME: dir, PATH: process.env.PATH }, runtime: new HostRuntime() });
  try {
    const ok = await run.runStep('hello');
    assert.equal(ok.state, 'succeeded', ok.error);
    const bad = await run.runStep('count');
    assert.equal(bad.state, 'failed');
    assert.match(bad.error ?? '', /verify failed after echo exited 0: ready: 41 rows: body\.stdout contains "42 rows" \(got body\.stdout = "ready: 41 rows\\n"\)/);
    assert.equal(run.journal.stepStates(run.runId).get('count')?.state, 'failed', 'journaled as failed');
  } finally {
    await run.close();
  }
});

test('the result as conditions read it: exec exit status, any other action 0; body holds the summary and details', () => {
  assert.equal(failedVerify(['status == 3', 'body.stderr == "x"'], { summary: 's', details: { exitCode: 3, stdout: '', stderr: 'x' } }, 5), null);
  assert.equal(failedVerify(['status == 0', 'body.summary contains "sha256 ok"'], { summary: 'keys.json 148 B sha256 ok' }, 5), null);
  assert.match(failedVerify(['time < 1s'], { summary: 's' }, 2500) ?? '', /time < 1s \(got time = 2500\)/);
  assert.match(failedVerify(['body.nothing == 1'], { summary: 's' }, 1) ?? '', /body\.nothing == 1/);
});
