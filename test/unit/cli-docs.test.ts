// docs/cli.md is the CLI contract in the repository: every command is in it, every flag each command's
// --help names is in that command's row, and the exit codes it lists are the ones --help states.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { COMMANDS } from '../../src/cli/commands.ts';

const DOC = readFileSync(new URL('../../docs/cli.md', import.meta.url), 'utf8');
const rows = DOC.split('\n').filter((l) => l.startsWith('| `cutover '));

test('docs/cli.md: a row per command, with every flag of its --help', async () => {
  for (const c of COMMANDS) {
    const row = rows.find((r) => r.startsWith(`| \`cutover ${c.name} `) || r.startsWith(`| \`cutover ${c.name}\``));
    assert.ok(row, `docs/cli.md has no row for cutover ${c.name}`);
    const help = (await c.load()).help;
    // The command's own flags: its usage lines and its option list (not flags of other commands it mentions).
    const own = help.split('\n').filter((l) => /^(Usage:|\s{6,}\[|\s+(-\w, )?--[a-z])/.test(l)).join('\n');
    const flags = new Set([...own.matchAll(/(?<![\w-])--[a-z][a-z-]+/g)].map((m) => m[0]).filter((f) => f !== '--help'));
    // drill shares backup's options; its row says so instead of repeating them.
    const backupRow = rows.find((r) => r.startsWith('| `cutover backup '))!;
    for (const f of flags) assert.ok(row.includes(f) || (c.name === 'drill' && row.includes('[backup options]') && backupRow.includes(f)), `cutover ${c.name}: ${f} is in --help but not in docs/cli.md`);
    const exit = /Exit codes: ([^]*?)(?:\.\s*$|\n\n)/m.exec(help)?.[1];
    assert.ok(exit, `cutover ${c.name} --help states its exit codes`);
    for (const code of new Set([...exit.matchAll(/\b([012])\b/g)].map((m) => m[1]))) assert.ok(row.split(/(?<!\\)\|/)[3]!.includes(code!), `cutover ${c.name}: exit code ${code} of --help missing in docs/cli.md`);
  }
});

test('README links only files inside the repository, and they exist', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const links = [...readme.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((m) => m[1]!).filter((l) => !/^https?:/.test(l));
  assert.ok(links.includes('docs/cli.md'), 'README links the CLI contract');
  for (const l of links) {
    assert.ok(!l.startsWith('..') && !l.startsWith('/'), `README links ${l}, outside the repository`);
    assert.doesNotThrow(() => readFileSync(new URL(`../../${l}`, import.meta.url)), `README links ${l}, which does not exist`);
  }
  assert.doesNotMatch(readme, /\.\.\/shared/, 'no reference to ../shared');
});
