// Resume: the tmux session is killed in the middle of the cutover (inside the outage window, while a step
// runs); a new `cutover run` picks the run up where it stopped and finishes it by keys; verify exits 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLab } from '../helpers/lab.ts';
import { runCli } from '../helpers/cli.ts';
import { cockpitPid, driveSteps, headerProgress, listedStates, messageLine, Tmux, waitGone } from './tmux.ts';

const RUNBOOK = 'runbooks/lab/posta-cutover.toml';

test('e2e: kill the tmux session mid-cutover, start cutover run again, finish the cutover (resume)', async (t) => {
  const lab = await startLab(t);
  const state = mkdtempSync(join(tmpdir(), 'cutover-e2e-state-'));
  t.after(() => rmSync(state, { recursive: true, force: true }));
  const env = { ...lab.env, USER: 'e2e-driver', TERM: 'xterm-256color' };
  const x = Tmux.create(t);
  // Killing the cockpit's session must not end the tmux server the second session starts on.
  x.tmux('new-session', '-d', '-s', 'keep', 'sleep 900');

  const first = await x.session('one', 120, 30, ['run', RUNBOOK, '--state', state, '--interval', '10'], env);
  await x.waitFor(first, (text) => /3 Smoke [✓✗]/.test(text), 'the panels');
  // Through the legacy stops (the outage window opens), then start one more step and kill everything at once.
  await driveSteps(x, first, { stopAfter: 14 });
  const at = headerProgress(x.lines(first))!;
  assert.equal(at.n, 15, x.text(first));
  assert.match(x.lines(first)[0]!, /outage \d\d:\d\d \/ 03:00/);
  x.keys(first, 'Enter');
  await x.waitFor(first, (_t, l) => /\? (enter\/y|y) run/.test(messageLine(l)), 'the question for step 15');
  const pid = cockpitPid(x.pid(first));
  assert.ok(pid, 'the cockpit process');
  x.keys(first, /DESTRUCTIVE/.test(messageLine(x.lines(first))) ? 'y' : 'Enter');
  x.killSession('one');
  // The terminal hangs up: the cockpit restores it, releases the lease and exits on SIGHUP.
  await waitGone(pid);

  const second = await x.session('two', 120, 30, ['run', RUNBOOK, '--state', state, '--interval', '10'], env);
  const resumed = await x.waitFor(second, (_t, l) => /resumed run #1/.test(messageLine(l)), 'the resume message');
  assert.match(messageLine(resumed.split('\n')), /resumed run #1: 1[45] steps done/);
  const states = listedStates(resumed.split('\n'));
  for (let n = 1; n <= 14; n++) if (states.has(n)) assert.equal(states.get(n), '✓', `step ${n} done before the kill`);
  assert.match(resumed.split('\n')[0]!, /outage \d\d:\d\d \/ 03:00/, 'the outage clock comes back from the journal');

  await driveSteps(x, second);
  await x.waitFor(second, (_t, l) => /cutover complete/.test(messageLine(l)), 'the cutover to complete');
  x.keys(second, 'q');
  await x.waitFor(second, (text) => /EXIT=0/.test(text), 'run to exit 0');

  const verify = await runCli(['verify', RUNBOOK, '--state', state], { env: lab.env });
  assert.equal(verify.code, 0, verify.stderr + verify.stdout);
  const journal = await runCli(['journal', RUNBOOK, '--state', state, '--json'], { env: lab.env });
  assert.equal(journal.code, 0, journal.stderr);
  assert.match(journal.stdout, /"outcome": ?"succeeded"/);
});
