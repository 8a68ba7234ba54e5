// Every editable fixture, edited and adapted by the real caddy: the only JSON change is the intended dials.
// Plus the upstreams panel probe against a running Caddy (drift after a hand edit).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adapt, adaptText } from '../../src/adapters/caddy.ts';
import { repointUpstreams } from '../../src/caddyfile/edit.ts';
import { planRepoint, RepointError } from '../../src/caddyfile/repoint.ts';
import { dialsByHost } from '../../src/caddyfile/dials.ts';
import { unintendedDifferences } from '../../src/caddyfile/semantic.ts';
import { containersByIp, evaluateUpstreams, probeUpstreams } from '../../checks/upstreams.ts';
import { ADMIN, startCaddyLab, UP1, UP2 } from './caddy-harness.ts';

const FIXTURES = new URL('../fixtures/caddyfiles/', import.meta.url).pathname;
const cases: [string, string[], string][] = [
  ['posta-production.Caddyfile', ['arne.posta.no', 'marcus.posta.no', 'tarald.posta.no'], '10.228.107.168:80'],
  ['multi-host.Caddyfile', ['arne.posta.no', 'marcus.posta.no', 'tarald.posta.no'], '10.228.107.168:80'],
  ['several-proxies.Caddyfile', ['app.example.com'], '127.0.10.5:9000'],
  ['to-subdirective.Caddyfile', ['app.example.com'], '10.0.0.9:80'],
  ['comments.Caddyfile', ['app.example.com'], '10.0.0.9:80'],
  ['snippet-import.Caddyfile', ['a.example'], '10.0.0.8:80'],
  ['handle-blocks.Caddyfile', ['app.example.com'], '10.0.0.4:80'],
  ['no-port.Caddyfile', ['a.example', 'b.example'], '10.0.0.7:80'],
  ['ipv6.Caddyfile', ['v6.example'], '[::1]:9090'],
  ['spaces-indent.Caddyfile', ['app.example.com'], '10.0.0.3:80'],
  ['single-site.Caddyfile', ['arne.posta.no'], '10.228.107.168:80'],
  ['quoted-and-import-in-block.Caddyfile', ['a.example'], '10.0.0.2:80'],
];

for (const [name, sites, upstream] of cases) {
  test(`caddy adapt: editing ${name} changes only the dials of ${sites.join(', ')}`, async () => {
    const path = join(FIXTURES, name);
    // Every dial these sites have is the legacy one here (the look-alike and mixed cases are in caddy-production).
    const before = await adapt(path);
    const moves = sites.map((host) => ({ host, legacy: dialsByHost(before.config).get(host) ?? [] }));
    const edit = repointUpstreams((await import('node:fs')).readFileSync(path, 'utf8'), moves, upstream);
    const after = await adaptText(edit.text, path);
    assert.deepEqual(unintendedDifferences(before.config, after.config, moves, upstream), []);
    assert.notDeepEqual(before.config, after.config, 'the edit changed something');
  });
}

test('planRepoint refuses an edit whose adapted JSON changes more than the dials', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cutover-plan-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'Caddyfile');
  copyFileSync(join(FIXTURES, 'posta-production.Caddyfile'), path);
  const plan = await planRepoint({ caddyfilePath: path, sites: [{ host: 'arne.posta.no', legacy: ['10.228.107.201:80'] }], newUpstream: '10.228.107.168:80' });
  assert.equal(plan.changes.length, 1);
  assert.match(plan.diff, /^\+\treverse_proxy 10\.228\.107\.168:80$/m);
  // An https:// upstream makes Caddy add a TLS transport: more than a dial changes, so it is refused.
  await assert.rejects(planRepoint({ caddyfilePath: path, sites: [{ host: 'arne.posta.no', legacy: ['10.228.107.201:80'] }], newUpstream: 'https://10.228.107.168' }), (err: unknown) => {
    assert.ok(err instanceof RepointError);
    assert.match(err.message, /refusing the edit: caddy adapt shows changes beyond the intended upstreams:\n {2}- .*transport/);
    return true;
  });
  writeFileSync(path, 'a.example {\n\treverse_proxy {$UP}\n}\n');
  await assert.rejects(planRepoint({ caddyfilePath: path, sites: [{ host: 'a.example', legacy: ['10.0.0.5:80'] }], newUpstream: '10.0.0.1:80' }), new RegExp(`^RepointError: ${path}:2: site a\\.example, line 2: upstream "\\{\\$UP\\}" is a placeholder`));
});

test('dialsByHost on the seed production shape (text only, no traffic)', async () => {
  const m = dialsByHost((await adapt(join(FIXTURES, 'posta-production.Caddyfile'))).config);
  assert.deepEqual(
    ['arne.posta.no', 'marcus.posta.no', 'tarald.posta.no', 'gammel.posta.no'].map((h) => m.get(h)),
    [['10.228.107.201:80'], ['10.228.107.229:80'], ['10.228.107.205:80'], ['10.228.107.201:80']],
  );
});

test('upstreams panel against a running Caddy: green, then drift after a hand edit without reload', async (t) => {
  const lab = await startCaddyLab();
  t.after(() => lab.stop());
  await lab.get('arne.lab.test');
  const probe = () => probeUpstreams({ caddyfile: lab.caddyfile, admin: ADMIN, sites: ['arne.lab.test', 'marcus.lab.test'] });
  const byIp = new Map([['127.0.10.250', { container: 'stand-in', status: 'Running' }]]);
  const [arne] = evaluateUpstreams(await probe(), byIp);
  assert.equal(arne!.ok, true, arne!.why);
  assert.deepEqual([arne!.fileDials, arne!.liveDials, arne!.pointsAt], [[UP1], [UP1], 'stand-in']);
  assert.ok(arne!.pool.some((p) => p.address === UP1 && p.numRequests >= 0));

  const text = (await import('node:fs')).readFileSync(lab.caddyfile, 'utf8');
  writeFileSync(lab.caddyfile, repointUpstreams(text, [{ host: 'arne.lab.test', legacy: [UP1] }], UP2).text);
  const items = evaluateUpstreams(await probe(), containersByIp([]));
  assert.equal(items[0]!.ok, false);
  assert.equal(items[0]!.drift, true);
  assert.match(items[0]!.why!, new RegExp(`arne\\.lab\\.test: drift, the file says ${UP2.replaceAll('.', '\\.')} but Caddy serves ${UP1.replaceAll('.', '\\.')}`));
  assert.equal(items[1]!.ok, true);
});
