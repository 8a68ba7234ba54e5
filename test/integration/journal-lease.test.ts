// Crash and race tests without the real driver: child processes use the journal API the way apply will,
// and are killed with SIGKILL mid-step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { REPO } from '../helpers/cli.ts';
import { openJournal, acquireLease, resumePoint, LockHeldError, RunbookChangedError, leaseHolder } from '../../src/journal/index.ts';

const JOURNAL = join(REPO, 'src/journal/index.ts');
const PLAN = ['baseline', 'create-container', 'stop-legacy[arne]', 'copy-db[arne]', 'write-init', 'start-posta'];
const RUNBOOK = { runbookPath: '/r/posta.toml', runbookName: 'posta', runbookSha256: 'a'.repeat(64), runbookText: 'name = "posta"\n', host: 'fismen' };

function tmpState(t: { after: (fn: () => void) => void }): string {
  const root = mkdtempSync(join(tmpdir(), 'cutover-lease-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  return join(root, 'state');
}

/** Runs ESM code with tsx in a child; resolves at the first stdout line. */
function child(t: { after: (fn: () => void) => void }, code: string, env: Record<string, string>): { proc: ChildProcess; line: Promise<string> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: REPO, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  });
  let err = '';
  proc.stderr!.on('data', (d) => (err += d));
  const line = new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(out.slice(0, nl));
    });
    proc.on('exit', (c, s) => reject(new Error(`child exited (${c ?? s}) before a line: ${err}`)));
  });
  return { proc, line };
}

test('driver killed with SIGKILL mid-step: resume point names the interrupted step, lease is stale, takeover is recorded', async (t) => {
  const stateDir = tmpState(t);
  const driver = child(
    t,
    `
    import { openJournal, acquireLease } from ${JSON.stringify(JOURNAL)};
    const j = openJournal({ stateDir: process.env.STATE });
    const lease = acquireLease(j, { heartbeatMs: 100 });
    const runId = j.startRun({ ...JSON.parse(process.env.RUNBOOK), mode: 'apply' });
    lease.attachRun(runId);
    for (const k of ['baseline', 'create-container', 'stop-legacy[arne]']) {
      j.recordStep(runId, { stepKey: k, state: 'running' });
      j.recordStep(runId, { stepKey: k, state: 'succeeded', exitCode: 0 });
    }
    j.recordStep(runId, { stepKey: 'copy-db[arne]', state: 'running', action: 'copy' });
    console.log('MID-STEP ' + runId);
    setInterval(() => {}, 1000);
    `,
    { STATE: stateDir, RUNBOOK: JSON.stringify(RUNBOOK), USER: 'ingrid' },
  );
  const runId = Number((await driver.line).split(' ')[1]);
  const pid = driver.proc.pid!;
  driver.proc.kill('SIGKILL');
  await once(driver.proc, 'exit');

  const j = openJournal({ stateDir, env: { USER: 'bjorn' } });
  t.after(() => j.close());
  const run = j.unfinishedRun();
  assert.equal(run?.id, runId);
  const rp = resumePoint(j, runId, PLAN, { runbookSha256: RUNBOOK.runbookSha256 });
  assert.deepEqual(rp.done, ['baseline', 'create-container', 'stop-legacy[arne]']);
  assert.equal(rp.interrupted, 'copy-db[arne]');
  assert.equal(rp.next, 'copy-db[arne]');

  // The runbook changed since the run started: refused unless accepted, with the old text for a diff.
  assert.throws(
    () => resumePoint(j, runId, PLAN, { runbookSha256: 'b'.repeat(64) }),
    (e: unknown) => e instanceof RunbookChangedError && e.oldText === RUNBOOK.runbookText && /--accept-changed-runbook/.test(e.message),
  );
  assert.equal(resumePoint(j, runId, PLAN, { runbookSha256: 'b'.repeat(64), acceptChangedRunbook: true }).interrupted, 'copy-db[arne]');

  // The dead driver's lease: refused without --take-over (naming holder and why it is stale), taken with it.
  assert.throws(
    () => acquireLease(j, { heartbeatMs: 0 }),
    (e: unknown) => e instanceof LockHeldError && e.holder.pid === pid && e.holder.user === 'ingrid' && e.staleReason === `pid ${pid} is gone` && /--take-over/.test(e.message),
  );
  const lease = acquireLease(j, { takeOver: true, heartbeatMs: 0, runId });
  assert.equal(lease.holder.user, 'bjorn');
  j.resumeRun(runId);
  const takeover = j.events(runId).find((e) => e.kind === 'lease' && e.state === 'taken-over');
  assert.ok(takeover, 'takeover recorded in the run');
  assert.equal((takeover.detail as { from: { pid: number } }).from.pid, pid);
  assert.match((takeover.detail as { by: string }).by, /^bjorn@\S+$/, 'the takeover names user@host');
  assert.ok(j.events(runId).some((e) => e.kind === 'run' && e.state === 'resumed'));
  lease.release();
  assert.equal(leaseHolder(j), null);
});

test('two drivers racing for the lease: exactly one gets it, the other names the holder', async (t) => {
  const stateDir = tmpState(t);
  const goAt = Date.now() + 1500;
  const code = `
    import { openJournal, acquireLease } from ${JSON.stringify(JOURNAL)};
    while (Date.now() < ${goAt}) {}
    const j = openJournal({ stateDir: process.env.STATE });
    try {
      acquireLease(j, { heartbeatMs: 100 });
      console.log('GOT ' + process.pid);
      setTimeout(() => process.exit(0), 1500);
    } catch (e) {
      console.log('HELD ' + e.name + ': ' + e.message);
      process.exit(0);
    }
  `;
  const a = child(t, code, { STATE: stateDir, USER: 'anna' });
  const b = child(t, code, { STATE: stateDir, USER: 'anna' });
  const lines = await Promise.all([a.line, b.line]);
  const got = lines.filter((l) => l.startsWith('GOT '));
  const held = lines.filter((l) => l.startsWith('HELD '));
  assert.equal(got.length, 1, lines.join('\n'));
  assert.equal(held.length, 1, lines.join('\n'));
  const winner = got[0]!.split(' ')[1];
  assert.match(held[0]!, new RegExp(`LockHeldError: another driver is running: anna \\(pid ${winner} on `));
  assert.match(held[0]!, /since \d{4}-\d\d-\d\dT/);
});

test('a live lease is never taken over, even with takeOver; a foreign one goes stale by heartbeat age', (t) => {
  const stateDir = tmpState(t);
  let now = 5_000_000;
  const j = openJournal({ stateDir, clock: { now: () => now } });
  t.after(() => j.close());
  const mine = acquireLease(j, { heartbeatMs: 0 });
  assert.throws(() => acquireLease(j, { takeOver: true, heartbeatMs: 0 }), (e: unknown) => e instanceof LockHeldError && e.staleReason === null);
  mine.release();

  // A driver on another host: its pid cannot be checked from here, only its heartbeat.
  j.db.prepare("INSERT INTO lease (target, holder_id, user, pid, host, tty, started_at, heartbeat_at) VALUES ('driver', 'x', 'kari', 1, 'elsewhere', '/dev/pts/4', ?, ?)").run(now, now);
  now += 10_000;
  assert.throws(() => acquireLease(j, { takeOver: true, heartbeatMs: 0 }), (e: unknown) => e instanceof LockHeldError && e.staleReason === null && /kari \(pid 1 on elsewhere, \/dev\/pts\/4\)/.test(e.message));
  now += 10_000;
  const taken = acquireLease(j, { takeOver: true, heartbeatMs: 0 });
  const ev = j.db.prepare("SELECT detail FROM events WHERE kind = 'lease' AND state = 'taken-over'").get() as { detail: string };
  assert.equal(JSON.parse(ev.detail).reason, 'no heartbeat for 20s');

  // Someone else's takeover is noticed at the next heartbeat.
  let lostCalls = 0;
  j.db.prepare("UPDATE lease SET holder_id = 'someone-else'").run();
  assert.equal(taken.heartbeat(), false);
  assert.equal(taken.lost, true);
  const again = acquireLease(j, { takeOver: true, heartbeatMs: 0, onLost: () => lostCalls++ });
  j.db.prepare("UPDATE lease SET holder_id = 'third'").run();
  again.heartbeat();
  again.heartbeat();
  assert.equal(lostCalls, 1);
});
