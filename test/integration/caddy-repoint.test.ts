// Safe repoint against a real Caddy: success, auto-revert on a failed reload, concurrent change, restore.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chownSync, chmodSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { dialsByHost } from '../../src/caddyfile/dials.ts';
import { repoint, restoreCaddyfile, RepointError, type RepointProgress } from '../../src/caddyfile/repoint.ts';
import { getConfig, getUpstreams } from '../../src/adapters/caddy.ts';
import { ADMIN, PROXY_ADMIN, startCaddyLab, UP1, UP2 } from './caddy-harness.ts';

const SITES = ['arne.lab.test', 'marcus.lab.test'].map((host) => ({ host, legacy: [UP1] }));
const liveDials = async (admin = ADMIN) => dialsByHost((await getConfig(admin)).config);

test('repoint: backup 0600, owner and mode kept, live dials changed, traffic reaches the new upstream; restore is byte-identical', async (t) => {
  const lab = await startCaddyLab();
  t.after(() => lab.stop());
  const original = readFileSync(lab.caddyfile);
  chownSync(lab.caddyfile, 1234, 2345);
  chmodSync(lab.caddyfile, 0o640);
  assert.match((await lab.get('arne.lab.test')).body, /upstream 9001/);

  const events: RepointProgress[] = [];
  const r = await repoint({
    caddyfilePath: lab.caddyfile,
    admin: ADMIN,
    sites: SITES,
    newUpstream: UP2,
    backupLabel: 'it-cutover',
    now: () => new Date(2026, 4, 10, 0, 45, 51),
    onProgress: (p) => events.push(p),
  });
  assert.equal(r.confirmed, true);
  assert.equal(r.backupPath, `${lab.caddyfile}.bak.it-cutover-20260510-004551`);
  assert.deepEqual(r.changes.map((c) => [c.site, c.from, c.to]), [
    ['http://arne.lab.test:8081', UP1, UP2],
    ['http://marcus.lab.test:8081', UP1, UP2],
  ]);
  assert.match(r.diff, new RegExp(`^\\+\\treverse_proxy ${UP2.replaceAll('.', '\\.')}$`, 'm'));
  assert.deepEqual(events.map((e) => e.phase), ['plan', 'check', 'backup', 'write', 'validate', 'reload', 'confirm', 'done']);

  const backup = statSync(r.backupPath!);
  assert.equal(backup.mode & 0o777, 0o600);
  assert.ok(readFileSync(r.backupPath!).equals(original), 'backup holds the original bytes');
  const st = statSync(lab.caddyfile);
  assert.deepEqual([st.mode & 0o7777, st.uid, st.gid], [0o640, 1234, 2345]);
  assert.deepEqual(readdirSync(lab.dir).filter((f) => f.startsWith('.Caddyfile')), [], 'no temp files left behind');

  const dials = await liveDials();
  assert.deepEqual([dials.get('arne.lab.test'), dials.get('marcus.lab.test'), dials.get('other.lab.test')], [[UP2], [UP2], [UP1]]);
  assert.match((await lab.get('arne.lab.test')).body, /upstream 9002 host arne\.lab\.test/);
  assert.match((await lab.get('marcus.lab.test')).body, /upstream 9002/);
  assert.match((await lab.get('other.lab.test')).body, /upstream 9001/);
  const pool = await getUpstreams(ADMIN);
  assert.ok((pool.find((p) => p.address === UP2)?.numRequests ?? -1) >= 0, `pool lists ${UP2}: ${JSON.stringify(pool)}`);

  const again = await repoint({ caddyfilePath: lab.caddyfile, admin: ADMIN, sites: SITES, newUpstream: UP2, backupLabel: 'it-cutover' });
  assert.deepEqual([again.changes, again.backupPath, again.confirmed], [[], null, true], 'a second repoint is a confirmed no-op');

  const restored = await restoreCaddyfile({ caddyfilePath: lab.caddyfile, backupPath: r.backupPath!, admin: ADMIN });
  assert.equal(restored.confirmed, true);
  assert.ok(readFileSync(lab.caddyfile).equals(original), 'Caddyfile byte-identical to the backup');
  const st2 = statSync(lab.caddyfile);
  assert.deepEqual([st2.mode & 0o7777, st2.uid, st2.gid], [0o640, 1234, 2345]);
  assert.deepEqual((await liveDials()).get('arne.lab.test'), [UP1]);
  assert.match((await lab.get('arne.lab.test')).body, /upstream 9001/);
});

for (const mode of ['refuse', 'apply-then-fail'] as const) {
  test(`repoint: reload failure (${mode}) → automatic revert, old config live again`, async (t) => {
    // The admin endpoint the reload talks to fails the /load: either refusing it ('refuse': Caddy never sees
    // the new config) or after Caddy applied it ('apply-then-fail': the revert must really reload the old one).
    const lab = await startCaddyLab();
    t.after(() => lab.stop());
    await lab.adminProxy(mode);
    const original = readFileSync(lab.caddyfile);
    const before = await getConfig(ADMIN);
    const phases: string[] = [];
    await assert.rejects(
      repoint({ caddyfilePath: lab.caddyfile, admin: PROXY_ADMIN, sites: SITES, newUpstream: UP2, backupLabel: 'it', onProgress: (p) => phases.push(p.phase) }),
      (err: unknown) => {
        assert.ok(err instanceof RepointError, String(err));
        assert.equal(err.reverted, true);
        assert.match(err.message, /caddy reload .* failed: .*injected by the test/);
        assert.match(err.message, /the old config is confirmed live again/);
        return true;
      },
    );
    assert.deepEqual(phases.slice(-2), ['reload', 'revert']);
    assert.ok(readFileSync(lab.caddyfile).equals(original), 'file restored');
    assert.deepEqual((await getConfig(ADMIN)).config, before.config, 'live config equal to before');
    assert.match((await lab.get('arne.lab.test')).body, /upstream 9001/);
    assert.equal(readdirSync(lab.dir).filter((f) => f.startsWith('Caddyfile.bak.it-')).length, 1, 'the backup stays for the record');
  });
}

test('repoint: a concurrent change through the admin API is detected, not overwritten', async (t) => {
  const lab = await startCaddyLab();
  t.after(() => lab.stop());
  const original = readFileSync(lab.caddyfile);
  const theirChange = async () => {
    // Someone else repoints other.lab.test through the admin API while our repoint is validating.
    const cfg = (await getConfig(ADMIN)).config as { apps: { http: { servers: Record<string, { routes: unknown[] }> } } };
    const routes = Object.values(cfg.apps.http.servers)[0]!.routes;
    const idx = routes.findIndex((r) => JSON.stringify(r).includes('other.lab.test'));
    const path = `/config/apps/http/servers/${Object.keys(cfg.apps.http.servers)[0]}/routes/${idx}/handle/0/routes/0/handle/0/upstreams/0/dial`;
    const res = await request(`${ADMIN}${path}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(UP2) });
    assert.equal(res.statusCode, 200, await res.body.text());
  };
  let injected: Promise<void> | undefined;
  await assert.rejects(
    repoint({
      caddyfilePath: lab.caddyfile,
      admin: ADMIN,
      sites: SITES,
      newUpstream: UP2,
      backupLabel: 'it',
      onProgress: (p) => {
        if (p.phase === 'validate') injected = theirChange();
      },
    }).finally(() => injected),
    (err: unknown) => {
      assert.ok(err instanceof RepointError, String(err));
      assert.match(err.message, /live Caddy config changed while the repoint was running/);
      assert.match(err.message, /ETag "\/config\/ [0-9a-f]+" → "\/config\/ [0-9a-f]+"/);
      assert.match(err.message, /Not reloaded, so their change stays live/);
      return true;
    },
  );
  await injected;
  const dials = await liveDials();
  assert.deepEqual([dials.get('arne.lab.test'), dials.get('other.lab.test')], [[UP1], [UP2]], 'ours not applied, theirs kept');
  assert.ok(readFileSync(lab.caddyfile).equals(original), 'file restored');
});

test('repoint refuses when the live config already differs from the file on disk (drift)', async (t) => {
  const lab = await startCaddyLab();
  t.after(() => lab.stop());
  const original = readFileSync(lab.caddyfile);
  const res = await request(`${ADMIN}/config/apps/http/servers/srv0/listen`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(['127.0.10.250:8082']) });
  assert.equal(res.statusCode, 200, await res.body.text());
  await assert.rejects(
    repoint({ caddyfilePath: lab.caddyfile, admin: ADMIN, sites: SITES, newUpstream: UP2, backupLabel: 'it' }),
    /the live Caddy config differs from this file[\s\S]*apps\.http\.servers\.srv0\.listen\[0\]: "127\.0\.10\.250:8081" → "127\.0\.10\.250:8082"/,
  );
  assert.ok(readFileSync(lab.caddyfile).equals(original));
  assert.deepEqual(readdirSync(lab.dir).filter((f) => f.includes('.bak.')), [], 'no backup: nothing was attempted');
});

test('the admin address must be loopback', async () => {
  await assert.rejects(repoint({ caddyfilePath: join('/nonexistent', 'Caddyfile'), admin: 'http://192.0.2.10:2019', sites: SITES, newUpstream: UP2, backupLabel: 'x' }), /not a loopback http address/);
});
