// One table from outcome codes to exit statuses: every outcome has a status, the CLI contract documents each one
// as the table says, and each outcome reaches the process through main() as that status.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { OUTCOMES, type Outcome } from '../../src/contract/outcome.ts';
import { CliError, type CliIO } from '../../src/contract/io.ts';
import { EXIT_STATUS } from '../../src/cli/exit-status.ts';
import { exitStatus, main, reportError } from '../../src/cli/main.ts';

function io(): CliIO & { err: () => string } {
  const stderr = new PassThrough();
  let text = '';
  stderr.on('data', (c: Buffer) => (text += c.toString()));
  return {
    stdout: new PassThrough(),
    stderr,
    stdin: new PassThrough(),
    env: { ...process.env },
    cwd: process.cwd(),
    debug: false,
    exit: (code) => {
      throw new Error(`exit ${code}`);
    },
    err: () => text,
  };
}

test('every outcome maps to 0, 1 or 2, and only ok is 0', () => {
  for (const o of Object.keys(OUTCOMES) as Outcome[]) {
    assert.ok([0, 1, 2].includes(EXIT_STATUS[o]), o);
    assert.equal(EXIT_STATUS[o] === 0, o === 'ok', o);
  }
  assert.deepEqual(Object.keys(EXIT_STATUS).sort(), Object.keys(OUTCOMES).sort());
});

test('docs/cli.md lists each outcome with its exit status and meaning', () => {
  const doc = readFileSync(new URL('../../docs/cli.md', import.meta.url), 'utf8');
  for (const [o, meaning] of Object.entries(OUTCOMES)) {
    assert.ok(doc.includes(`| \`${o}\` | ${EXIT_STATUS[o as Outcome]} | ${meaning} |`), `docs/cli.md: row for ${o}`);
  }
});

test('an operator error exits with its outcome\'s status, printed without a stack', () => {
  for (const o of Object.keys(OUTCOMES) as Outcome[]) {
    if (o === 'ok') continue;
    const x = io();
    assert.equal(reportError(new CliError(`something ${o}`, o), x), EXIT_STATUS[o], o);
    assert.equal(x.err(), `cutover: something ${o}\n`);
  }
  const x = io();
  assert.equal(reportError(new Error('boom'), x), exitStatus('internal'));
  assert.match(x.err(), /run with --debug/);
});

test('through main(): ok, usage and bad-input as the process sees them', async () => {
  assert.equal(await main(['--version'], io()), 0);
  assert.equal(await main(['nosuchcommand'], io()), EXIT_STATUS.usage);
  assert.equal(await main(['validate'], io()), EXIT_STATUS.usage, 'missing argument');
  assert.equal(await main(['validate', '/nonexistent/runbook.toml'], io()), EXIT_STATUS['bad-input']);
  assert.equal(await main(['validate', 'runbooks/lab/posta-cutover.toml'], io()), 0);
});
