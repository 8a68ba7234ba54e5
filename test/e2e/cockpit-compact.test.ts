// The cockpit at 80x24 in tmux against the lab: in every view (panels, help, diff, output, a full-size panel,
// questions) and while steps run, the frame is whole: rows - 1 lines, each exactly one terminal row between
// its borders (a line wider than 80 columns would wrap and break that).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import stringWidth from 'string-width';
import { startLab } from '../helpers/lab.ts';
import { driveSteps, frame, Tmux } from './tmux.ts';

const RUNBOOK = 'runbooks/lab/posta-cutover.toml';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function assertWhole(lines: string[], what: string) {
  const f = frame(lines);
  assert.equal(f.length, 23, `${what}: frame of ${f.length} lines:\n${lines.join('\n')}`);
  for (const [i, l] of f.entries()) {
    assert.ok(stringWidth(l) <= 80, `${what}: line ${i + 1} is ${stringWidth(l)} columns`);
    assert.match(l, /^[┌│├└].*[┐│┤┘]$/, `${what}: line ${i + 1} is not one whole row:\n${lines.join('\n')}`);
    assert.equal(stringWidth(l), 80, `${what}: line ${i + 1} is ragged`);
  }
}

test('e2e 80x24: the compact frame fits in every view and while steps run', async (t) => {
  const lab = await startLab(t);
  const state = mkdtempSync(join(tmpdir(), 'cutover-e2e-state-'));
  t.after(() => rmSync(state, { recursive: true, force: true }));
  const x = Tmux.create(t);
  const run = await x.session('compact', 80, 24, ['run', RUNBOOK, '--state', state, '--interval', '10'], { ...lab.env, USER: 'e2e-driver', TERM: 'xterm-256color' });
  await x.waitFor(run, (text) => /3 Smoke\s+[✓✗]/.test(text), 'the compact panels');
  assertWhole(x.lines(run), 'first frame');
  const views: [string, string[]][] = [
    ['help', ['?']],
    ['help scrolled', ['PageDown']],
    ['back', ['Escape']],
    ['diff of step 1', ['d']],
    ['back', ['Escape']],
    ['panel 3', ['3']],
    ['panel 3 cursor', ['j', 'j', 'j']],
    ['panel 1', ['1']],
    ['back', ['Escape']],
    ['run question', ['Enter']],
    ['cancelled', ['Escape']],
    ['skip question', ['s']],
    ['skip reason typed', ['a', 'b', 'c']],
    ['cancelled', ['Escape']],
  ];
  for (const [what, keys] of views) {
    x.keys(run, ...keys);
    await sleep(250);
    assertWhole(x.lines(run), what);
  }
  await driveSteps(x, run, { stopAfter: 14, onStep: async (n) => assertWhole(x.lines(run), `after step ${n}`) });
  x.keys(run, 'o');
  await sleep(250);
  assertWhole(x.lines(run), 'output of the last step');
  // The first q closes the output view; inside the outage window (steps 11–24) the second asks before it quits.
  x.keys(run, 'q', 'q');
  await x.waitFor(run, (text) => /quit/.test(text) && /y quit/.test(text), 'quit question');
  assertWhole(x.lines(run), 'quit question');
  x.keys(run, 'y');
  await x.waitFor(run, (text) => /EXIT=1/.test(text) && /stays resumable/.test(text), 'run to quit, resumable');
});
