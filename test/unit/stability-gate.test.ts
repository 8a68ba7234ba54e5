import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideStabilityGate, humanLeft } from '../../src/actions/stability.ts';
import { parseCutoverAt } from '../../src/actions/decommission-inputs.ts';
import { gateStability as stabilityGate } from '../../src/actions/gate-stability.ts';
import { ActionError, type ActionContext } from '../../src/actions/types.ts';
import type { ResolvedStep } from '../../src/engine/types.ts';

const END = Date.parse('2026-05-10T00:45:51Z');
const DAY = 86_400_000;
const base = { window: '7d', windowMs: 7 * DAY, cutoverEnd: { at: END, source: 'journal run #1 of posta-multitenant-cutover' } };

test('before the window: refused, naming the earliest date and the time left', () => {
  const v = decideStabilityGate({ ...base, now: END + 2 * 3_600_000 });
  assert.equal(v.pass, false);
  assert.equal(v.earliest, END + 7 * DAY);
  assert.match(v.message, /not before 2026-05-17 00:45 UTC \(earliest date 2026-05-17\), 6 d 22 h left/);
  assert.match(v.message, /--waive-window --reason/);
  assert.match(v.message, /journal run #1 of posta-multitenant-cutover/);
});

test('after the window: passes without a waiver', () => {
  const v = decideStabilityGate({ ...base, now: END + 7 * DAY });
  assert.equal(v.pass, true);
  assert.equal(v.pass && v.waived, false);
});

test('a waiver with a reason lets it pass early and says who, why and how early', () => {
  const v = decideStabilityGate({ ...base, now: END + 3_600_000, waiver: { who: 'ingrid', reason: '  verified end-to-end  ' } });
  assert.ok(v.pass && v.waived);
  assert.equal(v.who, 'ingrid');
  assert.equal(v.reason, 'verified end-to-end');
  assert.match(v.message, /WAIVED by ingrid 6 d 23 h early/);
});

test('a waiver without a reason is refused; a waiver after the window is not needed', () => {
  const v = decideStabilityGate({ ...base, now: END + 3_600_000, waiver: { who: 'ingrid', reason: '  ' } });
  assert.equal(v.pass, false);
  assert.match(v.message, /a waiver needs a reason/);
  const late = decideStabilityGate({ ...base, now: END + 8 * DAY, waiver: { who: 'ingrid', reason: 'x' } });
  assert.ok(late.pass && !late.waived);
});

test('no recorded cutover end: closed, even with a waiver; --cutover-at is named', () => {
  for (const waiver of [undefined, { who: 'ingrid', reason: 'because' }]) {
    const v = decideStabilityGate({ ...base, cutoverEnd: null, now: END, waiver });
    assert.equal(v.pass, false);
    assert.match(v.message, /--cutover-at/);
  }
});

test('humanLeft and --cutover-at parsing', () => {
  assert.equal(humanLeft(7 * DAY), '7 d 0 h');
  assert.equal(humanLeft(90 * 60_000), '1 h 30 min');
  assert.equal(humanLeft(30_000), '1 min');
  assert.equal(parseCutoverAt('2026-05-10T00:45Z'), Date.parse('2026-05-10T00:45:00Z'));
  assert.equal(parseCutoverAt('2026-05-10 02:45:51+0200'), END);
  assert.equal(parseCutoverAt('2026-05-10'), Date.parse('2026-05-10T00:00:00Z'));
  assert.throws(() => parseCutoverAt('yesterday'), /not a time like/);
});

function step(params: Record<string, unknown>): ResolvedStep {
  return { key: 'stability-window', id: 'stability-window', index: 1, title: 't', action: 'gate.stability', params, destructive: false, irreversible: false, rollback: { kind: 'none', reason: '' }, verify: [] };
}

function ctx(over: Partial<ActionContext>, now: number): ActionContext {
  return { now: () => now, emit: () => {}, confirm: async () => true, resolve: async (t: string) => t, ...over } as unknown as ActionContext;
}

test('executor: refuses when the driver gives no cutover record; journals the waiver when it passes early', async () => {
  await assert.rejects(stabilityGate.run(step({ window: '7d' }), ctx({}, END)), (e: Error) => e instanceof ActionError && /stability window stays closed/.test(e.message));

  const waivers: unknown[] = [];
  const asked: (string | undefined)[] = [];
  const inputs = {
    cutoverEnd: async (since: string | undefined) => (asked.push(since), { at: END, source: 'test' }),
    waiver: { who: 'ingrid', reason: 'verified end-to-end' },
    recordWaiver: (w: unknown) => void waivers.push(w),
  };
  const r = await stabilityGate.run(step({ window: '7d', since: 'posta-multitenant-cutover' }), ctx({ decommission: inputs }, END + 60_000));
  assert.deepEqual(asked, ['posta-multitenant-cutover']);
  assert.deepEqual(waivers, [{ gate: 'stability', who: 'ingrid', reason: 'verified end-to-end', at: END + 60_000 }]);
  assert.deepEqual((r.changed as { waived: unknown }).waived, { who: 'ingrid', reason: 'verified end-to-end', at: END + 60_000 });
  assert.equal((r.changed as { earliest: number }).earliest, END + 7 * DAY);

  await assert.rejects(
    stabilityGate.run(step({ window: '7d' }), ctx({ decommission: { ...inputs, waiver: undefined } }, END + 60_000)),
    /earliest date 2026-05-17/,
  );
  assert.equal(waivers.length, 1, 'a refused gate journals no waiver');
});
