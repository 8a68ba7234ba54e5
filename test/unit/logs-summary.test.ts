import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classify, identityOf, lineTime, renderSummary, summariseLogs, summaryLine, type LogLine } from '../../checks/logs-summary.ts';

const SLUGS = ['arne', 'marcus', 'tarald'];
const FILE = 'file /var/log/posta.log';
const at = (iso: string) => Date.parse(iso);
const lines = (text: string, source = FILE): LogLine[] => text.trim().split('\n').map((l) => ({ source, text: l.trim() }));

// What the lab stand-in writes: cutover start, a clean operator restart, then the noisy-logs fault.
const NOISY = lines(`
  2026-05-10T00:44:10.100Z posta-server starting mode=multi-tenant identities=arne,marcus,tarald listen=127.0.10.14:8080
  2026-05-10T00:44:10.300Z listening on 127.0.10.14:8080 startup_ms=80
  2026-05-10T00:46:00.000Z identity=arne migrated schema v2 -> v3
  2026-05-11T09:00:00.000Z shutting down signal=SIGTERM
  2026-05-11T09:00:00.010Z stopped
  2026-05-11T09:00:01.000Z posta-server starting mode=multi-tenant identities=arne,marcus,tarald listen=127.0.10.14:8080
  2026-05-11T09:00:01.001Z panic: send on closed channel (fault noisy-logs)
  2026-05-11T09:00:01.002Z posta-server starting mode=multi-tenant identities=arne,marcus,tarald listen=127.0.10.14:8080
  2026-05-11T09:00:01.003Z identity=arne error="database is locked (fault noisy-logs)"
  2026-05-12T10:00:00.000Z identity=marcus error="token lookup failed: context deadline exceeded (fault noisy-logs)"
  2026-05-12T10:00:00.500Z identity=arne error="database is locked"
`);

test('noisy-logs shape: 1 unexpected restart (the planned one is not), 1 panic, errors per identity, per day', () => {
  const s = summariseLogs(NOISY, { from: at('2026-05-10T00:45:00Z'), to: at('2026-05-17T00:00:00Z'), identities: SLUGS });
  assert.equal(s.starts, 2, 'both starts inside the window are counted');
  assert.equal(s.restarts.length, 1);
  assert.match(s.restarts[0]!.line, /^2026-05-11T09:00:01\.002Z posta-server starting/);
  assert.equal(s.panics.length, 1);
  assert.match(s.panics[0]!.line, /panic: send on closed channel/);
  assert.deepEqual(s.perIdentity.map((g) => [g.identity, g.count]), [['arne', 2], ['marcus', 1]]);
  assert.match(s.perIdentity[0]!.lines[0]!, /database is locked/);
  assert.deepEqual(
    s.perDay.map((d) => [d.day, d.lines, d.starts, d.restarts, d.panics, d.errors]),
    [['2026-05-10', 1, 0, 0, 0, 0], ['2026-05-11', 6, 2, 1, 1, 1], ['2026-05-12', 2, 0, 0, 0, 2]],
  );
  assert.equal(s.clean, false);
  assert.equal(summaryLine(s), '1 unexpected restart, 1 panic, 3 error lines (arne 2, marcus 1) in 9 lines, 2 starts');
});

test('the window cuts: lines before the cutover end do not count, but the start before it makes the state', () => {
  const s = summariseLogs(NOISY, { from: at('2026-05-12T00:00:00Z'), to: at('2026-05-17T00:00:00Z'), identities: SLUGS });
  assert.equal(s.restarts.length, 0);
  assert.equal(s.panics.length, 0);
  assert.equal(s.errors.length, 2);
  assert.equal(s.lines, 2);
  const after = summariseLogs(NOISY, { from: at('2026-05-10T00:00:00Z'), to: at('2026-05-11T00:00:00Z'), identities: SLUGS });
  assert.equal(after.clean, true, JSON.stringify(after));
  assert.equal(after.starts, 1, 'the cutover start is a start, not a restart');
});

test('a clean log is clean: starts after clean stops are planned restarts', () => {
  const s = summariseLogs(
    lines(`
      2026-05-10T00:44:10Z posta-server starting mode=multi-tenant identities=arne listen=127.0.10.14:8080
      2026-05-10T03:00:00Z shutting down signal=SIGTERM
      2026-05-10T03:00:00Z stopped
      2026-05-10T03:00:02Z posta-server starting mode=multi-tenant identities=arne listen=127.0.10.14:8080
      2026-05-10T03:00:02Z identity=arne migrated schema v2 -> v3
    `),
    { from: null, to: at('2026-05-17T00:00:00Z'), identities: SLUGS },
  );
  assert.equal(s.clean, true);
  assert.equal(s.starts, 2);
  assert.deepEqual(s.perIdentity, []);
});

test('a start after a start without a stop (the daemon died quietly) is a restart', () => {
  const s = summariseLogs(
    lines(`
      2026-05-10T00:00:00Z posta-server starting mode=multi-tenant identities=arne listen=x
      2026-05-10T05:00:00Z posta-server starting mode=multi-tenant identities=arne listen=x
    `),
    { from: null, to: at('2026-05-11T00:00:00Z') },
  );
  assert.equal(s.restarts.length, 1);
});

test('sources are followed separately; undated lines take the last timestamp of their source', () => {
  const journal = lines(
    `
      2026-05-10T01:00:00+0000 posta posta[412]: Started posta.service - posta-server.
      2026-05-10T02:00:00+0000 posta posta[412]: panic: runtime error: index out of range
      goroutine 1 [running]:
      2026-05-10T02:00:01+0000 posta systemd[1]: Started posta.service - posta-server.
      2026-05-10T02:00:02+0000 posta posta[413]: level=error host=tarald.posta.no msg="smtp relay refused"
    `,
    'journalctl -u posta',
  );
  const s = summariseLogs([...NOISY.slice(0, 2), ...journal], { from: at('2026-05-10T00:30:00Z'), to: at('2026-05-11T00:00:00Z'), identities: SLUGS });
  assert.equal(s.restarts.length, 1, 'the journal source restarts after its panic; the file source is not mixed in');
  assert.equal(s.restarts[0]!.source, 'journalctl -u posta');
  assert.equal(s.panics.length, 1);
  assert.deepEqual(s.perIdentity.map((g) => [g.identity, g.count]), [['tarald', 1]], 'identity from the host name');
  assert.equal(s.perDay[0]!.lines, 7, '2 file lines + 5 journal lines: the goroutine line is dated by the panic before it');
});

test('error lines without an identity are grouped last, as "(no identity)"', () => {
  const s = summariseLogs(lines(`
    2026-05-10T01:00:00Z error: cannot open manifest
    2026-05-10T01:00:01Z identity=marcus error=boom
  `), { from: null, to: at('2026-05-11T00:00:00Z'), identities: SLUGS });
  assert.deepEqual(s.perIdentity.map((g) => g.identity), ['marcus', '(no identity)']);
});

test('line helpers: timestamps with zones, classification, identity', () => {
  assert.equal(lineTime('2026-05-10T00:45:51Z x'), at('2026-05-10T00:45:51Z'));
  assert.equal(lineTime('2026-05-10T02:45:51+0200 host x'), at('2026-05-10T00:45:51Z'));
  assert.equal(lineTime('2026-05-10 00:45:51.250 x'), at('2026-05-10T00:45:51.250Z'));
  assert.equal(lineTime('May 10 00:45:51 host x'), null);
  assert.equal(classify(' * Starting posta ...'), 'start');
  assert.equal(classify('2026-05-10T00:00:00Z shutting down signal=SIGINT'), 'stop');
  assert.equal(classify('2026-05-10T00:00:00Z panic: boom'), 'panic');
  assert.equal(classify(' * status: crashed'), 'panic');
  assert.equal(classify('2026-05-10T00:00:00Z identity=arne error=x'), 'error');
  assert.equal(classify('2026-05-10T00:00:00Z listening on 127.0.10.14:8080'), 'other');
  assert.equal(identityOf('posta-server starting identities=arne,marcus', SLUGS), null);
  assert.equal(identityOf('GET arne.posta.no/ 500', SLUGS), 'arne');
});

test('rendered text names the counts, per identity, per day and quotes the matching lines', () => {
  const s = summariseLogs(NOISY, { from: at('2026-05-10T00:45:00Z'), to: at('2026-05-17T00:00:00Z'), identities: SLUGS });
  const text = renderSummary(s).join('\n');
  assert.match(text, /✗ needs a look: 1 unexpected restart, 1 panic/);
  assert.match(text, /errors per identity:\n {2}arne +2\n {2}marcus +1/);
  assert.match(text, /2026-05-11 +6 +2 +1 +1 +1/);
  assert.match(text, /panics:\n {2}2026-05-11T09:00:01\.001Z panic: send on closed channel/);
  assert.doesNotMatch(renderSummary(s, { showLines: false }).join('\n'), /panics:/);
});
