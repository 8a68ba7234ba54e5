// The whole posta cutover in the lab, driven only by keys in tmux (120x30), with a second window running
// `watch` that must show the same step states within 2 s and refuse `r` as read-only; afterwards
// `cutover verify` exits 0; `d` on repoint-caddy shows the real Caddyfile diff (old dials out, posta's IP in).
// Prints time to first frame, idle bytes/s to the TTY over a few seconds, and RSS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLab } from '../helpers/lab.ts';
import { runCli } from '../helpers/cli.ts';
import { loadRunbook } from '../../src/runbook/load.ts';
import { driveSteps, fileSize, footerLine, frame, headerProgress, listedStates, messageLine, rssMiB, Tmux } from './tmux.ts';
import { CATALOG } from '../../src/actions/index.ts';

const RUNBOOK = 'runbooks/lab/posta-cutover.toml';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const IDLE_S = 6;

/** "Runbook 7/35 done" from the separator row. */
const doneCount = (lines: string[]) => /Runbook (\d+\/\d+) done/.exec(lines.join('\n'))?.[1] ?? null;

test('e2e: the full posta cutover by keys only; watch follows within 2 s and is read-only; verify passes', async (t) => {
  const lab = await startLab(t);
  const state = mkdtempSync(join(tmpdir(), 'cutover-e2e-state-'));
  t.after(() => rmSync(state, { recursive: true, force: true }));
  const env = { ...lab.env, USER: 'e2e-driver', TERM: 'xterm-256color' };
  const x = Tmux.create(t);

  const started = Date.now();
  const run = await x.session('cut', 120, 30, ['run', RUNBOOK, '--state', state], env);
  await x.waitFor(run, (_t, l) => /^┌ posta-multitenant-cutover-lab/.test(l[0] ?? '') && l.some((r) => r.startsWith('└')), 'the first frame');
  const firstFrameMs = Date.now() - started;
  await x.waitFor(run, (text) => /3 Smoke [✓✗]/.test(text), 'the first panel snapshot');
  const firstSnapshotMs = Date.now() - started;
  assert.match(x.lines(run)[0]!, /driver: e2e-driver lock held ┐$/);
  assert.equal(frame(x.lines(run)).length, 29, 'the frame is rows - 1 lines');

  // A few steps, then the follower joins.
  await driveSteps(x, run, { stopAfter: 3 });
  const watch = x.window('cut', ['watch', RUNBOOK, '--state', state], env);
  await x.waitFor(watch, (_t, l) => /READ-ONLY · e2e-driver@\S+ drives/.test(l[0] ?? ''), 'the watch banner naming the driver');
  assert.doesNotMatch(footerLine(x.lines(watch)), /enter run|s skip|r rollback/);

  const lags: number[] = [];
  // Checked after every 4th step and at the end (each check waits for the follower, up to 2 s).
  const everyFourth = async (n: number) => {
    if (n % 4 === 0) await sameStates();
  };
  const sameStates = async () => {
    const want = doneCount(x.lines(run));
    const from = Date.now();
    await x.waitFor(watch, (_t, l) => doneCount(l) === want, `watch to show ${want} done`, 2000);
    lags.push(Date.now() - from);
    const a = listedStates(x.lines(run));
    const b = listedStates(x.lines(watch));
    for (const [n, glyph] of a) if (b.has(n)) assert.equal(b.get(n), glyph, `step ${n}: run shows ${glyph}, watch ${b.get(n)}`);
  };
  await sameStates();

  // r in watch: only says it is read-only; nothing changes.
  const before = doneCount(x.lines(watch));
  x.keys(watch, 'r');
  await x.waitFor(watch, (_t, l) => /read-only: e2e-driver@\S+ drives/.test(messageLine(l)), 'watch saying read-only');
  x.keys(watch, 'Enter', 's');
  await sleep(300);
  assert.doesNotMatch(messageLine(x.lines(watch)), /\?/, 'no question was asked in watch');
  assert.equal(doneCount(x.lines(run)), before, 'the run did not move');

  // d on repoint-caddy once it is the next step: the real Caddyfile diff, old dials out, posta's resolved IP in.
  const plan = loadRunbook(RUNBOOK, { catalog: CATALOG, env: { ...process.env, ...lab.env } }).steps!;
  const repointAt = plan.findIndex((s) => s.key === 'repoint-caddy');
  assert.ok(repointAt > 3, 'repoint-caddy in the plan');
  const before_ = await driveSteps(x, run, { stopAfter: repointAt - 3, onStep: everyFourth });
  await sameStates();
  x.keys(run, 'j', 'd');
  const diff = await x.waitFor(
    run,
    (_t, l) => /Diff · repoint-caddy/.test(l[1] ?? '') && l.some((r) => /^│-\s+reverse_proxy 127\.0\.10\.\d+:\d+/.test(r)) && l.some((r) => /^│\+\s+reverse_proxy 127\.0\.10\.\d+:8080/.test(r)),
    'the real Caddyfile diff of repoint-caddy',
    15_000,
  );
  assert.doesNotMatch(diff, /not created yet|diff not available/);
  x.keys(run, 'Escape');
  // Ink tells a lone esc from an escape sequence by what follows: let it arrive alone.
  await x.waitFor(run, (_t, l) => /Runbook \d+\/\d+ done/.test(l.join('\n')), 'the diff overlay to close', 5000);
  const ran = before_ + (await driveSteps(x, run, { onStep: everyFourth }));
  const end = (await x.waitFor(run, (_t, l) => /cutover complete/.test(messageLine(l)), 'the run to be finished')).split('\n');
  assert.equal(headerProgress(end)?.done, true, end.join('\n'));
  assert.ok(ran > 20, `ran ${ran} steps`);
  assert.ok(![...listedStates(end).values()].some((g) => g !== '✓'), 'every listed step ✓');
  await sameStates();
  assert.match(x.text(run), /outage \d\d:\d\d \/ 03:00 closed|outage \d\d:\d\d \/ 03:00/);

  // Idle: panels keep refreshing every 2 s; a short look at what reaches the TTY (bench/ measures 30 s).
  const bytesFile = join(state, 'tty-bytes');
  await sleep(1000);
  x.pipe(run, bytesFile);
  await sleep(IDLE_S * 1000);
  x.unpipe(run);
  const idleBytes = fileSize(bytesFile);
  const rss = rssMiB(x.pid(run));

  x.keys(run, 'q');
  await x.waitFor(run, (text) => /EXIT=0/.test(text), 'run to exit 0 after q');
  assert.match(x.text(run), /run: cutover complete/);
  x.keys(watch, 'q');
  await x.waitFor(watch, (text) => /EXIT=0/.test(text), 'watch to exit 0 after q');

  const verify = await runCli(['verify', RUNBOOK, '--state', state], { env: lab.env });
  assert.equal(verify.code, 0, verify.stderr + verify.stdout);

  console.log(
    `cockpit e2e: first frame ${firstFrameMs} ms, first panel snapshot ${firstSnapshotMs} ms; ${ran + 3} steps by keys; ` +
      `watch lag max ${Math.max(...lags)} ms (n=${lags.length}); idle ${idleBytes} bytes in ${IDLE_S} s = ${(idleBytes / IDLE_S).toFixed(0)} B/s; RSS ${rss?.toFixed(1)} MiB`,
  );
});
