// At rest nothing is drawn: a clock tick or a panel refresh that changes nothing visible makes no new frame
// (the cockpit's idle TTY traffic); token ages in the side panels move in 10 s steps under a minute, then
// in minutes; the outage clock, while the window is open, still draws each second.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coarseAge } from '../../screens/components/glyphs.ts';
import { freshState, greenSnapshot, T0 } from '../../screens/fixtures/posta.ts';
import { renderScreen } from './render.tsx';

test('coarse ages: <10s, tens of seconds, minutes, hours+minutes, days', () => {
  assert.deepEqual([0, 9_999, 10_000, 59_999, 60_000, 3_599_000, 3_600_000, 5 * 3_600_000 + 7 * 60_000, 86_400_000 * 3].map(coarseAge), ['<10s', '<10s', '10s', '50s', '1m', '59m', '1h00m', '5h07m', '3d']);
});

test('idle: ticks and identical panel refreshes write no frame; an age crossing its step does', async () => {
  const s = await renderScreen({ ...freshState(), clock: { openedAt: null, closedAt: null, budgetMs: 180_000, now: T0 } }, { columns: 120, rows: 30 });
  await s.dispatch({ type: 'snapshot', snapshot: greenSnapshot() });
  const before = s.frameCount();
  const text = s.text();
  assert.match(text, /arne\/tui-dev\s+10s kept/);
  for (let i = 1; i <= 5; i++) await s.dispatch({ type: 'tick', now: T0 + i * 1000 }, { type: 'snapshot', snapshot: greenSnapshot() });
  assert.equal(s.frameCount(), before, 'five seconds of ticks and refreshes: no new frame');
  assert.equal(s.text(), text);
  await s.dispatch({ type: 'tick', now: T0 + 9000 });
  assert.equal(s.frameCount(), before + 1, 'arne seen 21 s ago now: one new frame');
  assert.match(s.text(), /arne\/tui-dev\s+20s kept/);
  s.unmount();
});

test('the open outage window still draws its clock each second', async () => {
  const s = await renderScreen({ ...freshState(), clock: { openedAt: T0, closedAt: null, budgetMs: 180_000, now: T0 } }, { columns: 120, rows: 30 });
  const before = s.frameCount();
  await s.dispatch({ type: 'tick', now: T0 + 1000 });
  await s.dispatch({ type: 'tick', now: T0 + 2000 });
  assert.equal(s.frameCount(), before + 2);
  assert.match(s.lines()[0]!, /outage 00:02 \/ 03:00/);
  s.unmount();
});

test('dispatchAll applies every action in order and tells subscribers once', async () => {
  const { createCockpitStore } = await import('../../screens/state/store.ts');
  const store = createCockpitStore(freshState());
  let told = 0;
  store.subscribe(() => told++);
  const steps = store.getState().steps.slice(0, 3);
  store.dispatchAll(steps.map((st) => ({ type: 'diff', key: st.step.key, diff: `+ preview of ${st.step.key}` })));
  assert.equal(told, 1);
  for (const [i, st] of steps.entries()) assert.equal(store.getState().steps[i]!.diff, `+ preview of ${st.step.key}`);
  store.dispatchAll([]);
  assert.equal(told, 1, 'nothing changed: nobody told');
});
