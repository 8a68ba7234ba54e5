// Issue 7's crash, lock and changed-runbook acceptance against the lab, with the real binary: kill -9 the
// driver at step boundaries and in the middle of the copy, resume with `apply` again, and let the journal
// prove that nothing that had finished ran twice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startLab } from '../helpers/lab.ts';
import { LAB_RUNBOOK } from '../helpers/cutover-lab.ts';
import { lastEventId, readJournal, startDriver, waitForEvent } from '../helpers/driver.ts';
import { isRepeatable } from '../../src/runner/policy.ts';
import { CATALOG } from '../../src/actions/index.ts';

const applyArgs = (state: string, ...extra: string[]) => ['apply', LAB_RUNBOOK, '--yes', '--allow-destructive', '--state', state, ...extra];

/** Kill points: after these steps succeeded (a step boundary), or while this step runs (mid-step). */
const KILLS: { after?: string; during?: string }[] = [
  { after: 'baseline' },
  { after: 'write-manifest' },
  { after: 'backup-legacy[tarald]' },
  { after: 'stop-legacy[tarald]' },
  { during: 'copy-db[marcus]' },
  { after: 'smoke-local' },
  { after: 'token-survival' },
];

test('kill -9 at 6 step boundaries and in the middle of the copy; each resume continues; verify passes; nothing finished ran twice', async (t) => {
  const lab = await startLab(t);
  const state = join(lab.dir, 'state');
  const finishedAtKill: Map<string, number>[] = [];
  const runningAtKill: (string | null)[] = [];

  for (const [n, k] of KILLS.entries()) {
    const from = lastEventId(state);
    const d = await startDriver(applyArgs(state, ...(n > 0 ? ['--take-over'] : [])), lab.env);
    const hit = await waitForEvent(state, d, (e) => e.kind === 'step' && (k.after ? e.stepKey === k.after && e.state === 'succeeded' : e.stepKey === k.during && e.state === 'running'), { afterId: from });
    if (!hit) {
      const r = await d.done;
      assert.fail(`driver ${n + 1} exited (${r.code}) before ${k.after ?? k.during}:\n${r.stdout}\n${r.stderr}`);
    }
    d.child.kill('SIGKILL');
    const end = await d.done;
    assert.equal(end.signal, 'SIGKILL', `kill ${n + 1} (${k.after ?? k.during}): the driver exited with ${end.code} first:\n${end.stdout}\n${end.stderr}`);
    const steps = readJournal(state, (j) => j.stepStates(j.runs().at(-1)!.id));
    finishedAtKill.push(new Map([...steps.values()].filter((s) => s.state === 'succeeded').map((s) => [s.key, s.attempts])));
    runningAtKill.push([...steps.values()].find((s) => s.state === 'running')?.key ?? null);
    if (n === 0) {
      // The dead driver's lease is refused to a plain second apply, naming the holder, until --take-over.
      const refused = await lab.cli(applyArgs(state));
      assert.equal(refused.code, 1, refused.stderr); // refused: the same exit status as `run` gives a held lease
      assert.match(refused.stderr, new RegExp(`driver lease held by .*pid ${d.child.pid}.*looks stale \\(pid ${d.child.pid} is gone\\); take it over with --take-over`));
    }
  }

  const last = await lab.cli(applyArgs(state, '--take-over'));
  assert.equal(last.code, 0, `final resume failed:\n${last.stdout}\n${last.stderr}`);
  assert.match(last.stdout, /resuming run #1: \d+ step\(s\) done/);
  const verify = await lab.cli(['verify', LAB_RUNBOOK, '--state', state]);
  assert.equal(verify.code, 0, `verify after the crashes:\n${verify.stdout}\n${verify.stderr}`);

  const { runs, steps, events } = readJournal(state, (j) => ({ runs: j.runs(), steps: j.stepStates(1), events: j.events(1) }));
  assert.equal(runs.length, 1, 'every resume continued the same run');
  assert.equal(runs[0]!.outcome, 'succeeded');
  assert.equal(events.filter((e) => e.kind === 'run' && e.state === 'resumed').length, KILLS.length);
  assert.equal(events.filter((e) => e.kind === 'lease' && e.state === 'taken-over').length, KILLS.length);
  const interrupted = new Set(runningAtKill.filter((k): k is string => k !== null));
  assert.ok(interrupted.has('copy-db[marcus]'), 'the mid-copy kill interrupted the copy');
  for (const s of steps.values()) {
    assert.equal(s.state, 'succeeded', `${s.key} ${s.state}`);
    const ranTwice = s.attempts > 1;
    // A step ran again only when the driver died inside it, and only if its action is safe to repeat.
    if (ranTwice) {
      assert.ok(interrupted.has(s.key), `${s.key} ran ${s.attempts} times without being interrupted`);
      assert.ok(isRepeatable(CATALOG, s.action!), `${s.key} (${s.action}) is not repeatable but ran twice`);
      assert.equal(s.attempts, 2, s.key);
    }
    for (const [i, done] of finishedAtKill.entries()) if (done.has(s.key)) assert.equal(s.attempts, done.get(s.key), `${s.key} had finished before kill ${i + 1} and must not run again`);
  }
  process.stdout.write(`# crash test: ${KILLS.length} kills, re-run after interruption: ${[...steps.values()].filter((s) => s.attempts > 1).map((s) => s.key).join(', ') || 'none'}\n`);
});

test('two drivers started together: exactly one runs, the other is refused naming the holder', async (t) => {
  const lab = await startLab(t);
  const state = join(lab.dir, 'state');
  const [a, b] = await Promise.all([startDriver(applyArgs(state, '--through', 'backup-legacy'), lab.env), startDriver(applyArgs(state, '--through', 'backup-legacy'), lab.env)]);
  const [ra, rb] = await Promise.all([a.done, b.done]);
  const results = [ra, rb];
  assert.deepEqual(results.map((r) => r.code).sort(), [0, 1], results.map((r) => r.stderr).join('\n---\n'));
  const winner = ra.code === 0 ? a : b;
  const loser = ra.code === 0 ? rb : ra;
  assert.match(loser.stderr, new RegExp(`another driver is running: \\S+ \\(pid ${winner.child.pid} on [^)]+\\) since \\d{4}-\\d\\d-\\d\\dT`));
  const runs = readJournal(state, (j) => j.runs());
  assert.equal(runs.length, 1, 'one run only');
  assert.equal(runs[0]!.pid, winner.child.pid);
});

test('a changed runbook refuses the resume, showing the diff, unless --accept-changed-runbook', async (t) => {
  const lab = await startLab(t);
  const state = join(lab.dir, 'state');
  const rb = join(lab.dir, 'posta-cutover.toml');
  copyFileSync(LAB_RUNBOOK, rb);
  const first = await lab.cli(['apply', rb, '--yes', '--allow-destructive', '--state', state, '--through', 'create-container']);
  assert.equal(first.code, 0, first.stderr);
  writeFileSync(rb, readFileSync(rb, 'utf8').replace('title = "push posta-server binary"', 'title = "push the posta-server binary"'));
  const refused = await lab.cli(['apply', rb, '--yes', '--allow-destructive', '--state', state]);
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, /run 1 started with a different runbook \(sha256 [0-9a-f]{12}…, now [0-9a-f]{12}…\); review the diff and pass --accept-changed-runbook/);
  assert.match(refused.stderr, /^-title = "push posta-server binary"$/m);
  assert.match(refused.stderr, /^\+title = "push the posta-server binary"$/m);
  const accepted = await lab.cli(['apply', rb, '--yes', '--allow-destructive', '--state', state, '--accept-changed-runbook', '--through', 'push-binary']);
  assert.equal(accepted.code, 0, accepted.stderr);
  assert.match(accepted.stdout, /resuming run #1/);
  const notes = readJournal(state, (j) => j.events(1).filter((e) => e.kind === 'note').map((e) => JSON.stringify(e.detail)));
  assert.ok(notes.some((n) => n.includes('accepted with --accept-changed-runbook')), notes.join('\n'));
});
