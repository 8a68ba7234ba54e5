// `cutover rollback` after a partial cutover: the run stopped with the outage window open and Caddy already
// repointed. The plan is shown without --yes; with it, everything done is undone and the legacy path serves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startLab } from '../helpers/lab.ts';
import { assertAllServed, LAB_RUNBOOK, legacyData } from '../helpers/cutover-lab.ts';
import { readJournal, startDriver, waitForEvent } from '../helpers/driver.ts';

test('rollback after a partial cutover (stopped right after the repoint), and after a driver killed inside the repoint', async (t) => {
  const lab = await startLab(t);
  const state = join(lab.dir, 'state');
  const caddyfile = join(lab.dir, 'caddy', 'Caddyfile');
  const original = readFileSync(caddyfile);
  const before = legacyData(lab);

  const nothing = await lab.cli(['rollback', LAB_RUNBOOK, '--yes', '--state', state]);
  assert.equal(nothing.code, 2, nothing.stderr);
  assert.match(nothing.stderr, /no cutover run recorded for posta-multitenant-cutover-lab: nothing to roll back/);

  const partial = await lab.cli(['apply', LAB_RUNBOOK, '--yes', '--allow-destructive', '--state', state, '--through', 'repoint-caddy', '--json']);
  assert.equal(partial.code, 0, partial.stderr);
  const doc = JSON.parse(partial.stdout) as { ok: boolean; runId: number; outcome: string | null; steps: { key: string; state: string }[]; outage: { stepsMs: number; endedAt: number | null } };
  assert.equal(doc.ok, true);
  assert.equal(doc.outcome, null, 'the run stays open after --through');
  assert.equal(doc.steps.find((s) => s.key === 'repoint-caddy')?.state, 'succeeded');
  assert.equal(doc.steps.find((s) => s.key === 'smoke-public')?.state, 'pending');
  assert.equal(doc.outage.endedAt, null, 'the outage window is still open');
  assert.match(partial.stderr, /stopped after repoint-caddy \(--through\)/);
  assert.ok(!readFileSync(caddyfile).equals(original), 'Caddy was repointed');

  const shown = await lab.cli(['rollback', LAB_RUNBOOK, '--state', state]);
  assert.equal(shown.code, 2);
  const planLines = shown.stdout.split('\n').filter((l) => /^ {2}\d+\. /.test(l)).map((l) => l.trim().split(':')[0]);
  assert.deepEqual(planLines, ['23. repoint-caddy', '21. start-posta', '13. stop-legacy[tarald]', '12. stop-legacy[marcus]', '11. stop-legacy[arne]', '2. create-container'], shown.stdout);
  assert.match(shown.stderr, /run it with cutover rollback .* --yes/);

  const rb = await lab.cli(['rollback', LAB_RUNBOOK, '--yes', '--state', state]);
  assert.equal(rb.code, 0, `${rb.stdout}\n${rb.stderr}`);
  assert.ok(readFileSync(caddyfile).equals(original), 'Caddyfile byte-identical');
  assert.notEqual((await lab.runtime.exec('posta', ['service', 'posta', 'status'])).exitCode, 0, 'the new daemon is stopped');
  await assertAllServed(lab);
  assert.deepEqual(legacyData(lab), before);
  const steps = readJournal(state, (j) => j.stepStates(doc.runId));
  assert.equal(steps.get('repoint-caddy')?.state, 'rolled-back');
  assert.equal(steps.get('copy-db[arne]')?.state, 'succeeded', 'a copy into the new container is left for diagnosis');
  assert.equal(steps.get('create-container')?.state, 'succeeded');

  // The rolled-back run is over: the next apply starts a new run. Its driver dies inside the repoint (kill -9);
  // rollback takes the dead driver's lease over and undoes the interrupted destructive step too.
  const from = readJournal(state, (j) => j.lastEventId());
  const d = await startDriver(['apply', LAB_RUNBOOK, '--yes', '--allow-destructive', '--state', state], lab.env);
  const hit = await waitForEvent(state, d, (e) => e.kind === 'step' && e.stepKey === 'repoint-caddy' && e.state === 'running', { afterId: from });
  assert.ok(hit, 'the second run reached the repoint');
  d.child.kill('SIGKILL');
  assert.equal((await d.done).signal, 'SIGKILL');
  const runs = readJournal(state, (j) => j.runs());
  assert.equal(runs.length, 2, 'a new run, not a resume of the rolled-back one');
  const refused = await lab.cli(['rollback', LAB_RUNBOOK, '--yes', '--state', state]);
  assert.equal(refused.code, 1, 'another driver holds the lease: refused (exit 1, as for apply)');
  assert.match(refused.stderr, /take it over with --take-over/);
  const rb2 = await lab.cli(['rollback', LAB_RUNBOOK, '--yes', '--take-over', '--state', state]);
  assert.equal(rb2.code, 0, `${rb2.stdout}\n${rb2.stderr}`);
  assert.match(rb2.stdout, /repoint-caddy \(failed: may be partial\)/);
  assert.ok(readFileSync(caddyfile).equals(original), 'Caddyfile byte-identical after the interrupted repoint is undone');
  await assertAllServed(lab);
  assert.deepEqual(legacyData(lab), before);
  const second = readJournal(state, (j) => ({ run: j.run(2)!, steps: j.stepStates(2) }));
  assert.equal(second.run.outcome, 'rolled-back');
  assert.equal(second.steps.get('repoint-caddy')?.state, 'rolled-back');
  assert.match(second.steps.get('repoint-caddy')?.error ?? '', /driver died while this step was running/);
});
