// The slow-identity fault: that identity's probes time out (named, with the timeout) while every other
// identity's results come back at their own speed — one slow tenant never holds the others up.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { SnapshotResult } from '../../checks/snapshot.ts';
import { startLab } from '../helpers/lab.ts';
import { writeLabStatusRunbook } from '../helpers/status-runbook.ts';

test('slow-identity: that identity times out, named; the others answer well within a second', async (t) => {
  const lab = await startLab(t);
  const rb = writeLabStatusRunbook(lab.dir, join(lab.dir, 'status.toml'), join(lab.dir, 'state'));
  const baseline = await lab.cli(['status', rb, '--baseline']);
  assert.equal(baseline.code, 0, baseline.stderr);
  // Injected on the running lab: the daemon picks it up when it is restarted.
  assert.equal((await lab.cli(['lab', 'fault', 'slow-identity', '--dir', lab.dir])).code, 0);
  const slow = lab.config.identities[0]!;
  for (const verb of ['stop', 'start']) assert.equal((await lab.runtime.exec(slow.container, ['service', 'posta', verb])).exitCode, 0);
  const r = await lab.cli(['status', rb, '--json']);
  assert.equal(r.code, 1, r.stderr);
  const doc = JSON.parse(r.stdout) as SnapshotResult;
  const mine = doc.smoke.items.filter((i) => i.identity === slow.slug);
  const others = doc.smoke.items.filter((i) => i.identity !== slow.slug);
  assert.ok(mine.length > 0 && mine.every((i) => i.ok === false && /timed out/.test(i.error ?? '')), JSON.stringify(mine.map((i) => i.error)));
  assert.ok(mine.every((i) => i.why?.startsWith(`${slow.slug} `)), 'the message names the identity');
  assert.ok(others.length > 0 && others.every((i) => i.ok === true), JSON.stringify(others.filter((i) => !i.ok)));
  const slowest = Math.max(...others.map((i) => i.timeMs ?? Infinity));
  assert.ok(slowest < 1000, `the others' slowest probe took ${slowest} ms`);
});
