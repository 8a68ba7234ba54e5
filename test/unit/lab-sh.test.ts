// The lab containers' `sh -c`: the subset cutover sends, expanded as a POSIX shell would, and refusals for
// what it cannot run faithfully.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseScript, runScript, ShellSyntaxError } from '../../src/lab/shim/sh.ts';

test('words, quotes and positional parameters expand as in sh', () => {
  const cmds = parseScript(`stat -c "%s %a %u %g %n" "$@"; echo '@@ mark @@'; sha256sum "$2" x"$1"y`, ['/a b', '/c']);
  assert.deepEqual(cmds, [
    { argv: ['stat', '-c', '%s %a %u %g %n', '/a b', '/c'], after: ';' },
    { argv: ['echo', '@@ mark @@'], after: ';' },
    { argv: ['sha256sum', '/c', 'x/a by'], after: ';' },
  ]);
  assert.deepEqual(parseScript('echo "pre$@post" $# \\"q\\"', ['1', '2'])[0]!.argv, ['echo', 'pre1', '2post', '2', '"q"']);
  assert.deepEqual(parseScript('mv -f "$1" "$2" || exit 97\ntrue && false', ['t', 'f']), [
    { argv: ['mv', '-f', 't', 'f'], after: ';' },
    { argv: ['exit', '97'], after: '||' },
    { argv: ['true'], after: ';' },
    { argv: ['false'], after: '&&' },
  ]);
});

test('pipes, redirections, substitutions, globs and dangling operators are refused', () => {
  for (const s of ['a | b', 'a > f', 'echo `x`', 'echo "$(x)"', 'echo $(x)', 'ls *', 'a &', '&& b', 'echo "open', "echo 'open", 'echo $HOME']) {
    assert.throws(() => parseScript(s, []), ShellSyntaxError, s);
  }
});

test('runScript: && and || follow the last exit code, exit ends the script', async () => {
  const ran: string[] = [];
  const run = async (argv: string[]) => (ran.push(argv.join(' ')), argv[0] === 'false' ? 1 : 0);
  assert.equal(await runScript(parseScript('false && echo no; echo yes || echo no2; false || exit 7; echo never', []), run), 7);
  assert.deepEqual(ran, ['false', 'echo yes', 'false']);
  assert.equal(await runScript(parseScript('true; false', []), run), 1);
});
