// `run` and `watch` without a terminal: exit 2 with one clear line naming what to use instead (`apply` /
// `status`), no stack trace, nothing touched (no state directory, no lease). Piped both ways through the real
// binary, and in tmux with only one side redirected (stdin from /dev/null, stdout into a pipe).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUNDLE, REPO, runCli } from '../helpers/cli.ts';
import { Tmux } from './tmux.ts';

const RUNBOOK = 'runbooks/lab/posta-cutover.toml';

function scratch(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'cutover-notty-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'state');
}

test('run without a TTY: exit 2, names apply (and status), no stack trace, no state written', async (t) => {
  const state = scratch(t);
  const r = await runCli(['run', RUNBOOK, '--state', state], { input: '' });
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /run: the cockpit needs a terminal \(stdin and stdout must be a TTY\)/);
  assert.match(r.stderr, new RegExp(`cutover apply ${RUNBOOK.replace(/[./]/g, '\\$&')} --yes`));
  assert.match(r.stderr, /cutover status /);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  assert.equal(existsSync(state), false, 'nothing written');
});

test('watch without a TTY: exit 2, names status (and journal), no stack trace', async (t) => {
  const state = scratch(t);
  const r = await runCli(['watch', RUNBOOK, '--state', state], { input: '' });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /watch: the cockpit needs a terminal/);
  assert.match(r.stderr, new RegExp(`cutover status ${RUNBOOK.replace(/[./]/g, '\\$&')}`));
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  assert.equal(existsSync(state), false);
});

test('half a terminal is not enough: stdin from /dev/null, or stdout into a pipe (tmux)', async (t) => {
  const state = scratch(t);
  const x = Tmux.create(t);
  const node = `'${process.execPath}' '${BUNDLE}'`;
  const out = join(state, '..', 'piped.txt');
  x.tmux('new-session', '-d', '-s', 'nt', '-x', '120', '-y', '30', `cd '${REPO}' && ${node} run ${RUNBOOK} --state '${state}' < /dev/null; echo "EXIT=$?"; sleep 60`);
  const a = await x.waitFor('nt:0', (text) => /EXIT=\d/.test(text), 'run with stdin from /dev/null to exit');
  assert.match(a, /needs a terminal[\s\S]*EXIT=2/);
  x.tmux('new-window', '-d', '-t', 'nt', `cd '${REPO}' && { ${node} watch ${RUNBOOK} --state '${state}'; echo "EXIT=$?" >&2; } | cat > '${out}'; sleep 60`);
  const b = await x.waitFor('nt:1', (text) => /EXIT=\d/.test(text), 'watch with stdout into a pipe to exit');
  assert.match(b, /watch: the cockpit needs a terminal[\s\S]*EXIT=2/);
  assert.equal(existsSync(state), false);
});
