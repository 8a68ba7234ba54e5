import { test } from 'node:test';
import assert from 'node:assert/strict';
import { otherWorld, worldOfInstances, type Baseline } from '../../checks/baseline.ts';

const inst = (name: string, createdAt: string | null) => ({ name, createdAt });
const B = (instances?: Record<string, string | null>): Baseline => ({ runbook: 'x', recordedAt: '2026-12-03T06:00:00.000Z', identities: {}, ...(instances ? { world: { instances } } : {}) });

test('a baseline belongs to the instances it was taken from (by creation time)', () => {
  const world = worldOfInstances([inst('arne-msg', 't1'), inst('posta', 't2'), inst('unrelated', 't3')], ['arne-msg', 'marcus-msg', 'posta']);
  assert.deepEqual(world, { 'arne-msg': 't1', posta: 't2' });
  // Same instances: its own world. A container created since (the target) or deleted since is not another world.
  assert.equal(otherWorld(B(world), [inst('arne-msg', 't1'), inst('posta', 't2')]), null);
  assert.equal(otherWorld(B({ 'arne-msg': 't1' }), [inst('arne-msg', 't1'), inst('posta', 't9')]), null);
  assert.equal(otherWorld(B(world), [inst('posta', 't2')]), null);
  // A rebuilt lab: the same names, created again.
  const why = otherWorld(B(world), [inst('arne-msg', 't7'), inst('posta', 't2')]);
  assert.match(why!, /^baseline recorded 2026-12-03T06:00:00.000Z on other instances \(arne-msg created since\) — record a new one \(`v` \/ `status --baseline`\)$/);
  // Recorded by a run's baseline step: the run names it.
  assert.match(otherWorld({ ...B(world), runId: 1 }, [inst('arne-msg', 't7'), inst('posta', 't2')])!, /^baseline from run #1 on other instances \(arne-msg created since\) — record a new one/);
  // An old baseline without its world cannot be told apart: used as before.
  assert.equal(otherWorld(B(), [inst('arne-msg', 't7')]), null);
});
