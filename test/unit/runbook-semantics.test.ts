// Runbook semantics in `cutover validate` (the real binary): runbooks that parse but cannot work are refused
// with exit 2, FILE:LINE: key.path and what to do. Each case breaks the shipped production runbook in one place.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, REPO } from '../helpers/cli.ts';
import { hostnameProblem, pathProblem } from '../../src/runbook/semantics.ts';

const BASE = readFileSync(`${REPO}runbooks/posta-cutover.toml`, 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'cutover-semantics-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function nth(text: string, needle: string, n: number): number {
  let at = -1;
  for (let k = 0; k <= n; k++) {
    at = text.indexOf(needle, at + 1);
    assert.ok(at >= 0, `${needle} #${n}`);
  }
  return at;
}
/** Replaces the n-th (0-based) occurrence of `from`; returns the text and the 1-based line of the change. */
function replaceNth(text: string, from: string, to: string, n: number): { text: string; line: number } {
  const at = nth(text, from, n);
  return { text: text.slice(0, at) + to + text.slice(at + from.length), line: text.slice(0, at).split('\n').length };
}

const cases: { name: string; from: string; to: string; n: number; path: string; message: RegExp }[] = [
  { name: 'two identities with the same host', from: 'host = "marcus.posta.no"', to: 'host = "arne.posta.no"', n: 0, path: 'identities[1].host', message: /host "arne\.posta\.no" is also used at identities\[0\]\.host/ },
  { name: 'two identities with the same legacy container', from: 'legacy_container = "marcus-msg"', to: 'legacy_container = "arne-msg"', n: 0, path: 'identities[1].legacy_container', message: /legacy container "arne-msg" is also used at identities\[0\]\.legacy_container: each identity needs its own/ },
  { name: 'two identities with the same data dir', from: 'data_dir = "/var/lib/posta/tarald"', to: 'data_dir = "/var/lib/posta/arne/"', n: 0, path: 'identities[2].data_dir', message: /data dir "\/var\/lib\/posta\/arne" is also used at identities\[0\]\.data_dir/ },
  { name: 'a non-ASCII host gets its punycode suggested', from: 'host = "tarald.posta.no"', to: 'host = "tårald.posta.no"', n: 0, path: 'identities[2].host', message: /"tårald\.posta\.no" is not an ASCII hostname; write its punycode form "xn--trald-mra\.posta\.no"/ },
  { name: 'a path with a quote and a newline', from: 'legacy_keys = "/var/lib/posta/keys.json"', to: 'legacy_keys = "/var/lib/posta/ke\\"ys\\n.json"', n: 0, path: 'identities[0].legacy_keys', message: /holds a newline or control character/ },
  { name: 'a path with a quote', from: 'legacy_db = "/var/lib/posta/inbox.db"', to: 'legacy_db = "/var/lib/posta/in\\"box.db"', n: 1, path: 'identities[1].legacy_db', message: /holds a quote or backslash: it would break the TOML manifest/ },
  { name: 'an actor name that would break the smoke condition it is written into', from: 'actor_name = "Arne"', to: 'actor_name = "Arne \\"A\\""', n: 0, path: 'identities[0].actor_name', message: /holds a quote or backslash/ },
];

for (const c of cases) {
  test(`validate refuses: ${c.name}`, async () => {
    const { text, line } = replaceNth(BASE, c.from, c.to, c.n);
    const file = join(dir, `${c.name.replace(/\W+/g, '-')}.toml`);
    writeFileSync(file, text);
    const r = await runCli(['validate', file]);
    assert.equal(r.code, 2, r.stderr);
    const hits = r.stderr.split('\n').filter((l) => l.startsWith(`${file}:${line}: ${c.path}: `));
    assert.ok(hits.some((h) => c.message.test(h)), `expected ${file}:${line}: ${c.path}: ${c.message} in:\n${r.stderr}`);
  });
}

test('the shipped runbooks pass the semantic checks', async () => {
  for (const f of ['runbooks/posta-cutover.toml', 'runbooks/lab/posta-cutover.toml', 'runbooks/posta-decommission.toml']) {
    const r = await runCli(['validate', f]);
    assert.equal(r.code, 0, `${f}: ${r.stderr}`);
  }
});

test('hostnames and paths: the rules themselves', () => {
  assert.equal(hostnameProblem('arne.posta.no'), null);
  assert.equal(hostnameProblem('xn--trald-mra.posta.no'), null);
  assert.match(hostnameProblem('bad_host.no')!, /not a hostname/);
  assert.match(hostnameProblem('-a.no')!, /not a hostname/);
  assert.match(hostnameProblem('a b.no')!, /whitespace or control/);
  assert.equal(pathProblem('/var/lib/posta/arne'), null);
  assert.match(pathProblem('var/lib')!, /absolute/);
  assert.match(pathProblem('/var/../etc')!, /\.\./);
  assert.match(pathProblem("/var/it's")!, /quote/);
});
