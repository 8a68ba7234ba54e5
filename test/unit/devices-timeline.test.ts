import assert from 'node:assert/strict';
import { test } from 'node:test';
import { outageWindows, parseTimeline, timelineSummary, type TimelineEvent } from '../../src/engine/client-timeline.ts';

const T0 = Date.parse('2026-05-10T00:45:00.000Z');
const ev = (offsetMs: number, identity: string, status: number, error?: string): TimelineEvent => ({
  t: new Date(T0 + offsetMs).toISOString(),
  identity,
  status,
  ms: 3,
  ...(error ? { error } : {}),
});

test('parseTimeline reads JSONL, skips blank lines and a torn last line', () => {
  const text = [JSON.stringify(ev(0, 'arne', 200)), '', JSON.stringify(ev(250, 'arne', 0, 'ECONNREFUSED')), '{"t":"2026-05'].join('\n');
  const events = parseTimeline(text);
  assert.equal(events.length, 2);
  assert.deepEqual(events[1], ev(250, 'arne', 0, 'ECONNREFUSED'));
});

test('parseTimeline names the line of a malformed record', () => {
  const text = [JSON.stringify(ev(0, 'arne', 200)), '{"identity":"arne"}', JSON.stringify(ev(500, 'arne', 200))].join('\n');
  assert.throws(() => parseTimeline(text), /timeline line 2: expected/);
  assert.throws(() => parseTimeline('nope\n{}\n'), /timeline line 1: not JSON/);
});

test('an outage window runs from the last success before to the first success after', () => {
  const events = [ev(0, 'arne', 200), ev(250, 'arne', 502), ev(500, 'arne', 502), ev(750, 'arne', 0, 'timeout'), ev(1000, 'arne', 200), ev(1250, 'arne', 200)];
  assert.deepEqual(outageWindows(events), [
    { identity: 'arne', start: ev(0, 'arne', 200).t, end: ev(1000, 'arne', 200).t, ms: 1000, failures: 3 },
  ]);
});

test('windows are kept per identity even when devices interleave in the file', () => {
  const events = [
    ev(0, 'arne', 200), ev(10, 'marcus', 200),
    ev(250, 'arne', 502), ev(260, 'marcus', 200),
    ev(500, 'arne', 200), ev(510, 'marcus', 401),
    ev(760, 'marcus', 401),
  ];
  const windows = outageWindows(events);
  assert.equal(windows.length, 2);
  assert.deepEqual(windows.map((w) => [w.identity, w.ms, w.failures, w.end === null]), [
    ['arne', 500, 1, false],
    ['marcus', 500, 2, true],
  ]);
});

test('an open window is measured to its last failure, or to `now` when given', () => {
  const events = [ev(0, 'arne', 200), ev(250, 'arne', 0), ev(500, 'arne', 0)];
  assert.equal(outageWindows(events)[0]!.ms, 500);
  assert.equal(outageWindows(events, { now: T0 + 2000 })[0]!.ms, 2000);
});

test('a timeline that starts failing has its window start at the first failure', () => {
  const events = [ev(100, 'tarald', 0), ev(350, 'tarald', 0), ev(600, 'tarald', 200)];
  assert.deepEqual(outageWindows(events)[0], { identity: 'tarald', start: ev(100, 'tarald', 0).t, end: ev(600, 'tarald', 200).t, ms: 500, failures: 2 });
});

test('okStatuses widens what counts as success', () => {
  const events = [ev(0, 'arne', 200), ev(250, 'arne', 204), ev(500, 'arne', 200)];
  assert.equal(outageWindows(events).length, 1);
  assert.equal(outageWindows(events, { okStatuses: [200, 204] }).length, 0);
});

test('timelineSummary counts per identity and reports the longest outage', () => {
  const events = [
    ev(0, 'arne', 200), ev(250, 'arne', 502), ev(500, 'arne', 200),
    ev(750, 'arne', 502), ev(1000, 'arne', 502), ev(1250, 'arne', 502), ev(1500, 'arne', 200),
    ev(0, 'marcus', 200), ev(250, 'marcus', 200),
  ];
  assert.deepEqual(timelineSummary(events), {
    arne: { requests: 7, ok: 3, failures: 4, lastStatus: 200, longestOutageMs: 1000 },
    marcus: { requests: 2, ok: 2, failures: 0, lastStatus: 200, longestOutageMs: 0 },
  });
  assert.deepEqual(timelineSummary([]), {});
});

test('parseTimeline keeps a retried request\'s first failure (a reset kept-alive connection sent again)', () => {
  const [e] = parseTimeline('{"t":"2026-12-03T14:17:14.716Z","identity":"marcus","method":"GET","status":200,"ms":9,"retried":"reset: connection reset"}\n');
  assert.equal(e!.retried, 'reset: connection reset');
  assert.equal(e!.status, 200);
  assert.equal(parseTimeline('{"t":"2026-12-03T14:17:14.716Z","identity":"a","status":200,"ms":1}\n')[0]!.retried, undefined);
});
