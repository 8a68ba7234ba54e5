// Acceptance of `cutover lab up/status/down`: fast, the seed's smoke through the lab's real Caddy, loopback
// only, and nothing left behind.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { test } from 'node:test';
import { cmdline, inLabSubnet, listeningSockets } from '../../src/lab/procs.ts';
import { startLab, viaCaddy } from '../helpers/lab.ts';

const LOOPBACK = /^127\./;

function processesOf(dir: string): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid)
    .map(Number)
    .filter((pid) => cmdline(pid).includes(dir));
}

test('lab up builds a working fake fismen in under 10 s; lab down leaves nothing behind', async (t) => {
  const lab = await startLab(t);
  assert.ok(lab.upMs < 10_000, `lab up took ${lab.upMs} ms`);
  assert.deepEqual(lab.config.identities.map((i) => i.container), ['arne-msg', 'marcus-msg', 'tarald-msg']);

  await t.test('each identity behaves through Caddy: actor doc, 401, /setup, 410, authenticated call', async () => {
    for (const id of lab.config.identities) {
      const actor = await viaCaddy(lab, id.host, '/');
      assert.equal(actor.status, 200, `${id.host} /`);
      const doc = JSON.parse(actor.body) as { name: string; publicKey: string };
      assert.equal(doc.name, id.name);
      assert.equal(doc.publicKey, id.publicKey);
      assert.equal((await viaCaddy(lab, id.host, '/api/v1/identity')).status, 401);
      const setup = await viaCaddy(lab, id.host, '/setup');
      assert.equal(setup.status, 200);
      assert.match(setup.contentType, /html/);
      assert.equal((await viaCaddy(lab, id.host, '/api/v1/invite/info?invite=pinv_bogus')).status, 410);
      const tui = id.tokens.find((x) => x.name === 'tui-dev')!;
      assert.equal((await viaCaddy(lab, id.host, '/api/v1/identity', { authorization: `Bearer ${tui.token}` })).status, 200);
    }
  });

  await t.test('lab status --json: addresses, containers with IPs, masked tokens, device timeline', async () => {
    await new Promise((r) => setTimeout(r, 800));
    const r = await lab.cli(['lab', 'status', '--dir', lab.dir, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    assert.equal(s.caddy.http, 'http://127.0.10.1:8080');
    assert.equal(s.caddy.admin, 'http://127.0.10.1:2019');
    assert.equal(s.caddy.running, true);
    assert.deepEqual(
      s.containers.map((c: { name: string; status: string; ipv4: string }) => [c.name, c.status, c.ipv4]),
      [['arne-msg', 'Running', '127.0.10.11'], ['marcus-msg', 'Running', '127.0.10.12'], ['tarald-msg', 'Running', '127.0.10.13']],
    );
    const arne = s.identities.find((i: { slug: string }) => i.slug === 'arne');
    assert.ok(arne.tokens.every((x: { token: string }) => x.token.includes('…')), 'tokens masked by default');
    assert.ok(s.devices.summary.arne.ok > 0, 'devices have called through Caddy');
    const shown = JSON.parse((await lab.cli(['lab', 'status', '--dir', lab.dir, '--json', '--show-tokens'])).stdout);
    assert.equal(shown.identities[0].tokens[0].token, lab.config.identities[0]!.tokens[0]!.token);
  });

  await t.test('the Caddyfile looks like production and points at the legacy containers', () => {
    const text = readFileSync(`${lab.dir}/caddy/Caddyfile`, 'utf8');
    assert.match(text, /^\{\n\tadmin 127\.0\.10\.1:2019\n\tauto_https off\n\thttp_port 8080\n\}/);
    assert.match(text, /http:\/\/arne\.posta\.no \{\n\tbind 127\.0\.10\.1\n\treverse_proxy 127\.0\.10\.11:8080\n\}/);
  });

  await t.test('only loopback addresses are bound by the lab', () => {
    const mine = listeningSockets().filter((s) => s.pids.some((p) => cmdline(p).includes(lab.dir)));
    assert.ok(mine.length >= 5, `expected Caddy (2) + 3 daemons listening, got ${mine.map((s) => `${s.address}:${s.port}`)}`);
    for (const s of mine) assert.match(s.address, LOOPBACK, `${s.address}:${s.port} is not loopback`);
    const v6 = readFileSync('/proc/net/tcp6', 'utf8').split('\n').slice(1).filter((l) => l.trim().split(/\s+/)[3] === '0A');
    const v6Inodes = new Set(v6.map((l) => l.trim().split(/\s+/)[9]));
    for (const pid of processesOf(lab.dir)) {
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        let link = '';
        try {
          link = readlinkSync(`/proc/${pid}/fd/${fd}`);
        } catch {
          continue;
        }
        const m = /^socket:\[(\d+)\]$/.exec(link);
        assert.ok(!m || !v6Inodes.has(m[1]!), `pid ${pid} listens on IPv6 (${cmdline(pid)})`);
      }
    }
  });

  await t.test('lab up again fails clearly for another dir while this lab runs', async () => {
    const other = await lab.cli(['lab', 'up', '--dir', `${lab.dir}-other`]);
    assert.equal(other.code, 1);
    assert.match(other.stderr, /127\.0\.10\.1:8080 is in use/);
    assert.match(other.stderr, new RegExp(`lab down --dir ${lab.dir}`));
  });

  await t.test('lab down stops every process and socket it started', async () => {
    const before = processesOf(lab.dir);
    assert.ok(before.length >= 5, 'supervisor, caddy and 3 daemons run before');
    const r = await lab.cli(['lab', 'down', '--dir', lab.dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(processesOf(lab.dir), []);
    assert.deepEqual(listeningSockets(inLabSubnet).map((s) => `${s.address}:${s.port}`), []);
    const st = await lab.cli(['lab', 'status', '--dir', lab.dir, '--json']);
    assert.equal(st.code, 1);
    assert.equal(JSON.parse(st.stdout).up, false);
  });
});
