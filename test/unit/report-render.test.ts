// renderReport over hand-built data: what an unfinished or failed run's report says, and gaps named as such.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderReport } from '../../src/report/render.ts';
import { runbookFacts, type ReportData } from '../../src/report/data.ts';
import { humanDuration } from '../../src/report/format.ts';
import type { RunRecord, StepRecord } from '../../src/journal/types.ts';
import { CATALOG } from '../../src/actions/index.ts';

const T0 = Date.UTC(2026, 4, 10, 0, 41, 0);
const TEXT = `[runbook]\nname = "demo"\nhost = "fismen"\n\n[[containers]]\nname = "posta"\nrole = "target"\n\n[[containers]]\nname = "arne-msg"\nrole = "legacy"\n`;

function run(over: Partial<RunRecord> = {}): RunRecord {
  return { id: 7, runbookPath: 'rb.toml', runbookName: 'demo', runbookSha256: 'f'.repeat(64), runbookText: TEXT, host: 'fismen', operator: 'kari', sshClient: null, mode: 'apply', pid: 1, startedAt: T0, endedAt: null, outcome: null, outage: { startedAt: T0 + 1000, endedAt: null, ms: null }, clientOutage: null, ...over };
}

function step(key: string, state: StepRecord['state'], over: Partial<StepRecord> = {}): StepRecord {
  return { key, state, action: 'exec', title: key, startedAt: T0, endedAt: null, durationMs: null, attempts: 1, command: null, exitCode: null, output: null, changed: null, backupPath: null, error: null, failureCode: null, rolledBack: null, ...over };
}

function data(r: RunRecord, steps: StepRecord[]): ReportData {
  return { run: r, runbook: runbookFacts(r), plan: null, planProblem: 'stored runbook has no steps', catalog: CATALOG, steps, snapshot: null, baselines: [], waivers: [], stabilityWindow: '7d', stabilityWindowMs: 7 * 86_400_000, decommission: null };
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
  const md = renderReport(data(run({ endedAt: T0 + 60_000, outcome: 'failed' }), []));
  assert.match(md, /^## Cutover failed — 2026-05-10$/m);
  assert.match(md, /ended 2026-05-10 00:42:00 UTC \(1 min 0 s\)/);
});

test('a rolled-back run: says "rolled back", the legacy path serves, what was undone and kept; never that the target serves', () => {
  const repoint = { caddyfile: '/etc/caddy/Caddyfile', backupPath: '/state/backups/Caddyfile.1', sites: [], reload: 'caddy reload' };
  const md = renderReport(
    data(run({ endedAt: T0 + 60_000, outcome: 'rolled-back' }), [
      step('create-container', 'succeeded', { action: 'container.create', backupPath: null }),
      step('repoint-caddy', 'rolled-back', { action: 'proxy.repoint', changed: repoint, rolledBack: { at: T0 + 50_000, changed: null, error: null } }),
      step('stop-legacy[arne]', 'rolled-back', { action: 'service.stop', rolledBack: { at: T0 + 55_000, changed: null, error: null } }),
    ]),
  );
  assert.match(md, /^## Cutover rolled back — 2026-05-10$/m);
  assert.match(md, /Run #7 was \*\*rolled back\*\* \(2026-05-10 00:41:55 UTC\): the legacy path serves again — `arne-msg` behind the proxy/);
  assert.match(md, /### What was undone\n\n- `stop-legacy\[arne\]` stop-legacy\[arne\]\n- `repoint-caddy`/);
  assert.match(md, /### What was kept\n\n- `create-container` create-container: done, not undone\n- the `posta` container and the data copied into it are left in place for diagnosis \(not serving\)/);
  assert.match(md, /The proxy was repointed, then \*\*restored by the rollback\*\* from the backup `\/state\/backups\/Caddyfile.1`/);
  assert.match(md, /and \*\*rolled back\*\*: the legacy containers serve \(`arne-msg`\)/);
  // The DEPLOY.md section names the state: what runs now, what was undone, what was kept.
  const deploy = md.slice(md.indexOf('### For DEPLOY.md'));
  assert.match(deploy, /What runs now: the legacy path \(`arne-msg` behind the proxy\), as before the cutover; rolled back 2026-05-10 00:41:55 UTC\./);
  assert.match(deploy, /Undone \(newest first\): `stop-legacy\[arne\]`, `repoint-caddy`\./);
  assert.match(deploy, /Kept: `create-container`, the `posta` container and the data copied into it \(not serving\)\./);
  assert.doesNotMatch(md, /Now served by the `posta`/);
  assert.doesNotMatch(md, /was not repointed/);
  assert.doesNotMatch(md, /data intact/);
  assert.match(md, /- `arne-msg`: state not checked/);
});

test('humanDuration reads like the seed ("~2 minutes")', () => {
  assert.deepEqual([humanDuration(350), humanDuration(48_000), humanDuration(112_000), humanDuration(3_720_000)], ['350 ms', '48 s', '1 min 52 s', '1 h 2 min']);
});
