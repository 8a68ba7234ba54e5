// Confirmation flows driven by keys: a plain step runs on enter+enter, a destructive one only on y, an
// irreversible one only with the container name typed (a wrong name is rejected and nothing runs); skip
// needs a reason; d shows the diff; o the output; r the rollback plan then asks; q asks while a step runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DECOMMISSION_STEPS, freshState, midCutoverState, REPOINT_DIFF } from '../../screens/fixtures/posta.ts';
import type { CockpitState } from '../../screens/state/types.ts';
import { KEY, renderScreen } from './render.tsx';

const message = (lines: string[]) => lines.at(-2)!;

/** The posta steps with everything before `key` succeeded. */
function readyAt(key: string, opts: { columns?: number; rows?: number } = {}): CockpitState {
  const s = freshState(opts);
  const at = s.steps.findIndex((v) => v.step.key === key);
  return { ...s, selected: at, steps: s.steps.map((v, i) => (i < at ? { ...v, state: 'succeeded' } : v)) };
}

test('plain step: enter asks, enter again runs; esc cancels without running', async () => {
  const s = await renderScreen(freshState(), { columns: 120, rows: 30 });
  await s.press(KEY.enter);
  assert.match(message(s.lines()), /run 1\/29 baseline\? enter\/y run · esc cancel/);
  assert.deepEqual(s.effects, []);
  await s.press(KEY.esc);
  assert.doesNotMatch(message(s.lines()), /run 1\/29/);
  assert.deepEqual(s.effects, []);
  await s.press(KEY.enter, KEY.enter);
  assert.deepEqual(s.effects, [{ type: 'run-step', key: 'baseline' }]);
  assert.match(message(s.lines()), /running baseline…/);
  s.unmount();
});

test('destructive step: enter asks with DESTRUCTIVE, a second enter does not run it, n cancels, y runs', async () => {
  const s = await renderScreen(readyAt('stop-legacy[arne]'), { columns: 120, rows: 30 });
  await s.press(KEY.enter);
  assert.match(message(s.lines()), /! DESTRUCTIVE run 8\/29 stop-legacy\[arne\]\? y run · esc cancel/);
  await s.press(KEY.enter);
  assert.deepEqual(s.effects, []);
  assert.match(message(s.lines()), /! DESTRUCTIVE run 8\/29/, 'still asking');
  await s.press(KEY.enter, 'n');
  assert.deepEqual(s.effects, []);
  assert.equal(s.store.getState().overlay, null);
  await s.press(KEY.enter, 'y');
  assert.deepEqual(s.effects, [{ type: 'run-step', key: 'stop-legacy[arne]' }]);
  s.unmount();
});

test('irreversible step: the container name must be typed; a wrong name is rejected and nothing runs', async () => {
  const base = freshState({ steps: DECOMMISSION_STEPS });
  const state: CockpitState = { ...base, steps: base.steps.map((v, i) => (i === 0 ? { ...v, state: 'succeeded' } : v)) };
  const s = await renderScreen(state, { columns: 120, rows: 30 });
  assert.match(s.text(), /!! incus delete --force arne-msg/, 'the list marks it irreversible');
  await s.press(KEY.enter);
  assert.match(message(s.lines()), /!! IRREVERSIBLE delete-legacy\[arne\]: type arne-msg and enter \(esc cancel\) › ▏/);
  // y is just a typed letter here, not a yes.
  await s.type('y');
  assert.deepEqual(s.effects, []);
  await s.press(KEY.backspace);
  await s.type('arne');
  await s.press(KEY.enter);
  assert.match(message(s.lines()), /✗ "arne" is not the name: type arne-msg exactly › ▏/);
  assert.deepEqual(s.effects, []);
  await s.type('arne-msgx');
  await s.press(KEY.enter);
  assert.match(message(s.lines()), /"arne-msgx" is not the name/);
  assert.deepEqual(s.effects, []);
  assert.equal(s.store.getState().steps[1]!.state, 'pending');
  await s.type('arne-msgx');
  await s.press(KEY.backspace, KEY.enter);
  assert.deepEqual(s.effects, [{ type: 'run-step', key: 'delete-legacy[arne]', typed: 'arne-msg' }], 'the typed name goes to the executor, which checks it again');
  s.unmount();
});

test('irreversible step: esc cancels the typed confirmation', async () => {
  const base = freshState({ steps: DECOMMISSION_STEPS });
  const s = await renderScreen({ ...base, steps: base.steps.map((v, i) => (i === 0 ? { ...v, state: 'succeeded' } : v)) }, { columns: 120, rows: 30 });
  await s.press(KEY.enter);
  await s.type('arne-msg');
  await s.press(KEY.esc, KEY.enter);
  // After esc, enter asks again from scratch: nothing typed survives.
  assert.match(message(s.lines()), /type arne-msg and enter \(esc cancel\) › ▏/);
  assert.deepEqual(s.effects, []);
  s.unmount();
});

test('skip with a reason: s asks, an empty reason is refused, the reason goes into the effect and the pane', async () => {
  const s = await renderScreen(freshState(), { columns: 120, rows: 30 });
  await s.press('s');
  assert.match(message(s.lines()), /skip baseline: reason \(enter submit, esc cancel\) › ▏/);
  await s.press(KEY.enter);
  assert.match(message(s.lines()), /✗ a reason is required to skip/);
  assert.deepEqual(s.effects, []);
  await s.type('  ');
  await s.press(KEY.enter);
  assert.deepEqual(s.effects, [], 'blank is not a reason');
  await s.type('recorded by hand yesterday');
  await s.press(KEY.enter);
  assert.deepEqual(s.effects, [{ type: 'skip-step', key: 'baseline', reason: 'recorded by hand yesterday' }]);
  await s.dispatch({ type: 'step-state', key: 'baseline', state: 'skipped' });
  await s.press(KEY.up);
  assert.match(s.text(), /│›↷ {2}1 {3}record key fingerprints/);
  assert.match(s.text(), /↷ skipped: recorded by hand yesterday/);
  s.unmount();
});

test('diff view: d shows the unified diff with +/- lines, scrolls, esc goes back; the pane previews it before output', async () => {
  const s = await renderScreen(readyAt('repoint-caddy', { columns: 120, rows: 24 }), { columns: 120, rows: 24 });
  await s.dispatch({ type: 'diff', key: 'repoint-caddy', diff: REPOINT_DIFF });
  assert.match(s.text(), /Diff · repoint-caddy/, 'the pane title');
  await s.press('d');
  let lines = s.lines();
  assert.match(lines[1]!, /├─ Diff · repoint-caddy · ↑↓ PgUp PgDn scroll · esc back ─/);
  assert.match(lines[2]!, /^│--- \/etc\/caddy\/Caddyfile/);
  assert.match(lines[3]!, /^│\+\+\+ \/etc\/caddy\/Caddyfile \(after repoint-caddy\)/);
  assert.equal(lines.filter((l) => /^│- {2}reverse_proxy 10\.228\.107\.(201|229|205):80/.test(l)).length, 3);
  assert.ok(lines.filter((l) => /^│\+ {2}reverse_proxy 10\.228\.107\.168:80/.test(l)).length >= 2);
  await s.press(KEY.pagedown);
  lines = s.lines();
  assert.doesNotMatch(lines[2]!, /^│---/);
  assert.match(lines.slice(2, -2).filter((l) => l.trim() !== '│' && !/^│\s+│$/.test(l)).at(-1)!, /^│ }/, 'the end of the diff is visible');
  await s.press(KEY.pageup);
  assert.match(s.lines()[2]!, /^│---/);
  await s.press(KEY.esc);
  assert.match(s.text(), /├─ Runbook/);
  s.unmount();
});

test('diff in colour: + lines green, - lines red, hunks cyan (the glyphs stay when colour is off)', async () => {
  const s = await renderScreen(readyAt('repoint-caddy'), { columns: 120, rows: 30 });
  await s.dispatch({ type: 'diff', key: 'repoint-caddy', diff: REPOINT_DIFF });
  await s.press('d');
  const raw = s.raw();
  // Ink's chalk only colours when it detects colour support; the glyphs carry the meaning either way.
  if (/\u001b\[3\dm/.test(raw)) {
    assert.match(raw, /\u001b\[32m\+\s+reverse_proxy 10\.228\.107\.168:80/);
    assert.match(raw, /\u001b\[31m-\s+reverse_proxy 10\.228\.107\.201:80/);
  }
  assert.match(s.text(), /\+\s+reverse_proxy 10\.228\.107\.168:80/);
  s.unmount();
});

test('output view: o shows the full output, follows new lines, scrolls back', async () => {
  const s = await renderScreen(readyAt('copy-db[arne]', { columns: 80, rows: 24 }), { columns: 80, rows: 24 });
  await s.dispatch({ type: 'step-state', key: 'copy-db[arne]', state: 'running' });
  await s.dispatch({ type: 'output', key: 'copy-db[arne]', lines: Array.from({ length: 40 }, (_, i) => `line ${i + 1}`) });
  await s.press('o');
  assert.match(s.lines()[1]!, /Output · copy-db\[arne\] \(following\)/);
  assert.match(s.text(), /line 40/);
  await s.dispatch({ type: 'output', key: 'copy-db[arne]', lines: ['line 41: sha256 ok'] });
  assert.match(s.text(), /line 41: sha256 ok/);
  await s.press(KEY.pageup, KEY.pageup, KEY.pageup);
  assert.match(s.lines()[2]!, /│line 1 /);
  assert.doesNotMatch(s.lines()[1]!, /following/);
  await s.press('q');
  assert.deepEqual(s.effects, []);
  s.unmount();
});

test('failed step: the pane says what failed and the auto-revert outcome; r shows the rollback plan, y rolls back', async () => {
  const s = await renderScreen(midCutoverState(), { columns: 120, rows: 30 });
  await s.dispatch({ type: 'step-state', key: 'repoint-caddy', state: 'failed', error: 'caddy reload: exit 1', revert: 'Caddyfile restored from backup' });
  let text = s.text();
  assert.match(text, /✗ failed: caddy reload: exit 1/);
  assert.match(text, /↺ auto-revert: Caddyfile restored from backup/);
  assert.match(text, /│›✗ 20 ! repoint/);
  assert.match(message(s.lines()), /✗ repoint-caddy failed: caddy reload: exit 1; Caddyfile restored from backup\. r shows the rollback plan\./);
  await s.press('r');
  text = s.text();
  assert.match(s.lines()[1]!, /Rollback plan · 20 steps, newest first/);
  assert.match(text, / 1\. repoint-caddy repoint Caddy/);
  assert.match(text, /↺ undone by the action itself/);
  assert.match(text, /↺ service\.stop posta posta/);
  assert.match(message(s.lines()), /roll back the steps above\? y roll back · esc cancel/);
  await s.press(KEY.esc);
  assert.deepEqual(s.effects, []);
  await s.press('r', 'y');
  assert.deepEqual(s.effects, [{ type: 'rollback' }]);
  // While it runs the header says "rolling back" (never "done n/n", not yet "rolled back"); q asks.
  await s.dispatch({ type: 'rolling-back', on: true });
  await s.dispatch({ type: 'step-state', key: 'repoint-caddy', state: 'rolled-back' });
  assert.match(s.lines()[0]!, /rolling back \(1 undone\)/);
  await s.press('q');
  assert.match(message(s.lines()), /the rollback is running: quitting interrupts it \(`cutover rollback` finishes it\) · y quit · n stay/);
  await s.press('n');
  assert.equal(s.effects.length, 1, 'n stays: nothing but the rollback asked for');
  await s.dispatch({ type: 'rolling-back', on: false });
  assert.match(s.lines()[0]!, /rolled back \(1 undone\)/);
  assert.doesNotMatch(s.lines()[0]!, /rolling back|done \d+\/\d+/);
  s.unmount();
});

test('quit: q quits at once when idle (resumable while steps remain); while a step runs it asks first', async () => {
  const idle = await renderScreen(readyAt('copy-db[arne]'), { columns: 120, rows: 30 });
  await idle.press('q');
  assert.deepEqual(idle.effects, [{ type: 'quit', resumable: true }]);
  idle.unmount();
  const busy = await renderScreen(midCutoverState(), { columns: 120, rows: 30 });
  await busy.press('q');
  assert.match(message(busy.lines()), /a step is running: quit the cockpit\? the run stays resumable with cutover run · y quit · n stay/);
  await busy.press('n');
  assert.deepEqual(busy.effects, []);
  await busy.press('q', 'y');
  assert.deepEqual(busy.effects, [{ type: 'quit', resumable: true }]);
  busy.unmount();
});

test('a stale question is refused: the step it was about started elsewhere meanwhile', async () => {
  const s = await renderScreen(readyAt('stop-legacy[arne]'), { columns: 120, rows: 30 });
  await s.press(KEY.enter);
  await s.dispatch({ type: 'step-state', key: 'stop-legacy[arne]', state: 'running' });
  await s.press('y');
  assert.deepEqual(s.effects, []);
  assert.match(message(s.lines()), /stop-legacy\[arne\] is running/);
  s.unmount();
});

test('keys arriving in one chunk (typed fast or pasted) act one by one', async () => {
  const s = await renderScreen(freshState(), { columns: 120, rows: 30 });
  await s.press('jjj');
  assert.equal(s.store.getState().selected, 3);
  await s.press('?q');
  assert.equal(s.store.getState().overlay, null, '? opened help, q closed it');
  await s.press('s');
  await s.press('by hand');
  assert.match(message(s.lines()), /reason .* › by hand▏/);
  s.unmount();
});
