// The pure engine: every legal transition, every illegal one, what may run next, the rollback plan after
// failures at several points, the outage clock and durations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STEP_STATES, type ResolvedStep, type StepState } from '../../src/engine/types.ts';
import { TRANSITIONS, canTransition, transition, IllegalTransition, type StepStates } from '../../src/engine/transitions.ts';
import { nextGroup, nextRunnable } from '../../src/engine/next.ts';
import { rollbackPlan, NOTHING_TO_UNDO } from '../../src/engine/rollback.ts';
import { outageClock, outageSteps } from '../../src/engine/outage.ts';
import { parseDuration, formatClock } from '../../src/engine/duration.ts';

const LEGAL: [StepState, StepState][] = [
  ['pending', 'running'],
  ['pending', 'skipped'],
  ['running', 'succeeded'],
  ['running', 'failed'],
  ['failed', 'running'],
  ['failed', 'skipped'],
  ['failed', 'rolled-back'],
  ['succeeded', 'rolled-back'],
];

test('transitions: exactly the documented pairs are legal', () => {
  for (const from of STEP_STATES) {
    for (const to of STEP_STATES) {
      const legal = LEGAL.some(([f, t]) => f === from && t === to);
      assert.equal(canTransition(from, to), legal, `${from} → ${to}`);
      if (legal) assert.deepEqual(transition({ s: from }, 's', to), { s: to });
      else assert.throws(() => transition({ s: from }, 's', to), (e: unknown) => e instanceof IllegalTransition && e.from === from && e.to === to && e.message.includes(`cannot go from ${from} to ${to}`));
    }
  }
  assert.equal(Object.values(TRANSITIONS).flat().length, LEGAL.length);
});

test('transitions: an untouched step is pending; transition does not mutate its input', () => {
  const states: StepStates = {};
  const next = transition(states, 'a', 'running');
  assert.deepEqual(states, {});
  assert.deepEqual(next, { a: 'running' });
  assert.throws(() => transition({}, 'a', 'succeeded'), /cannot go from pending to succeeded/);
  assert.throws(() => transition({ a: 'skipped' }, 'a', 'running'), /nothing, it is final/);
});

function step(key: string, over: Partial<ResolvedStep> = {}): ResolvedStep {
  return { key, id: key.replace(/\[.*$/, ''), index: 0, title: key, action: 'exec', params: {}, destructive: false, irreversible: false, rollback: { kind: 'none', reason: NOTHING_TO_UNDO }, verify: [], ...over };
}
function plan(...steps: ResolvedStep[]): ResolvedStep[] {
  return steps.map((s, i) => ({ ...s, index: i + 1 }));
}

// A small posta-like plan: create, stop ×2 (destructive, opens outage), copy, repoint (auto), smoke (closes), latch.
const P = plan(
  step('create', { action: 'container.create', rollback: { kind: 'none', reason: 'left for diagnosis' } }),
  step('stop[a]', { id: 'stop', action: 'service.stop', destructive: true, outage: 'opens', rollback: { kind: 'step', action: 'service.start', params: { container: 'a-msg', service: 'posta' } } }),
  step('stop[b]', { id: 'stop', action: 'service.stop', destructive: true, outage: 'opens', rollback: { kind: 'step', action: 'service.start', params: { container: 'b-msg', service: 'posta' } } }),
  step('copy', { action: 'copy' }),
  step('repoint', { action: 'proxy.repoint', destructive: true, rollback: { kind: 'auto' } }),
  step('smoke', { action: 'smoke', outage: 'closes' }),
  step('latch', { action: 'config.set', rollback: { kind: 'auto' }, after: ['smoke'] }),
);
const done = (n: number, extra: Record<string, StepState> = {}): Record<string, StepState> => ({ ...Object.fromEntries(P.slice(0, n).map((s) => [s.key, 'succeeded' as StepState])), ...extra });

test('nextRunnable: in order; blocked while running or after a failure, with the reason', () => {
  assert.equal((nextRunnable(P, {}) as { step: ResolvedStep }).step.key, 'create');
  assert.equal((nextRunnable(P, done(3)) as { step: ResolvedStep }).step.key, 'copy');
  assert.deepEqual(nextRunnable(P, done(3, { copy: 'running' })), { blocked: 'step 4 copy is running' });
  assert.deepEqual(nextRunnable(P, done(4, { repoint: 'failed' })), { blocked: 'step 5 repoint failed: retry it, skip it or roll back' });
  assert.equal((nextRunnable(P, done(3, { copy: 'skipped' })) as { step: ResolvedStep }).step.key, 'repoint');
  assert.match((nextRunnable(P, done(2, { 'stop[a]': 'rolled-back' })) as { blocked: string }).blocked, /rolled back/);
  assert.deepEqual(nextRunnable(P, done(7)), { blocked: 'all steps are done', done: true });
});

test('nextRunnable: a step whose `after` dependency was skipped may not run', () => {
  const r = nextRunnable(P, done(5, { smoke: 'skipped' }));
  assert.deepEqual(r, { blocked: 'step 7 latch needs smoke to have succeeded; it is skipped' });
});

test('rollbackPlan: nothing done → nothing to undo', () => {
  assert.deepEqual(rollbackPlan(P, {}), { entries: [], notUndoable: [] });
});

test('rollbackPlan: failure at the second legacy stop undoes the first stop (and the partial one), keeps create listed', () => {
  const r = rollbackPlan(P, done(2, { 'stop[b]': 'failed' }));
  assert.deepEqual(r.entries.map((e) => [e.step.key, e.undo.kind, e.partial]), [
    ['stop[b]', 'step', true],
    ['stop[a]', 'step', false],
    ['create', 'none', false],
  ]);
  assert.deepEqual(r.notUndoable.map((e) => e.step.key), ['create']);
  assert.deepEqual(r.entries[1]!.undo, { kind: 'step', action: 'service.start', params: { container: 'a-msg', service: 'posta' } });
});

test('rollbackPlan: failure at the proxy repoint: restore the proxy first, then restart the legacy daemons (the seed rollback)', () => {
  const r = rollbackPlan(P, done(4, { repoint: 'failed' }));
  assert.deepEqual(r.entries.map((e) => e.step.key), ['repoint', 'stop[b]', 'stop[a]', 'create']);
  assert.equal(r.entries[0]!.undo.kind, 'auto');
  assert.equal(r.entries[0]!.partial, true);
});

test('rollbackPlan: failure at the public smoke (non-destructive) undoes only what succeeded, newest first', () => {
  const r = rollbackPlan(P, done(5, { smoke: 'failed' }));
  assert.deepEqual(r.entries.map((e) => e.step.key), ['repoint', 'stop[b]', 'stop[a]', 'create']);
  assert.ok(r.entries.every((e) => !e.partial));
});

test('rollbackPlan: after a full run, the latch (auto) is undone first; skipped and rolled-back steps are left out', () => {
  const r = rollbackPlan(P, done(7, { 'stop[b]': 'skipped', repoint: 'rolled-back' }));
  assert.deepEqual(r.entries.map((e) => e.step.key), ['latch', 'stop[a]', 'create']);
});

test('outageSteps: from the first opening step through the closing one', () => {
  assert.deepEqual([...outageSteps(P)], ['stop[a]', 'stop[b]', 'copy', 'repoint', 'smoke']);
  assert.equal(outageSteps(plan(step('x'))).size, 0);
});

test('outageClock: idle, ok, amber past half the budget, red past it, frozen when closed', () => {
  const budget = parseDuration('3m');
  const t0 = 1_000_000;
  const idle = outageClock(P, { startedAt: {}, succeededAt: {} }, t0, budget);
  assert.deepEqual(idle, { start: null, end: null, elapsedMs: 0, budgetMs: budget, level: 'idle' });
  const started = { startedAt: { 'stop[a]': t0, 'stop[b]': t0 + 2000 }, succeededAt: {} };
  assert.equal(outageClock(P, started, t0 + 60_000, budget).level, 'ok');
  assert.equal(outageClock(P, started, t0 + 91_000, budget).level, 'amber');
  assert.equal(outageClock(P, started, t0 + 181_000, budget).level, 'red');
  const closed = outageClock(P, { ...started, succeededAt: { smoke: t0 + 72_000 } }, t0 + 999_000, budget);
  assert.deepEqual(closed, { start: t0, end: t0 + 72_000, elapsedMs: 72_000, budgetMs: budget, level: 'ok' });
  assert.equal(formatClock(closed.elapsedMs), '01:12');
});

test('parseDuration / formatClock', () => {
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('90s'), 90_000);
  assert.equal(parseDuration('3m'), 180_000);
  assert.equal(parseDuration('2h'), 7_200_000);
  assert.equal(parseDuration('7d'), 604_800_000);
  assert.throws(() => parseDuration('3 minutes'), /not a duration like 500ms/);
  assert.throws(() => parseDuration('-1s'), /not a duration/);
  assert.equal(formatClock(0), '00:00');
  assert.equal(formatClock(-5), '00:00');
  assert.equal(formatClock(3_723_000), '1:02:03');
});

test('nextGroup: a parallel step runs with its pending siblings; a plain one, a started group or a blocked plan do not widen', () => {
  const par = (key: string) => step(key, { id: 'stop', action: 'service.stop', parallel: true });
  const G = plan(step('create'), par('stop[a]'), par('stop[b]'), par('stop[c]'), step('copy[a]', { id: 'copy' }), step('copy[b]', { id: 'copy' }));
  const keys = (states: StepStates) => {
    const g = nextGroup(G, states);
    return 'steps' in g ? g.steps.map((s) => s.key) : g.blocked;
  };
  assert.deepEqual(keys({}), ['create']);
  assert.deepEqual(keys({ create: 'succeeded' }), ['stop[a]', 'stop[b]', 'stop[c]']);
  // a sibling done already (a resume after it succeeded alone) is not run again
  assert.deepEqual(keys({ create: 'succeeded', 'stop[a]': 'succeeded', 'stop[b]': 'succeeded' }), ['stop[c]']);
  // not parallel: one at a time
  assert.deepEqual(keys({ create: 'succeeded', 'stop[a]': 'succeeded', 'stop[b]': 'succeeded', 'stop[c]': 'succeeded' }), ['copy[a]']);
  // a member failed or still running: nothing runs (the engine's own rule)
  assert.match(String(keys({ create: 'succeeded', 'stop[a]': 'succeeded', 'stop[b]': 'failed' })), /stop\[b\] failed/);
  assert.match(String(keys({ create: 'succeeded', 'stop[a]': 'running' })), /stop\[a\] is running/);
  const done = nextGroup(G, Object.fromEntries(G.map((s) => [s.key, 'succeeded' as StepState])));
  assert.ok('done' in done && done.done);
});
