// The cockpit says what is after the cutover's life ends, on one lab (steps that need no screen run through
// `apply` to keep it short):
// - after the decommission: the deleted legacy containers are ✓ "deleted" (never a red ✗ "absent"), the panel
//   says "deleted by decommission run #N", and the header names the decommissioned state;
// - on a rebuilt lab (`lab up` again, same names, new instances) with the old state: no red anywhere for what
//   the old lab's baseline said — the smoke cells needing it are pending ("baseline from run #1 on other
//   instances"), no token is LOST, the legacy containers are ✓ Running.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLab } from '../helpers/lab.ts';
import { runCli } from '../helpers/cli.ts';
import { frame, Tmux } from './tmux.ts';

const CUTOVER = 'runbooks/lab/posta-cutover.toml';
const DECOM = 'runbooks/lab/posta-decommission.toml';
const LEGACY = ['arne-msg', 'marcus-msg', 'tarald-msg'];

/** The Containers panel's rows (full layout): "│✓ arne-msg   deleted …" → name → { glyph, status }. */
function containerRows(lines: string[]): Map<string, { glyph: string; status: string }> {
  const out = new Map<string, { glyph: string; status: string }>();
  for (const l of lines) {
    const m = /^│([✓✗…·]) (\S+-msg|posta)\s+(\S+)/.exec(l);
    if (m) out.set(m[2]!, { glyph: m[1]!, status: m[3]! });
  }
  return out;
}

/** One panel's text (full layout, panel k from 0), its lines joined: wrapped notes read as one. */
function panelColumn(lines: string[], k: number): string {
  return lines
    .slice(1, 12)
    .map((l) => (l.split('│')[k + 1] ?? '').trim())
    .join(' ');
}

/** The title row's verdict of each panel: "1 Containers ✓" … */
function panelVerdicts(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/\d (Containers|Upstreams|Smoke|Tokens) ([✓✗·…?])/g)) out[m[1]!] = m[2]!;
  return out;
}

test('e2e: after a decommission the deleted containers are ✓ deleted; a rebuilt lab opens without red', async (t) => {
  const lab = await startLab(t);
  const state = mkdtempSync(join(tmpdir(), 'cutover-e2e-after-'));
  t.after(() => rmSync(state, { recursive: true, force: true }));
  const cli = async (args: string[]) => {
    const r = await runCli([...args, '--state', state], { env: lab.env, timeoutMs: 300_000 });
    assert.equal(r.code, 0, `${args.join(' ')}:\n${r.stdout}${r.stderr}`);
    return r;
  };
  await cli(['apply', CUTOVER, '--yes', '--allow-destructive']);
  await cli(['apply', DECOM, '--yes', '--allow-destructive', '--waive-window', '--reason', 'rehearsal: verified end to end', '--acknowledge-logs']);
  const env = { ...lab.env, USER: 'e2e', TERM: 'xterm-256color' };
  const x = Tmux.create(t);

  // After the decommission: the cutover's cockpit.
  let run = await x.session('af', 120, 30, ['run', CUTOVER, '--state', state], env);
  const after = await x.waitFor(run, (text, l) => containerRows(l).size === 4 && /3 Smoke [✓✗·]/.test(text) && /4 Tokens [✓✗·]/.test(text), 'the panels after the decommission', 60_000);
  const rows = containerRows(after.split('\n'));
  for (const name of LEGACY) assert.deepEqual(rows.get(name), { glyph: '✓', status: 'deleted' }, `${name} after the decommission:\n${after}`);
  assert.equal(panelVerdicts(after).Containers, '✓', after);
  assert.doesNotMatch(after, /absent|does not exist|✗/, after);
  assert.match(frame(after.split('\n'))[0]!, /decommissioned \(run #2\) · next 1\/35/, `the header names the state:\n${after}`);
  // The panel's note under the rows, and the full-size panel on arne-msg: why it is absent, in full.
  assert.match(panelColumn(after.split('\n'), 0), /· deleted by decommission run #2 \(archive/, after);
  x.keys(run, '1', 'Down');
  const focused = await x.waitFor(run, (text) => /actual +deleted by decommission run #2 \(archive \//.test(text), 'the full-size containers panel on arne-msg');
  assert.match(focused, /expected +absent/);
  x.keys(run, 'Escape');
  x.keys(run, 'q');
  // Nothing of this plan ran: q quits at once (no outage window is open) and claims no cutover.
  const quit = await x.waitFor(run, (text) => /EXIT=\d/.test(text), 'q to quit (no window open)');
  assert.doesNotMatch(quit, /cutover complete/);
  x.killSession('af');

  // A rebuilt lab: same names, new instances; the state (journal, baseline) is the old lab's.
  const up = await lab.cli(['lab', 'up', '--dir', lab.dir]);
  assert.equal(up.code, 0, up.stderr);
  run = await x.session('rb', 120, 30, ['run', CUTOVER, '--state', state], env);
  const rebuilt = await x.waitFor(run, (text, l) => containerRows(l).size === 4 && /3 Smoke [✓✗·]/.test(text) && /4 Tokens [✓✗·]/.test(text) && /tarald\/tui-dev/.test(text) && /on other instan/.test(text), 'the panels on the rebuilt lab', 60_000);
  const v = panelVerdicts(rebuilt);
  assert.deepEqual([v.Containers, v.Smoke, v.Tokens], ['✓', '✓', '✓'], `no red on a rebuilt lab:\n${rebuilt}`);
  for (const name of LEGACY) assert.deepEqual(containerRows(rebuilt.split('\n')).get(name), { glyph: '✓', status: 'Running' }, rebuilt);
  assert.doesNotMatch(rebuilt, /LOST|✗/, rebuilt);
  // The smoke cells needing the old baseline are pending, and the panel says why (its note wraps in the column).
  assert.match(panelColumn(rebuilt.split('\n'), 2), /· baseline from run #1 on other instan/, rebuilt);
  x.keys(run, 'q');
  await x.waitFor(run, (text) => /EXIT=\d/.test(text), 'q to quit');
});
