// The header names the state of the world the journal describes when this cockpit's plan has not run yet
// (after a decommission: "decommissioned (run #N) · next 1/N", never a bare "step 1/N" on a world already
// changed), and a follower (watch) shows "rolling back" while the driver's rollback runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freshState, greenSnapshot, midCutoverState } from '../../screens/fixtures/posta.ts';
import { reduce } from '../../screens/state/reducer.ts';
import { buildFrame } from '../../screens/frame.ts';
import { lineText } from '../../screens/text.ts';
import type { CockpitState } from '../../screens/state/types.ts';
import type { Snapshot } from '../../checks/types.ts';

const header = (s: CockpitState) => lineText(buildFrame(s, 120, 30)[0]!);
const withWorld = (s: CockpitState, world: Snapshot['world']): CockpitState => reduce(s, { type: 'snapshot', snapshot: { ...greenSnapshot(), world } }).state;

test('a fresh plan on a decommissioned world: the header says decommissioned, then what enter runs', () => {
  const s = withWorld(freshState(), { kind: 'decommissioned', runId: 4, text: 'decommissioned (run #4)' });
  assert.match(header(s), /decommissioned \(run #4\) · next 1\/29/);
  assert.doesNotMatch(header(s), /step 1\/29/);
  // Before any run the plain counter stays.
  assert.match(header(withWorld(freshState(), { kind: 'before', text: 'before the cutover' })), /step 1\/29/);
  // Once a step of this plan ran, the plan's own progress is the state.
  const ran = reduce(s, { type: 'step-state', key: s.steps[0]!.step.key, state: 'succeeded' }).state;
  assert.match(header(ran), /step 2\/29/);
});

test('watch follows a rollback: "rolling back" from the journal, "rolled back" once it ended', () => {
  let s = midCutoverState({ readOnly: true });
  s = reduce(s, { type: 'step-state', key: 'repoint-caddy', state: 'rolled-back' }).state;
  s = withWorld(s, { kind: 'rolling-back', runId: 3, text: 'rolling back (run #3): 1 step(s) undone so far' });
  assert.match(header(s), /rolling back \(1 undone\)/);
  s = withWorld(s, { kind: 'rolled-back', runId: 3, text: 'rolled back (run #3): the legacy containers serve' });
  assert.match(header(s), /rolled back \(1 undone\)/);
  assert.doesNotMatch(header(s), /rolling back/);
});
