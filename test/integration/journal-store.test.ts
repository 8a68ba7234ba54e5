// Real SQLite: file modes, WAL, migrations, read-only readers, runs/steps/baselines round trips.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, existsSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openJournal, JournalMissingError, SCHEMA_VERSION, JOURNAL_FILE, maskSecret } from '../../src/journal/index.ts';

function tmpState(t: { after: (fn: () => void) => void }): string {
  const root = mkdtempSync(join(tmpdir(), 'cutover-journal-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  return join(root, 'state', 'posta-multitenant-cutover');
}

const RUN = { runbookPath: '/r/posta.toml', runbookName: 'posta-multitenant-cutover', runbookSha256: 'a'.repeat(64), runbookText: '[runbook]\nname = "x"\n', host: 'fismen', mode: 'apply' as const };

test('journal dir is 0700, file and -wal/-shm 0600, WAL mode, current schema version', (t) => {
  const dir = tmpState(t);
  const j = openJournal({ stateDir: dir });
  const runId = j.startRun(RUN);
  j.recordStep(runId, { stepKey: 'baseline', state: 'running' });
  const file = join(dir, JOURNAL_FILE);
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  for (const f of [file, file + '-wal', file + '-shm']) {
    assert.ok(existsSync(f), `${f} exists`);
    assert.equal(statSync(f).mode & 0o777, 0o600, `${f} mode`);
  }
  assert.equal(j.db.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(j.db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
  j.close();
});

test('operator comes from $USER and $SSH_CONNECTION; runs, steps, outage round-trip', (t) => {
  const dir = tmpState(t);
  let now = 1_000_000;
  const j = openJournal({ stateDir: dir, clock: { now: () => now }, env: { USER: 'ingrid', SSH_CONNECTION: '203.0.113.9 50022 198.51.100.1 22' } });
  const runId = j.startRun(RUN);
  j.recordStep(runId, { stepKey: 'stop-legacy[arne]', state: 'running', action: 'service.stop', title: 'stop arne', command: 'incus exec arne-msg -- service posta stop' });
  j.outageOpened(runId);
  now += 2500;
  j.recordStep(runId, { stepKey: 'stop-legacy[arne]', state: 'succeeded', exitCode: 0, output: 'stopping posta ... ok', changed: { container: 'arne-msg', service: 'posta', wasRunning: true } });
  now += 90_000;
  j.outageClosed(runId);
  j.recordClientOutage(runId, { ms: 88_000, source: 'lab device timeline', perIdentity: { arne: 88_000 } });
  j.endRun(runId, 'succeeded');
  const run = j.run(runId)!;
  assert.equal(run.operator, `ingrid@${hostname()} (ssh from 203.0.113.9)`);
  assert.equal(run.sshClient, '203.0.113.9');
  assert.equal(run.outcome, 'succeeded');
  assert.equal(run.outage.ms, 92_500);
  assert.equal(run.clientOutage?.ms, 88_000);
  assert.equal(j.unfinishedRun(), null);
  const step = j.stepStates(runId).get('stop-legacy[arne]')!;
  assert.equal(step.state, 'succeeded');
  assert.equal(step.durationMs, 2500);
  assert.equal(step.command, 'incus exec arne-msg -- service posta stop');
  assert.deepEqual(step.changed, { container: 'arne-msg', service: 'posta', wasRunning: true });
  const kinds = j.events(runId).map((e) => `${e.kind}:${e.state}`);
  assert.deepEqual(kinds, ['run:started', 'step:running', 'outage:opened', 'step:succeeded', 'outage:closed', 'outage:client', 'run:ended']);
  j.close();
});

test('read-only reader: missing journal is a clear error; an open reader sees committed writes', (t) => {
  const dir = tmpState(t);
  assert.throws(() => openJournal({ stateDir: dir, readonly: true }), JournalMissingError);
  const w = openJournal({ stateDir: dir });
  const r = openJournal({ stateDir: dir, readonly: true });
  const runId = w.startRun(RUN);
  assert.equal(r.run(runId)?.runbookName, RUN.runbookName);
  assert.throws(() => r.startRun(RUN), /readonly/i);
  r.close();
  w.close();
});

test('a journal from a newer cutover is refused with the file named', (t) => {
  const dir = tmpState(t);
  openJournal({ stateDir: dir }).close();
  const raw = new Database(join(dir, JOURNAL_FILE));
  raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
  raw.close();
  assert.throws(() => openJournal({ stateDir: dir }), (e: Error) => e.message.includes(JOURNAL_FILE) && /newer/.test(e.message));
  assert.throws(() => openJournal({ stateDir: dir, readonly: true }), /run a driver command|newer|schema/);
});

test('token baselines store a fingerprint and mask, never the secret; and waivers round-trip', (t) => {
  const dir = tmpState(t);
  const j = openJournal({ stateDir: dir, env: { USER: 'ingrid' } });
  const runId = j.startRun(RUN);
  const secret = 'pat_arne_9f8e7d6c5b4a39281706';
  j.recordTokenBaseline(runId, { identity: 'arne', device: 'tui-dev', token: secret, lastSeenAt: '2026-05-09T20:16:00Z' });
  j.recordStep(runId, { stepKey: 'smoke-auth', state: 'failed', error: `401 with token ${secret}`, output: `curl -H 'Authorization: Bearer ${secret}'` });
  const [b] = j.baselines(runId);
  assert.equal(b!.masked, maskSecret(secret));
  assert.ok(b!.masked.length < 10);
  assert.match(b!.fingerprint, /^sha256:[0-9a-f]{16}$/);
  j.recordWaiver({ runId, gate: 'stability', reason: 'verified end-to-end' });
  assert.deepEqual(j.waivers(runId).map((w) => [w.gate, w.who, w.reason]), [['stability', `ingrid@${hostname()}`, 'verified end-to-end']]);
  j.close();
  const file = join(dir, JOURNAL_FILE);
  const bytes = ['', '-wal'].map((s) => (existsSync(file + s) ? readFileSync(file + s).toString('latin1') : '')).join('');
  assert.ok(bytes.length > 0);
  assert.ok(!bytes.includes(secret), 'secret found in the journal files');
});

