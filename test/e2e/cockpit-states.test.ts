// The cockpit says what is, in the states between "before" and "complete" (one lab, steps that need no
// screen run through `apply` to keep it short):
// - `q` while the outage window is open asks, naming what is down, and `n` returns to the cockpit;
// - mid-run between the repoint (step 23) and the legacy stop (step 33): the legacy containers are not red;
// - after `r` → y: the header says "rolling back" while it runs, then "rolled back", and `q` says the run rolled
//   back (not "cutover complete").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLab } from '../helpers/lab.ts';
import { runCli } from '../helpers/cli.ts';
import { driveSteps, listedStates, messageLine, Tmux } from './tmux.ts';

const RUNBOOK = 'runbooks/lab/posta-cutover.toml';

/** The Containers panel's rows (full layout): "✓ arne-msg   Running .11 …" → name → glyph. */
function containerGlyphs(lines: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const l of lines) {
    const m = /^│([✓✗…·]) (\S+-msg|posta)\s/.exec(l);
    if (m) out.set(m[2]!, m[1]!);
  }
  return out;
}

test('e2e: q inside the outage window asks (n returns); mid-run no red for legacy; rolled back says so', async (t) => {
  const lab = await startLab(t);
  const state = mkdtempSync(join(tmpdir(), 'cutover-e2e-states-'));
  t.after(() => rmSync(state, { recursive: true, force: true }));
  const env = { ...lab.env, USER: 'e2e', TERM: 'xterm-256color' };
  const apply = async (through: string) => {
    const r = await runCli(['apply', RUNBOOK, '--yes', '--allow-destructive', '--through', through, '--state', state], { env: lab.env, timeoutMs: 300_000 });
    assert.equal(r.code, 0, r.stdout + r.stderr);
  };
  await apply('backup-legacy');
  const x = Tmux.create(t);

  // Step 11 by keys opens the outage window: q asks, names what is down, n returns.
  let run = await x.session('st', 120, 30, ['run', RUNBOOK, '--state', state], env);
  await x.waitFor(run, (_t, l) => /lock held/.test(l[0] ?? '') && /3 Smoke [✓✗·…]/.test(l.join('\n')), 'the cockpit with its panels');
  await driveSteps(x, run, { stopAfter: 1 });
  // The preflight runs before the first destructive step: wait until step 11 itself is done (the window is open).
  await x.waitFor(run, (_t, l) => listedStates(l).get(11) === '✓' && !/preflight|running/.test(messageLine(l)), 'step 11 done: the outage window open', 120_000);
  x.keys(run, 'q');
  const asked = await x.waitFor(run, (_t, l) => /outage window open/.test(messageLine(l)), 'q to ask inside the window');
  assert.match(messageLine(asked.split('\n')), /down: arne-msg/);
  assert.match(messageLine(asked.split('\n')), /y quit · n stay/);
  x.keys(run, 'n');
  await x.waitFor(run, (_t, l) => !/outage window open/.test(messageLine(l)) && l.some((r) => r.startsWith('└')), 'n to return to the cockpit');
  x.keys(run, 'q');
  await x.waitFor(run, (_t, l) => /outage window open/.test(messageLine(l)), 'asked again');
  x.keys(run, 'y');
  await x.waitFor(run, (text) => /EXIT=1/.test(text), 'y to quit (resumable, exit 1)');
  assert.match(x.text(run), /stays resumable: cutover run/);

  // Mid-run between the repoint and the legacy stop: the legacy containers run, as expected: not red.
  await apply('token-survival');
  run = x.window('st', ['run', RUNBOOK, '--state', state], env);
  const mid = await x.waitFor(run, (_t, l) => containerGlyphs(l).size === 4 && /3 Smoke [✓✗·]/.test(l.join('\n')), 'the containers panel after resuming at step 27');
  const glyphs = containerGlyphs(mid.split('\n'));
  for (const name of ['arne-msg', 'marcus-msg', 'tarald-msg']) assert.equal(glyphs.get(name), '✓', `${name} mid-run:\n${mid}`);
  assert.doesNotMatch(mid, /autostart brought it back/);

  // Roll back by keys: the header says rolled back; q's line says so and names the legacy path.
  x.keys(run, 'r');
  await x.waitFor(run, (_t, l) => /roll back the steps above\?/.test(messageLine(l)), 'the rollback question');
  x.keys(run, 'y');
  // While it runs the header says so: rolling back, never "done n/n" and not yet "rolled back".
  const rolling = await x.waitFor(run, (_t, l) => /rolling back \(\d+ undone\)/.test(l[0] ?? ''), 'the header to say rolling back', 30_000);
  assert.doesNotMatch(rolling.split('\n')[0]!, /done \d+\/\d+|rolled back/);
  await x.waitFor(run, (_t, l) => /rolled back: \d+ undone/.test(messageLine(l)), 'the rollback to finish', 180_000);
  const back = await x.waitFor(run, (_t, l) => /rolled back \(\d+ undone\)/.test(l[0] ?? ''), 'the header to say rolled back');
  assert.doesNotMatch(back.split('\n')[0]!, /done \d+\/\d+/);
  x.keys(run, 'q');
  const end = await x.waitFor(run, (text) => /EXIT=\d/.test(text), 'q after the rollback');
  assert.match(end, /run: run #\d+ rolled back \(\d+ step\(s\) undone\): the legacy path serves/);
  assert.doesNotMatch(end, /cutover complete/);

  const status = await runCli(['status', RUNBOOK, '--state', state], { env: lab.env });
  assert.equal(status.code, 0, `status after the rollback:\n${status.stdout}${status.stderr}`);
});
