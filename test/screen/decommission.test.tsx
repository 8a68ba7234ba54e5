// The decommission gates in the cockpit: a blocked stability gate shows its earliest date and time left and
// `w` waives it only with a typed, non-empty reason (which reaches the driver as the waiver); the log review's
// findings need the explicit `a` acknowledgement (o shows the lines); neither key exists in read-only watch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DECOMMISSION_STEPS, freshState } from '../../screens/fixtures/posta.ts';
import type { CockpitState } from '../../screens/state/types.ts';
import type { ResolvedStep } from '../../src/engine/types.ts';
import { KEY, renderScreen } from './render.tsx';

const message = (lines: string[]) => lines.at(-2)!;
const footer = (lines: string[]) => lines.at(-1)!;

const gate = DECOMMISSION_STEPS[0]!;
const review: ResolvedStep = { ...gate, key: 'review-logs', id: 'review-logs', index: 2, title: "review posta's logs", action: 'logs.review', params: { container: 'posta' } };
const STEPS: ResolvedStep[] = [gate, review, ...DECOMMISSION_STEPS.slice(1).map((s) => ({ ...s, index: s.index + 1 }))];
const BLOCKED =
  'stability window 7d since journal run #1 of posta-multitenant-cutover-lab: not before 2026-05-17T00:45Z (earliest date 2026-05-17), 6 d 23 h left; wait, or waive it with --waive-window --reason "…"';
const NOT_ACKED = 'log review not acknowledged: 1 restart, 1 panic, 3 errors (arne 2, marcus 1); postpone, or read the lines with cutover review';

function state(opts: { readOnly?: boolean } = {}): CockpitState {
  return freshState({ steps: STEPS, ...opts });
}

test('stability gate: w is disabled until the gate blocked; blocked, the pane shows the earliest date and time left', async () => {
  const s = await renderScreen(state(), { columns: 120, rows: 30 });
  await s.press('w');
  assert.match(message(s.lines()), /w waive: the gate has not blocked \(enter runs it\)/);
  assert.match(footer(s.lines()), /w waive: the gate has not blocked/);
  await s.dispatch({ type: 'step-state', key: 'stability-gate', state: 'running' }, { type: 'step-state', key: 'stability-gate', state: 'failed', error: BLOCKED });
  const text = s.text();
  assert.match(text, /not before 2026-05-17T00:45Z/);
  assert.match(text, /6 d 23 h\s+(│\s+)?left|6 d 23 h left/);
  assert.match(message(s.lines()), /w waives the window with a typed reason/);
  assert.match(footer(s.lines()), /w waive · /, 'w is offered now');
  s.unmount();
});

test('stability gate: the waiver needs a non-empty reason, which reaches the driver with the run request', async () => {
  const s = await renderScreen(state(), { columns: 120, rows: 30 });
  await s.dispatch({ type: 'step-state', key: 'stability-gate', state: 'failed', error: BLOCKED });
  await s.press('w');
  assert.match(message(s.lines()), /! WAIVE the stability window at stability-gate: reason/);
  await s.type('   ');
  await s.press(KEY.enter);
  assert.match(message(s.lines()), /✗ a waiver needs a reason/);
  assert.deepEqual(s.effects, []);
  await s.press(KEY.backspace, KEY.backspace, KEY.backspace);
  await s.type('legacy kept as export; owner agreed');
  await s.press(KEY.enter);
  assert.deepEqual(s.effects, [{ type: 'run-step', key: 'stability-gate', waiver: { reason: 'legacy kept as export; owner agreed' } }]);
  s.unmount();
});

test('stability gate: esc cancels the waiver; enter alone runs the gate without one', async () => {
  const s = await renderScreen(state(), { columns: 120, rows: 30 });
  await s.dispatch({ type: 'step-state', key: 'stability-gate', state: 'failed', error: BLOCKED });
  await s.press('w');
  await s.type('because');
  await s.press(KEY.esc);
  assert.deepEqual(s.effects, []);
  await s.press(KEY.enter, KEY.enter);
  assert.deepEqual(s.effects, [{ type: 'run-step', key: 'stability-gate' }]);
  s.unmount();
});

test('log review: a is disabled until the review found something; then a asks and y runs it again acknowledged', async () => {
  const base = state();
  const s = await renderScreen({ ...base, steps: base.steps.map((v, i) => (i === 0 ? { ...v, state: 'succeeded' } : v)) }, { columns: 120, rows: 30 });
  await s.press('a');
  assert.match(message(s.lines()), /a ack: run the log review first \(enter\)/);
  assert.deepEqual(s.effects, []);
  await s.dispatch(
    { type: 'step-state', key: 'review-logs', state: 'running' },
    { type: 'output', key: 'review-logs', lines: ['✗ needs a look: 1 restart, 1 panic, 3 errors', 'panics:', '  2026-05-12T03:00:00Z panic: runtime error: index out of range'] },
    { type: 'step-state', key: 'review-logs', state: 'failed', error: 'posta: incus exec failed: instance not running' },
  );
  // A review that failed for another reason offers the rollback, not an acknowledgement: the code decides, not the text.
  assert.match(message(s.lines()), /review-logs failed: .*r shows the rollback plan/);
  await s.dispatch({ type: 'step-state', key: 'review-logs', state: 'failed', error: NOT_ACKED, code: 'not-acknowledged' });
  assert.match(message(s.lines()), /o shows the lines · a acknowledges them/);
  await s.press('o');
  assert.match(s.text(), /panic: runtime error: index out of range/, 'the matching lines are one key away');
  await s.press(KEY.esc, 'a');
  assert.match(message(s.lines()), /acknowledge what the log review found \(o shows the lines\) and run review-logs again\? y acknowledge/);
  await s.press(KEY.enter);
  assert.deepEqual(s.effects, [], 'enter is not an acknowledgement');
  await s.press('y');
  assert.deepEqual(s.effects, [{ type: 'run-step', key: 'review-logs', acknowledgeLogs: true }]);
  s.unmount();
});

test('read-only watch: w and a do not exist; pressing them says who drives', async () => {
  const s = await renderScreen(state({ readOnly: true }), { columns: 120, rows: 30 });
  await s.dispatch({ type: 'step-state', key: 'stability-gate', state: 'failed', error: BLOCKED });
  assert.doesNotMatch(footer(s.lines()), /waive|acknowledge/);
  await s.press('w');
  assert.match(message(s.lines()), /read-only: .* drives/);
  await s.press('a');
  assert.match(message(s.lines()), /read-only: .* drives/);
  assert.deepEqual(s.effects, []);
  s.unmount();
});
