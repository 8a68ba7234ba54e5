import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { VERSION } from '../../src/cli/version.ts';
import { COMMANDS } from '../../src/cli/commands.ts';
import { runCli, REPO } from '../helpers/cli.ts';

test('VERSION matches package.json', () => {
  const pkg = JSON.parse(readFileSync(`${REPO}package.json`, 'utf8'));
  assert.equal(VERSION, pkg.version);
});

test('cutover --help lists every command and exits 0', async () => {
  const r = await runCli(['--help']);
  assert.equal(r.code, 0);
  for (const c of COMMANDS) assert.match(r.stdout, new RegExp(`^  ${c.name} `, 'm'));
});

test('every command answers --help with a usage line', async () => {
  for (const c of COMMANDS) {
    const r = await runCli([c.name, '--help']);
    assert.equal(r.code, 0, `${c.name} --help exit`);
    assert.match(r.stdout, new RegExp(`^Usage: cutover ${c.name}`), `${c.name} --help usage`);
  }
});

test('unknown command exits 2 with a hint, no stack trace', async () => {
  const r = await runCli(['valdate']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown command "valdate".*did you mean "validate"/);
  assert.doesNotMatch(r.stderr, /at .*\.ts:\d+/);
});
