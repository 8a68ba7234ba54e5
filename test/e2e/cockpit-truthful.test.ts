// What the cockpit says about who drives and how it reads at 80x24, on one lab (kept short for CI):
// - `apply` with USER and LOGNAME unset records the OS account as user@host, not "unknown";
// - a second `cutover run` is refused with one line and never draws a frame (every byte it wrote is checked);
// - at 80x24 the footer keeps `? help · q quit`, and the help overlay fits and scrolls to its last line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { hostname, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { startLab } from '../helpers/lab.ts';
import { BUNDLE, ensureBundle, REPO } from '../helpers/cli.ts';
import { openJournal } from '../../src/journal/index.ts';
import { footerLine, frame, Tmux } from './tmux.ts';

const RUNBOOK = 'runbooks/lab/posta-cutover.toml';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('e2e: driver identity without USER/LOGNAME; a refused second run draws nothing; 80x24 footer and help', async (t) => {
  const lab = await startLab(t);
  const state = mkdtempSync(join(tmpdir(), 'cutover-e2e-truthful-'));
  t.after(() => rmSync(state, { recursive: true, force: true }));

  // env -u USER -u LOGNAME cutover apply …: the OS account, with the host.
  await ensureBundle();
  const env = Object.fromEntries(Object.entries({ ...process.env, ...lab.env, NO_COLOR: '1' }).filter(([k]) => k !== 'USER' && k !== 'LOGNAME' && k !== 'SSH_CONNECTION')) as Record<string, string>;
  const apply = spawnSync(process.execPath, [BUNDLE, 'apply', RUNBOOK, '--yes', '--through', 'create-container', '--state', state], { cwd: REPO, env, encoding: 'utf8', timeout: 60_000 });
  assert.equal(apply.status, 0, apply.stderr);
  const j = openJournal({ stateDir: state, readonly: true });
  const runs = j.runs();
  j.close();
  assert.equal(runs.at(-1)!.operator, `${userInfo().username}@${hostname()}`);
  assert.doesNotMatch(runs.at(-1)!.operator, /unknown/);

  // The first driver at 80x24.
  const tenv = { ...lab.env, USER: 'first', TERM: 'xterm-256color' };
  const x = Tmux.create(t);
  const run = await x.session('tr', 80, 24, ['run', RUNBOOK, '--state', state], tenv);
  await x.waitFor(run, (_t, l) => /lock held/.test(l[0] ?? '') && l.some((r) => r.startsWith('└')), 'the driver holding the lease');
  assert.match(footerLine(x.lines(run)), /\? help · q quit ─*┘$/, 'footer at 80 columns keeps ? and q');

  // A second driver: one line, exit 1, and not one frame drawn (no box, no alternate screen).
  const bytes = join(state, 'second-run.bytes');
  const second = x.window('tr', ['run', RUNBOOK, '--state', state], { ...lab.env, USER: 'second', TERM: 'xterm-256color' }, 1);
  x.pipe(second, bytes);
  const out = await x.waitFor(second, (text) => /EXIT=\d/.test(text), 'the second run to end');
  x.unpipe(second);
  assert.match(out, /run: another driver is running: first \(pid \d+ on /);
  assert.match(out, /EXIT=1/);
  const raw = readFileSync(bytes, 'utf8');
  assert.match(raw, /another driver is running/, 'pipe-pane saw the output');
  assert.doesNotMatch(raw, /[┌└│]|\x1b\[\?1049h/, 'no frame and no alternate screen before the refusal');

  // Help at 80x24: inside the frame, scrolls to the end (q's line), wraps rather than cuts.
  x.keys(run, '?');
  await x.waitFor(run, (_t, l) => /Keys · esc back/.test(l[1] ?? ''), 'the help overlay');
  const seen: string[] = [];
  const lastBinding = /Close the overlay \(like esc\)\./;
  // Page down until the last binding shows; each page waits for the screen to change (a loaded machine draws late).
  for (let i = 0; i < 20 && !lastBinding.test(seen.join('\n')); i++) {
    const l = x.lines(run);
    assert.ok(frame(l).length <= 23, `frame of ${frame(l).length} rows`);
    seen.push(...l);
    const before = x.text(run);
    x.keys(run, 'NPage');
    for (let w = 0; w < 20 && x.text(run) === before; w++) await sleep(100);
  }
  seen.push(...x.lines(run));
  const help = seen.join('\n');
  assert.ok(lastBinding.test(help), `scrolled to the last binding; last screen:\n${x.text(run)}`);
  assert.doesNotMatch(help.split('\n').filter((l) => /^│ {2}\S/.test(l)).join('\n'), /…│/, 'no help row cut with an ellipsis');
  x.keys(run, 'Escape');
  await sleep(300);
  x.keys(run, 'q');
  await x.waitFor(run, (text) => /EXIT=\d/.test(text), 'run to exit after q');
});
