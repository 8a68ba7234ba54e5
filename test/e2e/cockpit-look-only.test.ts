// Opening the cockpit creates no run until a step runs (issue 17): a look-only session (open, wait for the
// journal and the lease, quit) leaves the journal's run list as it was; a session that skips the first step
// records one new run. No lab: the panels may say they cannot check, the journal is what is judged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openJournal } from '../../src/journal/index.ts';
import { readJournal } from '../helpers/driver.ts';
import { messageLine, Tmux } from './tmux.ts';

const RUNBOOK = 'runbooks/lab/posta-cutover.toml';

test('e2e: a look-only cockpit session records no run; skipping the first step records one', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cutover-e2e-look-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const state = join(dir, 'state');
  // An earlier run in the journal: the one a later look must never shadow.
  const j = openJournal({ stateDir: state });
  const first = j.startRun({ runbookPath: RUNBOOK, runbookName: 'posta-multitenant-cutover-lab', runbookSha256: '0'.repeat(64), runbookText: '', host: 'lab', mode: 'apply' });
  j.endRun(first, 'succeeded');
  j.close();
  const runs = () => readJournal(state, (jj) => jj.runs().map((r) => `#${r.id} ${r.mode} ${r.outcome ?? 'unfinished'}`));
  const before = runs();
  assert.deepEqual(before, ['#1 apply succeeded']);

  const env = { CUTOVER_LAB_DIR: join(dir, 'no-lab'), CUTOVER_INCUS: join(dir, 'no-incus'), USER: 'e2e', TERM: 'xterm-256color' };
  const x = Tmux.create(t);
  let run = await x.session('look', 120, 30, ['run', RUNBOOK, '--state', state], env);
  await x.waitFor(run, (_t, l) => /lock held/.test(l[0] ?? ''), 'the cockpit holding the lease (journal open)', 60_000);
  // Looking: the step list moves, the selected step's commands open and close.
  x.keys(run, 'j', 'k', 'd');
  await x.waitFor(run, (text) => /q close/.test(text), 'the commands view');
  x.keys(run, 'q');
  await x.waitFor(run, (_t, l) => !/q close/.test(l.join('\n')) && /lock held/.test(l[0] ?? ''), 'back in the cockpit');
  x.keys(run, 'q');
  const quit = await x.waitFor(run, (text) => /EXIT=\d/.test(text), 'q to quit');
  assert.match(quit, /no step ran; no run recorded/);
  assert.match(quit, /EXIT=1/);
  assert.deepEqual(runs(), before, 'the look-only session left no run behind');
  x.killSession('look');

  // The control: a step skipped with a reason is an action, and starts the run.
  run = await x.session('skip', 120, 30, ['run', RUNBOOK, '--state', state], env);
  await x.waitFor(run, (_t, l) => /lock held/.test(l[0] ?? ''), 'the cockpit again', 60_000);
  x.keys(run, 's');
  await x.waitFor(run, (_t, l) => /reason/i.test(messageLine(l)), 'the skip question');
  x.literal(run, 'e2e look-only control');
  await x.waitFor(run, (text) => /e2e look-only control/.test(text), 'the reason typed');
  x.keys(run, 'Enter');
  // Step 1's row shows the skipped glyph (a loose /–/ once matched the typing footer's "a–z" before the skip).
  await x.waitFor(run, (_t, l) => l.some((r) => /↷\s*1\s+record key/.test(r)), 'step 1 skipped', 30_000);
  x.keys(run, 'q');
  const end = await x.waitFor(run, (text) => /EXIT=\d/.test(text), 'q to quit');
  assert.match(end, /run #2 stays resumable/);
  assert.deepEqual(runs(), ['#1 apply succeeded', '#2 run unfinished']);
});
