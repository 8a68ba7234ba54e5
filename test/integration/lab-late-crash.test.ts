// Issue 19, behaviour 9 on the lab lane (the real lane: test/incus/behaviours.test.ts): a daemon that answers,
// then dies a moment later (lab fault late-crash, the multi-tenant daemon) fails service.start's after-start
// watch, so the cutover stops before the proxy is touched, and its rollback leaves every identity served.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startLab } from '../helpers/lab.ts';
import { assertAllServed, LAB_RUNBOOK } from '../helpers/cutover-lab.ts';

test('lab fault late-crash: start-posta fails its after-start watch; the proxy is never repointed; the rollback serves everyone', async (t) => {
  const lab = await startLab(t, ['--fault', 'late-crash']);
  const state = join(lab.dir, 'state');
  const caddyfile = join(lab.dir, 'caddy', 'Caddyfile');
  const original = readFileSync(caddyfile);
  const apply = await lab.cli(['apply', LAB_RUNBOOK, '--yes', '--allow-destructive', '--state', state]);
  const text = apply.stdout + apply.stderr;
  assert.equal(apply.code, 1, text);
  assert.match(text, /✗ +\d+ start-posta: .*posta (died [\d.]+ s after start|stopped listening on port 8080 [\d.]+ s after start)/, text);
  assert.match(text, /late-crash/, 'the daemon log tail names the crash');
  assert.doesNotMatch(text, /✓ +\d+ repoint-caddy/, 'the proxy was never repointed');
  assert.ok(readFileSync(caddyfile).equals(original));
  const rollback = await lab.cli(['rollback', LAB_RUNBOOK, '--yes', '--state', state]);
  assert.equal(rollback.code, 0, rollback.stdout + rollback.stderr);
  await assertAllServed(lab);
});
