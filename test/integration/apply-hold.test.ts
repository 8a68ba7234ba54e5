// Issue 22's acceptance on the rehearsal lab: a hold-mode cutover of the three identities with the lab's
// devices calling every 250 ms fails no client request, verifies green, and its rollback fails none either.
// Counts are asserted (failed requests = 0 in the device timeline); latencies are printed (npm run bench
// records them as figures).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startLab } from '../helpers/lab.ts';
import { assertAllServed, legacyData } from '../helpers/cutover-lab.ts';
import { parseTimeline, requestFigures } from '../../src/engine/client-timeline.ts';

const RUNBOOK = 'runbooks/lab/posta-cutover-hold.toml';

test('lab cutover in hold mode: 0 failed requests through apply and through rollback; verify green; Caddyfile back byte-identical', async (t) => {
  const lab = await startLab(t);
  const state = join(lab.dir, 'state');
  const caddyfile = join(lab.dir, 'caddy', 'Caddyfile');
  const original = readFileSync(caddyfile);
  const before = legacyData(lab);
  const timeline = () => parseTimeline(readFileSync(join(lab.dir, 'devices', 'timeline.jsonl'), 'utf8'));

  const plan = await lab.cli(['plan', RUNBOOK, '--state', state]);
  assert.equal(plan.code, 0, `plan:\n${plan.stdout}\n${plan.stderr}`);
  assert.match(plan.stdout, /lb_try_duration 15s #cutover:hold/, 'the plan shows the hold lines in the Caddyfile diff');

  const applyFrom = Date.now();
  const apply = await lab.cli(['apply', RUNBOOK, '--yes', '--allow-destructive', '--state', state]);
  const applyTo = Date.now();
  assert.equal(apply.code, 0, `apply failed:\n${apply.stdout}\n${apply.stderr}`);
  for (const key of ['copy-db-ahead[arne]', 'dry-start', 'dry-stop', 'repoint-caddy', 'stop-legacy[tarald]', 'copy-db[marcus]', 'start-posta', 'release-hold']) {
    assert.match(apply.stdout, new RegExp(`✓ +\\d+ ${key.replace(/[[\]]/g, '\\$&')}: `), key);
  }
  assert.match(apply.stdout, /client requests during the run: \d+, failed 0;/, apply.stdout);
  const during = requestFigures(timeline(), applyFrom, applyTo);
  assert.ok(during.requests > 20, `the devices kept calling: ${during.requests} requests`);
  assert.equal(during.failed, 0, `failed requests during the hold-mode cutover: ${during.failed}`);
  assert.doesNotMatch(readFileSync(caddyfile, 'utf8'), /#cutover:hold/, 'the release took the hold lines out');
  const retried = (from: number, to: number) => timeline().filter((e) => e.retried && Date.parse(e.t) >= from && Date.parse(e.t) <= to).length;
  process.stdout.write(`# hold cutover: ${during.requests} requests, 0 failed, longest ${during.longestMs} ms (usual ${during.usualMs} ms); sent again after a reset: ${retried(applyFrom, applyTo)}\n`);

  const verify = await lab.cli(['verify', RUNBOOK, '--state', state]);
  assert.equal(verify.code, 0, `verify failed:\n${verify.stdout}\n${verify.stderr}`);

  const rbFrom = Date.now();
  const rollback = await lab.cli(['rollback', RUNBOOK, '--yes', '--state', state]);
  const rbTo = Date.now();
  assert.equal(rollback.code, 0, `rollback failed:\n${rollback.stdout}\n${rollback.stderr}`);
  const back = requestFigures(timeline(), rbFrom, rbTo);
  assert.ok(back.requests > 5, `the devices kept calling through the rollback: ${back.requests} requests`);
  assert.equal(back.failed, 0, `failed requests during the hold-mode rollback: ${back.failed}`);
  process.stdout.write(`# hold rollback: ${back.requests} requests, 0 failed, longest ${back.longestMs} ms; sent again after a reset: ${retried(rbFrom, rbTo)}\n`);
  assert.ok(readFileSync(caddyfile).equals(original), 'Caddyfile byte-identical to the original');
  await assertAllServed(lab);
  assert.deepEqual(legacyData(lab), before, 'legacy data equal to before the cutover');
});
