// Issue 21 on the rehearsal lab, through the real binary: `cutover verify --every` records a history over a
// short stability window; the slow-identity fault (smoke timeout 1s) makes a red period for arne with its
// start, end and identity; losing the lab's runtime records "cannot check" runs and the schedule goes on;
// SIGTERM ends it cleanly; `journal --verifications --json` has runs, coverage, red_periods and latency per
// identity; the decommission's gate with max_red = "0" blocks naming the period, and a waiver records it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLab } from '../helpers/lab.ts';
import { BUNDLE, ensureBundle, runCli } from '../helpers/cli.ts';
import { openJournal } from '../../src/journal/index.ts';
import { verificationRuns } from '../../src/journal/verifications.ts';
import type { VerificationRun } from '../../checks/history.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('verification history on the lab: red period from a fault, cannot-check runs, gate with max_red = "0", waiver', async (t) => {
  const lab = await startLab(t);
  const scratch = mkdtempSync(join(tmpdir(), 'cutover-vhist-'));
  t.after(() => rmSync(scratch, { recursive: true, force: true }));
  const state = join(scratch, 'state');
  // The lab runbooks with a shorter smoke timeout (2 s; the slow-identity fault answers after 4.5 s) and a short window.
  const cutover = join(scratch, 'cutover.toml');
  writeFileSync(cutover, readFileSync('runbooks/lab/posta-cutover.toml', 'utf8').replace(/^\[\[smoke\]\]$/gm, '[[smoke]]\ntimeout = "2s"'));
  const decom = join(scratch, 'decommission.toml');
  const decomText = readFileSync('runbooks/lab/posta-decommission.toml', 'utf8').replace('window = "7d"', 'window = "10s"\nmax_red = "0"');
  assert.match(decomText, /max_red = "0"/);
  writeFileSync(decom, decomText);
  // A loaded machine can take more than runCli's default minute for the cutover.
  const cli = (args: string[]) => runCli([...args, '--state', state], { env: lab.env, timeoutMs: 240_000 });

  const cut = await cli(['apply', cutover, '--yes', '--allow-destructive']);
  assert.equal(cut.code, 0, `cutover apply failed:\n${cut.stdout}\n${cut.stderr}`);

  await ensureBundle();
  const child = spawn(process.execPath, [BUNDLE, 'verify', cutover, '--every', '2s', '--for', '5m', '--jitter', '200ms', '--state', state], { env: { ...process.env, ...lab.env, NO_COLOR: '1' } });
  let out = '';
  let err = '';
  child.stdout.on('data', (b) => (out += b));
  child.stderr.on('data', (b) => (err += b));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  t.after(() => void child.kill('SIGKILL'));

  const runs = (): VerificationRun[] => {
    try {
      const j = openJournal({ stateDir: state, readonly: true });
      try {
        return verificationRuns(j);
      } finally {
        j.close();
      }
    } catch {
      return [];
    }
  };
  const until = async (what: string, pred: (rs: VerificationRun[]) => boolean, timeoutMs = 60_000) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const rs = runs();
      if (pred(rs)) return rs;
      await sleep(250);
    }
    assert.fail(`timed out waiting for ${what}; runs: ${JSON.stringify(runs().map((r) => [r.id, r.ok, r.error]))}\nstdout:\n${out}\nstderr:\n${err}`);
  };
  const after = (n: number, pred: (r: VerificationRun) => boolean) => (rs: VerificationRun[]) => rs.slice(n).some(pred);
  const restartPosta = async () => {
    const r = await lab.runtime.exec('posta', ['service', 'posta', 'restart']);
    assert.equal(r.exitCode, 0, r.stderr);
  };

  await until('a green run', (rs) => rs.some((r) => r.ok === true));

  // A red period: the first identity answers after 4.5 s, beyond the 1 s smoke timeout.
  const greenBefore = runs().filter((r) => r.ok === true).pop()!.at;
  assert.equal((await lab.cli(['lab', 'fault', 'slow-identity', '--dir', lab.dir])).code, 0);
  await restartPosta();
  let n = runs().length;
  // (the restart itself may show as a short red period of every identity: connection refused, truthfully)
  const slowRun = (r: VerificationRun) => r.ok === false && r.checks.some((c) => c.identity === 'arne' && c.ok === false && /timed out/.test(c.said)) && r.checks.filter((c) => c.identity === 'marcus').every((c) => c.ok === true);
  await until('a red run for arne alone (timed out)', after(n, slowRun));
  assert.equal((await lab.cli(['lab', 'fault', 'slow-identity', '--off', '--dir', lab.dir])).code, 0);
  await restartPosta();
  const clearedAt = Date.now();
  n = runs().length;
  await until('a green run after the fault', after(n, (r) => r.ok === true && r.at >= clearedAt));

  // Losing the lab: its incus is gone for a while; runs are "cannot check", and the schedule goes on.
  const incus = lab.env.CUTOVER_INCUS;
  renameSync(incus, `${incus}.away`);
  n = runs().length;
  try {
    await until('two cannot-check runs', (rs) => rs.slice(n).filter((r) => r.ok === null).length >= 2);
  } finally {
    renameSync(`${incus}.away`, incus);
  }
  n = runs().length;
  await until('a green run after the lab came back', after(n, (r) => r.ok === true));

  child.kill('SIGTERM');
  assert.equal(await exited, 0, `verify --every on SIGTERM:\n${err}`);
  assert.match(err, /SIGTERM: stopping/);
  assert.match(err, /stopped after \d+ run\(s\): \d+ green, [1-9]\d* red, [2-9]\d* cannot check/);
  assert.match(out, /\? cannot check: containers(, \w+)*: cannot list containers/);
  assert.match(out, /✗ red: every identity passes smoke locally and publicly: .*arne actor \((local|public)\): timed out/);

  // The history.
  const h = await cli(['journal', cutover, '--verifications', '--json']);
  assert.equal(h.code, 0, h.stderr);
  const doc = JSON.parse(h.stdout);
  const all = runs();
  assert.equal(doc.runs.length, all.length);
  assert.ok(doc.coverage.ratio > 0 && doc.coverage.ratio <= 1, JSON.stringify(doc.coverage));
  assert.ok(doc.counts.cannotCheck >= 2 && doc.counts.red >= 1 && doc.counts.green >= 3, JSON.stringify(doc.counts));
  assert.ok(doc.cannot_check.some((c: { runs: number; error: string }) => c.runs >= 2 && /cannot list containers/.test(c.error)), JSON.stringify(doc.cannot_check));
  const arne = doc.red_periods.filter((p: { identity: string }) => p.identity === 'arne');
  assert.ok(arne.length > 0, JSON.stringify(doc.red_periods));
  type Period = { identity: string; check: string; firstSeen: number; lastSeen: number; clearedAt: number | null; said: string; lastSaid: string; alsoSaid: string[] };
  // (under load the restarts' refusals and the timeouts can fall into one period: what it said in between counts)
  const timedOut = doc.red_periods.filter((p: Period) => /timed out/.test([p.said, ...p.alsoSaid, p.lastSaid].join(' ')));
  assert.deepEqual([...new Set(timedOut.map((p: Period) => p.identity))], ['arne'], 'only the slow identity timed out');
  const slow = all.find((r) => r.at > greenBefore && slowRun(r))!;
  const actor = timedOut.find((p: Period) => p.check === 'actor (public)' && p.firstSeen <= slow.at && p.lastSeen >= slow.at) as Period | undefined;
  assert.ok(actor, JSON.stringify({ slow: slow.at, periods: doc.red_periods.map((p: Period) => [p.identity, p.check, p.firstSeen, p.lastSeen]) }));
  assert.ok(actor.firstSeen > greenBefore && actor.firstSeen <= slow.at && actor.lastSeen >= slow.at, JSON.stringify({ actor, greenBefore, slow: slow.at }));
  assert.ok(actor.clearedAt !== null && actor.clearedAt > actor.lastSeen, 'the period ended with a green run');
  // Every red period, the restarts' included, has ended.
  assert.ok(doc.red_periods.every((p: Period) => p.clearedAt !== null), JSON.stringify(doc.red_periods));
  for (const id of ['arne', 'marcus', 'tarald']) {
    const l = doc.latency.find((x: { identity: string }) => x.identity === id);
    assert.ok(l && l.n > 0 && l.p50 <= l.p90 && l.p90 <= l.p99 && l.p99 <= l.max, `${id}: ${JSON.stringify(l)}`);
  }
  assert.ok(doc.tokens.some((x: { advances: number }) => x.advances > 0), 'an active device was seen again');
  const text = await cli(['journal', cutover, '--verifications']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^ {2}arne +[ …][✓✗?]*✗[✓✗?]*$/m);
  assert.match(text.stdout, /✗ arne actor \(public\) \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ–\d\d:\d\d:\d\dZ \(\d+ runs?, cleared \d\d:\d\d:\d\dZ\): .*timed out/);
  assert.match(text.stdout, /cannot check \(\d+ runs\):\n {2}\? .*containers, smoke, tokens: cannot list containers/);

  // review prints the strip beside the log summary.
  const review = await cli(['review', decom]);
  assert.ok(review.code === 0 || review.code === 1, review.stderr);
  assert.match(review.stdout, /verification history since the cutover ended: \d+ runs .*\n {2}arne +[ …][✓✗?]*✗/);

  // The gate: max_red = "0" blocks (the 10s window has passed) and names the period; nothing deleted.
  const blocked = await cli(['apply', decom, '--yes', '--allow-destructive', '--acknowledge-logs']);
  assert.equal(blocked.code, 1, blocked.stdout + blocked.stderr);
  assert.match(blocked.stdout + blocked.stderr, /stability window 10s passed .*but the verification history is below the runbook's minimums: \d+ red periods? > max_red 0: arne /);
  assert.match(blocked.stdout + blocked.stderr, /--waive-window --reason/);
  assert.equal((await lab.runtime.list()).filter((i) => i.name.endsWith('-msg')).length, 3);

  // A waiver passes it and records it: the waiver row, the figures with the step, the report's quote.
  const reason = 'arne was slowed on purpose by the rehearsal fault';
  const waived = await cli(['apply', decom, '--yes', '--allow-destructive', '--acknowledge-logs', '--waive-window', '--reason', reason, '--through', 'stability-window']);
  assert.equal(waived.code, 0, waived.stdout + waived.stderr);
  const j = openJournal({ stateDir: state, readonly: true });
  try {
    assert.ok(j.waivers().some((w) => w.gate === 'stability' && w.reason === reason));
    const run = j.runs().filter((r) => r.runbookName === 'lab-posta-decommission').pop()!;
    const gate = [...j.stepStates(run.id).values()].find((s) => s.action === 'gate.stability')!;
    assert.equal(gate.state, 'succeeded');
    const hist = (gate.changed as { history: { maxRed: number; redPeriods: { identity: string }[]; shortfalls: string[] } }).history;
    assert.equal(hist.maxRed, 0);
    assert.ok(hist.redPeriods.some((p) => p.identity === 'arne'));
    assert.match(hist.shortfalls.join(), /max_red 0: arne/);
  } finally {
    j.close();
  }
  const report = await cli(['report', decom]);
  assert.equal(report.code, 0, report.stderr);
  assert.match(report.stdout, /Verification history the gate decided on: \d+ runs \(\d+ green, \d+ red, \d+ cannot check\), coverage [\d.]+%, green [\d.]+%, \d+ red periods?.*required: max_red 0; below the minimums, waived: .*arne/);
});
