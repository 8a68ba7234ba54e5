// What hold mode relies on, measured on the real Caddy of this machine (issue 22): a reverse_proxy with
// lb_try_duration / lb_try_interval and a short dial_timeout holds a request while its upstream refuses
// connections and answers it once the upstream listens; a reload while a request is held fails it; a held
// request with a body fails on the Caddy versions listed in src/caddyfile/hold.ts (heldBodiesFail), and this
// test checks that list against what the installed Caddy really does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { adaptText, caddyVersion } from '../../src/adapters/caddy.ts';
import { addHold, heldBodiesFail, holdLines, holdState, withoutHold } from '../../src/caddyfile/hold.ts';

const IP = '127.0.10.249';
const ADMIN = `${IP}:2019`;
const UPSTREAM = `${IP}:9005`;

const caddyfile = (extraSite = '') =>
  `{\n\tadmin ${ADMIN}\n\tauto_https off\n}\n\n` +
  `http://hold.test:8083 {\n\tbind ${IP}\n\treverse_proxy ${UPSTREAM} {\n${holdLines('15s').map((l) => `\t\t${l}\n`).join('')}\t}\n}\n` +
  extraSite;

async function startCaddy(t: import('node:test').TestContext): Promise<{ file: string; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'cutover-hold-it-'));
  const file = join(dir, 'Caddyfile');
  writeFileSync(file, caddyfile());
  const env = { ...process.env, HOME: dir, XDG_CONFIG_HOME: join(dir, 'config'), XDG_DATA_HOME: join(dir, 'data') };
  const caddy: ChildProcess = spawn('/usr/bin/caddy', ['run', '--config', file, '--adapter', 'caddyfile'], { env, stdio: 'ignore' });
  t.after(async () => {
    if (caddy.exitCode === null) {
      const gone = new Promise((r) => caddy.once('exit', r));
      caddy.kill('SIGTERM');
      await gone;
    }
    rmSync(dir, { recursive: true, force: true });
  });
  const until = Date.now() + 10_000;
  for (;;) {
    try {
      const r = await request(`http://${ADMIN}/config/`);
      await r.body.text();
      if (r.statusCode === 200) break;
    } catch {
      if (caddy.exitCode !== null) throw new Error(`caddy exited ${caddy.exitCode}`);
    }
    if (Date.now() > until) throw new Error('caddy admin API did not come up');
    await new Promise((r) => setTimeout(r, 100));
  }
  return { file, dir };
}

function upstream(t: import('node:test').TestContext): Promise<Server> {
  const s = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => res.end(`${req.method} ${body}`));
  });
  t.after(() => new Promise<void>((r) => (s.listening ? (s.close(() => r()), s.closeAllConnections()) : r())));
  return new Promise((resolve) => s.listen(9005, IP, () => resolve(s)));
}

const send = async (method: 'GET' | 'POST') => {
  const started = Date.now();
  const r = await request(`http://${IP}:8083/`, { method, headers: { host: 'hold.test' }, ...(method === 'POST' ? { body: 'hello' } : {}), headersTimeout: 20_000, bodyTimeout: 20_000 });
  return { status: r.statusCode, body: await r.body.text(), ms: Date.now() - started };
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a held GET is answered once the upstream listens', async (t) => {
  await startCaddy(t);
  const held = send('GET');
  await sleep(1500);
  await upstream(t);
  const r = await held;
  assert.equal(r.status, 200, r.body);
  assert.equal(r.body, 'GET ');
  assert.ok(r.ms >= 1400, `held ${r.ms} ms: the request was answered before the upstream listened`);
});

test('a reload while a request is held fails it at once, even one that changes another site only', async (t) => {
  const { file } = await startCaddy(t);
  const held = send('GET');
  await sleep(800);
  writeFileSync(file, caddyfile(`\nhttp://other.test:8083 {\n\tbind ${IP}\n\trespond "other"\n}\n`));
  const started = Date.now();
  const reload = spawn('/usr/bin/caddy', ['reload', '--config', file, '--adapter', 'caddyfile', '--address', ADMIN], { stdio: 'ignore' });
  assert.equal(await new Promise((r) => reload.once('exit', r)), 0, 'caddy reload failed');
  const r = await held;
  assert.equal(r.status, 502, `held request after a reload: ${r.status} ${r.body}`);
  assert.ok(Date.now() - started < 5000, 'the held request was not failed by the reload');
});

test('a held POST with a body: what this Caddy does matches heldBodiesFail(version)', async (t) => {
  await startCaddy(t);
  const version = await caddyVersion('/usr/bin/caddy');
  const held = send('POST');
  await sleep(800);
  await upstream(t);
  const r = await held;
  const failed = r.status !== 200;
  t.diagnostic(`caddy ${version}: held POST → ${r.status} after ${r.ms} ms`);
  assert.equal(failed, heldBodiesFail(version), `caddy ${version}: a held POST ${failed ? 'failed' : 'succeeded'} (${r.status}), heldBodiesFail says ${heldBodiesFail(version)}`);
  if (!failed) assert.equal(r.body, 'POST hello');
});

test('the hold lines adapt in an operator\'s own transport http too; without the hold settings the config is the original', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cutover-hold-adapt-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'Caddyfile');
  const site = (transport: string) => `{\n\tadmin ${ADMIN}\n\tauto_https off\n}\n\nhttp://hold.test:8083 {\n\treverse_proxy ${UPSTREAM} {\n\t\theader_up X-Who hold\n${transport}\t}\n}\n`;
  for (const transport of ['', '\t\ttransport http {\n\t\t\tkeepalive 30s\n\t\t}\n', '\t\ttransport http {\n\t\t\tdial_timeout 2s\n\t\t}\n', '\t\ttransport http\n']) {
    const original = site(transport);
    const [before, held] = await Promise.all([adaptText(original, file, '/usr/bin/caddy'), adaptText(addHold(original, ['hold.test'], '15s'), file, '/usr/bin/caddy')]);
    assert.deepEqual(holdState(held.config, ['hold.test']), { held: 1, total: 1 }, transport);
    assert.deepEqual(withoutHold(held.config, ['hold.test']), withoutHold(before.config, ['hold.test']), `only the hold settings differ with ${JSON.stringify(transport)}`);
    const handler = JSON.stringify(held.config);
    assert.match(handler, transport.includes('2s') ? /"dial_timeout":2000000000/ : /"dial_timeout":500000000/, transport);
    if (transport.includes('keepalive')) assert.match(handler, /"keep_alive":\{[^}]*"idle_timeout":30000000000/, 'the operator\'s keepalive stays');
  }
});
