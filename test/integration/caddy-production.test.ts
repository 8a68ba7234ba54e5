// The repoint against a production-shaped Caddyfile (global options, snippets, nested handle, a metrics
// upstream, a two-upstream reverse_proxy, look-alike site names, CRLF, tabs and spaces), checked with the real
// `caddy adapt` and, on a running Caddy, with a repoint and its rollback: only the legacy dials change, and the
// rollback restores the file byte for byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adaptText, getConfig } from '../../src/adapters/caddy.ts';
import { analyzeRepoint } from '../../src/caddyfile/edit.ts';
import { legacyMoves } from '../../src/caddyfile/legacy.ts';
import { dialsByHost } from '../../src/caddyfile/dials.ts';
import { unintendedDifferences } from '../../src/caddyfile/semantic.ts';
import { repoint, restoreCaddyfile } from '../../src/caddyfile/repoint.ts';
import { ADMIN, IP, startCaddyLab } from './caddy-harness.ts';

const FIXTURE = readFileSync(new URL('../fixtures/caddyfiles/posta-production-full.Caddyfile', import.meta.url), 'utf8');
const SITES = ['arne.posta.no', 'marcus.posta.no', 'tarald.posta.no'];
const identities = [
  { host: 'arne.posta.no', legacy_container: 'arne-msg', port: 80 },
  { host: 'marcus.posta.no', legacy_container: 'marcus-msg', port: 80 },
  { host: 'tarald.posta.no', legacy_container: 'tarald-msg', port: 80 },
];
const instancesAt = (net: string) => [
  { name: 'arne-msg', ipv4: `${net}.201` },
  { name: 'marcus-msg', ipv4: `${net}.229` },
  { name: 'tarald-msg', ipv4: `${net}.205` },
];
const NEW = '10.228.107.168:80';

/** Independent oracle: the old text with `from` replaced by `to` on exactly these lines. */
function oracle(old: string, edits: [number, string, string][]): string {
  const eol = old.includes('\r\n') ? '\r\n' : '\n';
  const lines = old.split(eol);
  for (const [line, from, to] of edits) {
    assert.equal(lines[line - 1]!.split(from).length, 2, `oracle: line ${line} holds ${from} once`);
    lines[line - 1] = lines[line - 1]!.replace(from, to);
  }
  return lines.join(eol);
}

const LEGACY_EDITS: [number, string, string][] = [
  [29, '10.228.107.201:80', NEW],
  [38, 'http://10.228.107.229:80', `http://${NEW}`],
  [41, '10.228.107.229', NEW],
  [47, '10.228.107.205:80', NEW],
];

for (const [eolName, text] of [
  ['LF', FIXTURE],
  ['CRLF', FIXTURE.replace(/\n/g, '\r\n')],
] as const) {
  test(`production Caddyfile (${eolName}): the two-upstream reverse_proxy is a blocker naming its line, until the runbook decides`, () => {
    const { moves } = legacyMoves({ sites: SITES, identities, instances: instancesAt('10.228.107') });
    const a = analyzeRepoint(text, moves, NEW);
    const blockers = a.problems.filter((p) => p.level === 'blocker');
    assert.deepEqual(blockers.map((p) => [p.code, p.line]), [['mixed-upstreams', 47]]);
    assert.match(blockers[0]!.message, /site tarald\.posta\.no, line 47: reverse_proxy mixes the legacy dial\(s\) 10\.228\.107\.205:80 with 10\.228\.107\.77:80/);
    assert.match(blockers[0]!.fix, /proxy\.mixed_upstreams = "replace_legacy"/);
    assert.equal(a.text, text, 'nothing is edited while a blocker stands');
  });

  test(`production Caddyfile (${eolName}): only the legacy dials change (metrics, the second upstream, look-alikes, snippets stay), checked by caddy adapt`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'cutover-prod-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'Caddyfile');
    writeFileSync(path, text);
    const { moves } = legacyMoves({ sites: SITES, identities, instances: instancesAt('10.228.107') });
    const a = analyzeRepoint(text, moves, NEW, { mixed: 'replace_legacy' });
    assert.deepEqual(a.problems.filter((p) => p.level === 'blocker'), []);
    assert.equal(a.text, oracle(text, LEGACY_EDITS));
    assert.deepEqual(a.changes.map((c) => c.line), [29, 38, 41, 47]);
    const [before, after] = await Promise.all([adaptText(text, path, '/usr/bin/caddy'), adaptText(a.text, path, '/usr/bin/caddy')]);
    assert.deepEqual(unintendedDifferences(before.config, after.config, moves, NEW, 'replace_legacy'), []);
    const dials = dialsByHost(after.config);
    assert.deepEqual(dials.get('arne.posta.no'), ['10.228.107.50:9100', NEW], 'the metrics upstream stays');
    assert.deepEqual(dials.get('tarald.posta.no'), [NEW, '10.228.107.77:80'], 'the second upstream stays');
    assert.deepEqual(dials.get('arne.posta.no.example'), ['10.228.107.201:80']);
    assert.deepEqual(dials.get('xarne.posta.no'), ['10.228.107.201:80']);
    assert.deepEqual(dials.get('status.posta.no'), ['10.228.107.90:3000', '10.228.107.91:3000']);

    const collapse = analyzeRepoint(text, moves, NEW, { mixed: 'collapse' });
    const c47 = collapse.changes.find((c) => c.line === 47)!;
    assert.deepEqual([c47.from, c47.to], ['10.228.107.205:80 10.228.107.77:80', NEW], 'collapse is what the runbook chose, never the default');
    const collapsed = await adaptText(collapse.text, path, '/usr/bin/caddy');
    assert.deepEqual(unintendedDifferences(before.config, collapsed.config, moves, NEW, 'collapse'), []);
  });
}

test('production Caddyfile: the old collapse of every upstream is caught by the semantic check', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cutover-prod-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'Caddyfile');
  const { moves } = legacyMoves({ sites: SITES, identities, instances: instancesAt('10.228.107') });
  // What the repoint did before: the metrics handle pointed at posta too.
  const wrong = oracle(FIXTURE, [...LEGACY_EDITS, [25, '10.228.107.50:9100', NEW]]);
  const [before, after] = await Promise.all([adaptText(FIXTURE, path, '/usr/bin/caddy'), adaptText(wrong, path, '/usr/bin/caddy')]);
  const diffs = unintendedDifferences(before.config, after.config, moves, NEW, 'replace_legacy');
  assert.ok(diffs.some((d) => /"10\.228\.107\.50:9100" → "10\.228\.107\.168:80"/.test(d)), JSON.stringify(diffs));
});

/** The fixture made runnable on the test Caddy: its global options, plain HTTP on 127.0.10.250:8081, loopback upstreams. */
function live(text: string): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text.split(eol);
  const start = lines.indexOf('{');
  const end = lines.indexOf('}', start);
  lines.splice(start, end - start + 1, '{', `\tadmin ${IP}:2019`, '\tauto_https off', '}');
  return lines
    .map((l) => (/^[a-z][^\s(]*\s\{$/.test(l) ? `http://${l.slice(0, -2)}:8081 {${eol}\tbind ${IP}` : l))
    .join(eol)
    .replaceAll('10.228.107.', '127.0.10.')
    .replace(/\t\thealth_uri \/healthz\r?\n/, '');
}

test('production Caddyfile on a running Caddy (CRLF): repoint moves only the legacy dials live; rollback restores the file byte for byte', async (t) => {
  const text = live(FIXTURE.replace(/\n/g, '\r\n'));
  const lab = await startCaddyLab(text);
  t.after(() => lab.stop());
  const original = readFileSync(lab.caddyfile);
  const { moves } = legacyMoves({ sites: SITES, identities, instances: instancesAt('127.0.10') });
  const before = dialsByHost((await getConfig(ADMIN)).config);
  const to = '127.0.10.168:80';
  const r = await repoint({ caddyfilePath: lab.caddyfile, admin: ADMIN, sites: moves, newUpstream: to, mixed: 'replace_legacy', backupLabel: 'prod', caddyBinary: '/usr/bin/caddy' });
  assert.equal(r.confirmed, true);
  assert.deepEqual(r.changes.map((c) => [c.from, c.to]), [
    ['127.0.10.201:80', to],
    ['http://127.0.10.229:80', `http://${to}`],
    ['127.0.10.229', to],
    ['127.0.10.205:80', to],
  ]);
  const after = dialsByHost((await getConfig(ADMIN)).config);
  assert.deepEqual(after.get('arne.posta.no'), ['127.0.10.50:9100', to]);
  assert.deepEqual(after.get('tarald.posta.no'), [to, '127.0.10.77:80']);
  for (const other of ['arne.posta.no.example', 'xarne.posta.no', 'status.posta.no', 'posta.no']) assert.deepEqual(after.get(other), before.get(other), other);
  const changedLines = readFileSync(lab.caddyfile, 'utf8').split('\r\n').filter((l, i) => l !== original.toString('utf8').split('\r\n')[i]);
  assert.equal(changedLines.length, 4, changedLines.join('\n'));

  await restoreCaddyfile({ caddyfilePath: lab.caddyfile, backupPath: r.backupPath!, admin: ADMIN, caddyBinary: '/usr/bin/caddy' });
  assert.ok(readFileSync(lab.caddyfile).equals(original), 'rollback: byte for byte');
  assert.deepEqual(dialsByHost((await getConfig(ADMIN)).config), before);
});
