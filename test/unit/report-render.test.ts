// renderReport over hand-built data: what an unfinished or failed run's report says, and gaps named as such.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderReport } from '../../src/report/render.ts';
import { runbookFacts, type ReportData } from '../../src/report/data.ts';
import { humanDuration } from '../../src/report/format.ts';
import type { RunRecord, StepRecord } from '../../src/journal/types.ts';

const T0 = Date.UTC(2026, 4, 10, 0, 41, 0);
const TEXT = `[runbook]\nname = "demo"\nhost = "fismen"\n\n[[containers]]\nname = "posta"\nrole = "target"\n\n[[containers]]\nname = "arne-msg"\nrole = "legacy"\n`;

function run(over: Partial<RunRecord> = {}): RunRecord {
  return { id: 7, runbookPath: 'rb.toml', runbookName: 'demo', runbookSha256: 'f'.repeat(64), runbookText: TEXT, host: 'fismen', operator: 'kari', sshClient: null, mode: 'apply', pid: 1, startedAt: T0, endedAt: null, outcome: null, outage: { startedAt: T0 + 1000, endedAt: null, ms: null }, clientOutage: null, ...over };
}

function step(key: string, state: StepRecord['state'], over: Partial<StepRecord> = {}): StepRecord {
  return { key, state, action: 'exec', title: key, startedAt: T0, endedAt: null, durationMs: null, attempts: 1, command: null, exitCode: null, output: null, changed: null, backupPath: null, error: null, rolledBack: null, ...over };
}

function data(r: RunRecord, steps: StepRecord[]): ReportData {
  return { run: r, runbook: runbookFacts(r), plan: null, planProblem: 'stored runbook has no steps', steps, snapshot: null, baselines: [], waivers: [], stabilityWindow: '7d', stabilityWindowMs: 7 * 86_400_000, decommission: null };
}

test('an unfinished run: title says so, open outage, failed and running steps listed, gaps marked', () => {
  const md = renderReport(data(run(), [step('copy-db[arne]', 'running'), step('start-posta', 'failed', { error: 'exit 1: address in use' })]));
  assert.match(md, /^## Cutover in progress \(run not finished\) — 2026-05-10$/m);
  assert.match(md, /opened 2026-05-10 00:41:01 UTC and never closed/);
  assert.match(md, /- `copy-db\[arne\]` copy-db\[arne\]: \*\*running\*\*/);
  assert.match(md, /- `start-posta` start-posta: \*\*failed\*\* — exit 1: address in use/);
  assert.match(md, /### Public smoke\n\n_not recorded_/);
  assert.match(md, /Could not be derived from the stored runbook \(stored runbook has no steps\)/);
  assert.doesNotMatch(md, /safe to run from/, 'no decommission date for an unfinished run');
  assert.doesNotMatch(md, /Cleanup/);
});

test('a failed run is titled by its outcome', () => {
  const md = renderReport(data(run({ endedAt: T0 + 60_000, outcome: 'rolled-back' }), []));
  assert.match(md, /^## Cutover rolled-back — 2026-05-10$/m);
  assert.match(md, /ended 2026-05-10 00:42:00 UTC \(1 min 0 s\)/);
});

test('humanDuration reads like the seed ("~2 minutes")', () => {
  assert.deepEqual([humanDuration(350), humanDuration(48_000), humanDuration(112_000), humanDuration(3_720_000)], ['350 ms', '48 s', '1 min 52 s', '1 h 2 min']);
});
