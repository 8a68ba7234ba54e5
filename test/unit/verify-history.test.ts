// The verification history's pure aggregation (checks/history.ts) and the --every loop (verify-schedule.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coverage, percentile, redPeriods, strips, summarizeHistory, historyLine, describeRedPeriod, type VerificationRun } from '../../checks/history.ts';
import { startSchedule } from '../../src/commands/verify-schedule.ts';

const T0 = Date.parse('2026-05-10T01:00:00Z');
const S = 5000;

function run(i: number, o: { ok?: boolean | null; red?: { identity: string; check: string; said: string }[]; latency?: number; lastSeen?: string; error?: string } = {}): VerificationRun {
  const red = o.red ?? [];
  const ok = o.ok === undefined ? (red.length ? false : true) : o.ok;
  const cannot = ok === null;
  return {
    id: i + 1,
    runbook: 'cut',
    at: T0 + i * S,
    durationMs: 100,
    intervalMs: S,
    ok,
    error: cannot ? (o.error ?? 'containers: cannot list containers') : null,
    phase: cannot ? null : 'after',
    criteria: cannot ? [] : [{ id: 'proxy', ok: true, said: 'ok' }, { id: 'smoke', ok: red.length ? false : true, said: red.length ? 'red' : 'all green' }],
    checks: cannot
      ? []
      : ['arne', 'marcus'].flatMap((identity) =>
          ['actor'].map((check) => {
            const r = red.find((x) => x.identity === identity && x.check === check);
            return { identity, check, vantage: 'public', ok: !r, status: r ? 502 : 200, latencyMs: (o.latency ?? 10) + (identity === 'marcus' ? 100 : 0), said: r ? r.said : 'status 200' };
          }),
        ),
    tokens: cannot ? [] : [{ identity: 'arne', device: 'phone', ok: true, lastSeenAt: o.lastSeen ?? '2026-05-10T01:00:00Z', said: 'seen' }],
    restarts: null,
  };
}

test('percentile: nearest rank', () => {
  assert.equal(percentile([], 50), null);
  assert.equal(percentile([1, 2, 3, 4], 50), 2);
  assert.equal(percentile([1, 2, 3, 4], 90), 4);
  assert.equal(percentile([7], 99), 7);
});

test('coverage: cannot-check runs and missing runs are gaps; overlap counts once', () => {
  const runs = [run(0), run(1), run(2, { ok: null }), run(3), run(6)];
  const c = coverage(runs, T0, T0 + 8 * S);
  // covered (each run its interval + 10% slack): [0, 2.1S], [3S, 4.1S], [6S, 7.1S]
  assert.equal(c.coveredMs, 4.3 * S);
  assert.equal(c.spanMs, 8 * S);
  assert.ok(Math.abs(c.ratio - 4.3 / 8) < 1e-9);
  assert.deepEqual(c.gaps[0], { from: T0 + 4.1 * S, to: T0 + 6 * S });
  assert.equal(c.gaps.length, 3);
  assert.equal(coverage([], T0, T0 + S).ratio, 0);
});

test('red periods: first seen, last seen, cleared by the first green run; cannot-check neither ends nor extends one', () => {
  const said = 'status 502, expected 200';
  const runs = [run(0), run(1, { red: [{ identity: 'arne', check: 'actor', said }] }), run(2, { ok: null }), run(3, { red: [{ identity: 'arne', check: 'actor', said: 'timeout' }] }), run(4), run(5, { red: [{ identity: 'marcus', check: 'actor', said }] })];
  const p = redPeriods(runs);
  assert.equal(p.length, 2);
  assert.deepEqual(
    { identity: p[0]!.identity, check: p[0]!.check, firstSeen: p[0]!.firstSeen, lastSeen: p[0]!.lastSeen, clearedAt: p[0]!.clearedAt, runs: p[0]!.runs, said: p[0]!.said, lastSaid: p[0]!.lastSaid },
    { identity: 'arne', check: 'actor (public)', firstSeen: T0 + S, lastSeen: T0 + 3 * S, clearedAt: T0 + 4 * S, runs: 2, said, lastSaid: 'timeout' },
  );
  assert.equal(p[1]!.identity, 'marcus');
  assert.equal(p[1]!.clearedAt, null, 'still red at the last run');
  assert.match(describeRedPeriod(p[0]!), /^arne actor \(public\) 2026-05-10 01:00:05Z–01:00:15Z \(2 runs, cleared 01:00:20Z\): status 502/);
  // the smoke criterion is explained by its items: no host-wide "smoke" period
  assert.ok(!p.some((x) => x.check === 'smoke'));
});

test('red periods: a reason given only in between (refused, timed out, refused) is kept and described', () => {
  const red = (said: string) => ({ red: [{ identity: 'arne', check: 'actor', said }] });
  const runs = [run(0), run(1, red('connection refused')), run(2, red('timed out after 5 s')), run(3, red('timed out after 5 s')), run(4, red('connection refused')), run(5)];
  const [p] = redPeriods(runs);
  assert.equal(p!.said, 'connection refused');
  assert.equal(p!.lastSaid, 'connection refused');
  assert.deepEqual(p!.alsoSaid, ['timed out after 5 s']);
  assert.match(describeRedPeriod(p!), /\(4 runs, cleared 01:00:25Z\): connection refused; also: timed out after 5 s$/);
  // first and last differ, nothing else in between: no "also"
  const [q] = redPeriods([run(0, red('a')), run(1, red('b')), run(2)]);
  assert.deepEqual(q!.alsoSaid, []);
  assert.match(describeRedPeriod(q!), /: a; last: b$/);
});

test('strips: one cell per run per identity, and a host-wide row', () => {
  const runs = [run(0), run(1, { red: [{ identity: 'arne', check: 'actor', said: 'x' }] }), run(2, { ok: null })];
  const s = strips(runs, ['arne', 'marcus']);
  assert.deepEqual(s.map((r) => [r.identity, r.cells.map((c) => c.cell).join(',')]), [
    ['arne', 'green,red,unknown'],
    ['marcus', 'green,green,unknown'],
    ['—', 'green,green,unknown'],
  ]);
});

test('summary: runs, green share, latency per identity, token last-seen advancing, window filter', () => {
  const runs = [run(-1), run(0, { lastSeen: '2026-05-10T01:00:00Z', latency: 10 }), run(1, { lastSeen: '2026-05-10T01:00:04Z', latency: 20 }), run(2, { ok: null }), run(3, { lastSeen: '2026-05-10T01:00:04Z', latency: 30, red: [{ identity: 'arne', check: 'actor', said: 'x' }] }), run(4, { lastSeen: '2026-05-10T01:00:19Z', latency: 40 })];
  const h = summarizeHistory(runs, { from: T0, to: T0 + 5 * S, identities: ['arne', 'marcus'] });
  assert.deepEqual(h.runs, { total: 5, green: 3, red: 1, cannotCheck: 1 });
  assert.equal(h.greenShare, 0.75);
  assert.deepEqual(h.latency.find((l) => l.identity === 'arne'), { identity: 'arne', n: 4, p50: 20, p90: 40, p99: 40, max: 40 });
  assert.equal(h.latency.find((l) => l.identity === 'marcus')!.p50, 120);
  assert.deepEqual(h.tokens, [{ identity: 'arne', device: 'phone', firstSeenAt: '2026-05-10T01:00:00Z', lastSeenAt: '2026-05-10T01:00:19Z', advances: 2, lastAdvancedAt: T0 + 4 * S }]);
  assert.equal(h.redPeriods.length, 1);
  assert.equal(h.logsReviewed, false);
  assert.match(historyLine(h), /^5 runs \(3 green, 1 red, 1 cannot check\), coverage \d+(\.\d)?%, green 75%, 1 red period$/);
});

test('schedule: jittered start, fixed grid, overrun skips missed slots, --for ends it', async () => {
  let now = 1000;
  const slots: number[] = [];
  const sleeps: number[] = [];
  const s = startSchedule({
    everyMs: 100,
    forMs: 1000,
    jitterMs: 50,
    random: () => 0.5,
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
    once: async (slot) => {
      slots.push(slot);
      now += slots.length === 3 ? 250 : 10; // the third run overruns two slots
    },
  });
  const r = await s.done;
  assert.equal(sleeps[0], 25, 'jitter = random × jitterMs');
  assert.deepEqual(slots.slice(0, 4), [1025, 1125, 1225, 1525]);
  assert.ok(slots.every((x) => x < 2000));
  assert.equal(r.runs, slots.length);
  assert.equal(r.stoppedEarly, false);
});

test('schedule: stop while sleeping ends at once; stop during a run ends after it', async () => {
  let now = 0;
  let runs = 0;
  const s = startSchedule({
    everyMs: 1000,
    forMs: null,
    jitterMs: 0,
    now: () => now,
    sleep: (ms, sig) => new Promise((resolve) => (sig.wake = resolve as () => void)),
    once: async () => {
      runs++;
      now += 5;
    },
  });
  await new Promise((r) => setImmediate(r));
  s.stop();
  assert.deepEqual(await s.done, { runs: 1, stoppedEarly: true });

  let stopper: () => void = () => {};
  const s2 = startSchedule({ everyMs: 1000, forMs: null, jitterMs: 0, now: () => now, sleep: async () => {}, once: async () => { await new Promise((r) => setImmediate(r)); stopper(); } });
  stopper = s2.stop;
  assert.deepEqual(await s2.done, { runs: 1, stoppedEarly: true });
});

import { decideStabilityGate, historyShortfalls, parseMinimums } from '../../src/actions/stability.ts';

test('gate minimums: parsed from the runbook strings; bad forms name the key', () => {
  assert.deepEqual(parseMinimums({ min_coverage: '90%', max_red: '0' }), { minCoverage: 0.9, maxRed: 0 });
  assert.deepEqual(parseMinimums({}), { minCoverage: null, maxRed: null });
  assert.throws(() => parseMinimums({ min_coverage: '90' }), /min_coverage = "90".*"90%"/);
  assert.throws(() => parseMinimums({ min_coverage: '120%' }), /0% to 100%/);
  assert.throws(() => parseMinimums({ max_red: '-1' }), /max_red = "-1"/);
});

test('gate with history: below the minimums it blocks like an unfinished window, naming the red period; a waiver with a reason passes', () => {
  const window = { window: '20s', windowMs: 20_000, cutoverEnd: { at: T0, source: 'journal run #1' } };
  const runs = [run(0), run(1, { red: [{ identity: 'arne', check: 'actor', said: 'timed out' }] }), run(2), run(3)];
  const summary = summarizeHistory(runs, { from: T0, to: T0 + 4 * S });
  const minimums = parseMinimums({ max_red: '0', min_coverage: '90%' });
  assert.deepEqual(historyShortfalls(summary, parseMinimums({ max_red: '1' })), []);
  const blocked = decideStabilityGate({ ...window, now: T0 + 4 * S, history: { summary, minimums } });
  assert.equal(blocked.pass, false);
  assert.match(blocked.message, /passed since .* but the verification history is below the runbook's minimums: 1 red period > max_red 0: arne actor \(public\) .*timed out/);
  assert.match(blocked.message, /--waive-window --reason/);
  const early = decideStabilityGate({ ...window, now: T0 + 2 * S, history: { summary, minimums } });
  assert.equal(early.pass, false);
  assert.match(early.message, /not before .* left; and the verification history is below/);
  const waived = decideStabilityGate({ ...window, now: T0 + 4 * S, history: { summary, minimums }, waiver: { who: 'ingrid', reason: 'rehearsal fault' } });
  assert.ok(waived.pass && waived.waived);
  assert.match(waived.message, /WAIVED by ingrid: rehearsal fault/);
  const clean = summarizeHistory([run(0), run(1), run(2), run(3)], { from: T0, to: T0 + 4 * S });
  const pass = decideStabilityGate({ ...window, now: T0 + 4 * S, history: { summary: clean, minimums } });
  assert.ok(pass.pass && !pass.waived, pass.message);
  assert.match(pass.message, /verification history: 4 runs \(4 green/);
  // no evidence is not evidence of no red
  const none = decideStabilityGate({ ...window, now: T0 + 4 * S, history: { summary: summarizeHistory([], { from: T0, to: T0 + 4 * S }), minimums: parseMinimums({ max_red: '0' }) } });
  assert.equal(none.pass, false);
  assert.match(none.message, /no verification run could check anything/);
  // coverage below the minimum
  const sparse = summarizeHistory([run(0), run(3)], { from: T0, to: T0 + 4 * S });
  assert.match(historyShortfalls(sparse, minimums).join(), /coverage 52\.5% < min_coverage 90%/);
});

test('daemon restarts: every run reviews the log since the cutover, so the summary keeps each restart once, inside the window', () => {
  const r1 = { at: T0 + 2 * S, line: '2026-05-10T01:00:10Z posta-server starting (after a crash)' };
  const r2 = { at: T0 + 6 * S, line: '2026-05-10T01:00:30Z posta-server starting (after a crash)' };
  const old = { at: T0 - S, line: 'before the window' };
  const runs = [{ ...run(3), restarts: [old, r1] }, { ...run(4), restarts: [old, r1] }, run(5), { ...run(7), restarts: [old, r1, r2] }];
  const h = summarizeHistory(runs, { from: T0, to: T0 + 8 * S });
  assert.deepEqual(h.restarts, [r1, r2]);
  assert.equal(h.logsReviewed, true);
  assert.equal(summarizeHistory([run(0)], { from: T0, to: T0 + S }).logsReviewed, false);
});
