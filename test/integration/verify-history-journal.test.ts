// The verification history's journal tables (migration v2) on a real SQLite file: runs round-trip with their
// checks and tokens, `journal --verifications --json` is one document with runs, coverage, red_periods and
// latency per identity, and the cockpit's poller builds the strip from it (re-reading only when a run is new).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { openJournal, SCHEMA_VERSION } from '../../src/journal/index.ts';
import { latestVerificationId, recordVerification, verificationRuns } from '../../src/journal/verifications.ts';
import { verificationsCommand } from '../../src/commands/journal-verifications.ts';
import { readHistoryView } from '../../src/cockpit/history.ts';
import type { NewVerificationRun } from '../../checks/history.ts';
import type { CliIO } from '../../src/contract/io.ts';

const T0 = Date.parse('2026-05-10T01:00:00Z');

function run(i: number, red: boolean, ok: boolean | null = red ? false : true): NewVerificationRun {
  return {
    runbook: 'cut',
    at: T0 + i * 5000,
    durationMs: 120,
    intervalMs: 5000,
    ok,
    error: ok === null ? 'containers: cannot list containers' : null,
    phase: ok === null ? null : 'after',
    criteria: ok === null ? [] : [{ id: 'smoke', ok: !red, said: red ? 'arne actor (public): status 502' : 'all green' }, { id: 'proxy', ok: true, said: 'every site points at posta' }],
    checks: ok === null ? [] : [
      { identity: 'arne', check: 'actor', vantage: 'public', ok: !red, status: red ? 502 : 200, latencyMs: 10 + i, said: red ? 'status 502' : 'status 200' },
      { identity: 'marcus', check: 'actor', vantage: 'public', ok: true, status: 200, latencyMs: 30, said: 'status 200' },
    ],
    tokens: ok === null ? [] : [{ identity: 'arne', device: 'phone', ok: true, lastSeenAt: new Date(T0 + i * 4000).toISOString(), said: 'seen' }],
    restarts: [],
  };
}

test('journal tables round-trip; journal --verifications --json; the cockpit strip', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cutover-vjournal-'));
  try {
    const j = openJournal({ stateDir: dir });
    assert.equal(j.db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    const plan = [run(0, false), run(1, true), run(2, true), run(3, false, null), run(4, false), run(5, false)];
    for (const r of plan) recordVerification(j, r);
    j.close();

    const r = openJournal({ stateDir: dir, readonly: true });
    try {
      const back = verificationRuns(r);
      assert.equal(back.length, 6);
      assert.deepEqual(back.map(({ id: _id, ...rest }) => rest), plan);
      assert.equal(latestVerificationId(r), back[5]!.id);

      let out = '';
      const stdout = new PassThrough();
      stdout.on('data', (b) => (out += b));
      const io = { stdout, stderr: new PassThrough(), stdin: new PassThrough(), env: {}, cwd: dir, debug: false } as unknown as CliIO;
      assert.equal(verificationsCommand(r, true, io), 'ok');
      const doc = JSON.parse(out);
      assert.equal(doc.runs.length, 6);
      assert.deepEqual(doc.counts, { total: 6, green: 3, red: 2, cannotCheck: 1 });
      assert.equal(doc.red_periods.length, 1);
      assert.deepEqual([doc.red_periods[0].identity, doc.red_periods[0].check, doc.red_periods[0].firstSeen, doc.red_periods[0].lastSeen, doc.red_periods[0].clearedAt], ['arne', 'actor (public)', T0 + 5000, T0 + 10000, T0 + 20000]);
      assert.ok(doc.coverage.ratio > 0 && doc.coverage.ratio <= 1);
      assert.deepEqual(doc.latency.map((l: { identity: string; p50: number }) => [l.identity, l.p50]), [['arne', 12], ['marcus', 30]]);
      assert.equal(doc.tokens[0].advances, 4);
      assert.deepEqual(doc.strips.find((s: { identity: string }) => s.identity === 'arne').cells, '✓✗✗?✓✓');
    } finally {
      r.close();
    }

    const view = readHistoryView(dir, ['marcus', 'arne'], T0 + 30_000)!;
    assert.deepEqual(view.view!.rows.map((x) => [x.identity, x.cells.join(',')]), [
      ['marcus', 'green,green,green,unknown,green,green'],
      ['arne', 'green,red,red,unknown,green,green'],
      ['—', 'green,green,green,unknown,green,green'],
    ]);
    assert.match(view.view!.line, /^6 runs \(3 green, 2 red, 1 cannot check\)/);
    assert.equal(readHistoryView(dir, ['arne'], T0 + 30_000, view.key), null, 'nothing new: not re-read');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
