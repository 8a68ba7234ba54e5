import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultStateDir, runbookStateDir } from '../../src/paths.ts';

const env = { XDG_STATE_HOME: '/x/state' };

test('state dir: --state, then state_dir, then the default for the name', () => {
  const rb = { runbook: { name: 'posta-cutover' }, steps: [{ action: 'baseline' }] };
  assert.equal(runbookStateDir(rb, env), '/x/state/cutover/posta-cutover');
  assert.equal(runbookStateDir({ runbook: { name: 'posta-cutover', state_dir: '/srv/s' } }, env), '/srv/s');
  assert.equal(runbookStateDir({ runbook: { name: 'posta-cutover', state_dir: '/srv/s' } }, env, '/tmp/o'), '/tmp/o');
});

test("a decommission journals with the cutover it follows (its gate's since)", () => {
  const decom = { runbook: { name: 'posta-decommission' }, steps: [{ action: 'gate.stability', since: 'posta-cutover' }, { action: 'container.delete' }] };
  assert.equal(runbookStateDir(decom, env), defaultStateDir(env, 'posta-cutover'));
  assert.equal(runbookStateDir({ ...decom, runbook: { name: 'posta-decommission', state_dir: '/srv/d' } }, env), '/srv/d', 'an explicit state_dir wins');
  assert.equal(runbookStateDir({ runbook: { name: 'd' }, steps: [{ action: 'gate.stability' }] }, env), '/x/state/cutover/d', 'no since: its own');
});
