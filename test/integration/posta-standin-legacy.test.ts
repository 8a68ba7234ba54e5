// The posta stand-in in single-tenant (legacy) mode, run as the bundled executable on 127.0.10.240.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { createHttp } from '../../src/adapters/http.ts';
import { runPosta, seedLegacy, startPosta, tempRoot } from '../helpers/posta-standin.ts';

const ADDR = '127.0.10.240:18401';
const BASE = `http://${ADDR}`;

test('legacy mode serves one identity: actor doc, 401, token auth with last_seen_at, /setup, 410, 404', async (t) => {
  const root = tempRoot('posta-legacy-');
  const arne = seedLegacy(root, 'arne');
  const posta = await startPosta(['serve', '--listen', ADDR, '--url', arne.url, '--keys', '/var/lib/posta/keys.json', '--db', '/var/lib/posta/inbox.db', '--root', root]);
  const http = createHttp({ defaultTimeoutMs: 2000 });
  t.after(async () => {
    await posta.stop();
    await http.close();
  });
  const log = await posta.waitFor(/listening on 127\.0\.10\.240:18401/);
  assert.match(log, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z posta-server starting mode=single-tenant identity=arne listen=127\.0\.10\.240:18401$/m);

  // Single-tenant posta answers whatever Host reaches it (Caddy or a bare IP).
  for (const host of [arne.host, ADDR, 'anything.example']) {
    const actor = await http.request({ url: `${BASE}/`, host });
    assert.equal(actor.status, 200, `actor via Host ${host}`);
    assert.deepEqual(JSON.parse(actor.body), { name: 'Arne', publicKey: arne.publicKey, url: arne.url });
  }

  assert.equal((await http.request({ url: `${BASE}/api/v1/identity` })).status, 401);
  assert.equal((await http.request({ url: `${BASE}/api/v1/identity`, headers: { authorization: 'Bearer pt_not-a-token' } })).status, 401);

  const dbPath = join(root, 'var/lib/posta/inbox.db');
  const lastSeen = (name: string) => {
    const db = new Database(dbPath, { readonly: true });
    try {
      return (db.prepare('SELECT last_seen_at FROM auth_tokens WHERE name = ?').get(name) as { last_seen_at: string | null }).last_seen_at;
    } finally {
      db.close();
    }
  };
  assert.equal(lastSeen('tui-dev'), null);
  const before = Date.now();
  const tuiDev = arne.tokens.find((tk) => tk.name === 'tui-dev')!;
  const auth = await http.request({ url: `${BASE}/api/v1/identity`, headers: { authorization: `Bearer ${tuiDev.token}` } });
  assert.equal(auth.status, 200);
  assert.deepEqual(JSON.parse(auth.body), { slug: 'arne', name: 'Arne', device: 'tui-dev', messages: 20 });
  const seen = lastSeen('tui-dev');
  assert.match(seen ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.ok(Date.parse(seen!) >= before - 5 && Date.parse(seen!) <= Date.now() + 5, `last_seen_at ${seen} is now`);
  assert.equal(lastSeen('phone'), null, 'only the token used is touched');

  const setup = await http.request({ url: `${BASE}/setup` });
  assert.equal(setup.status, 200);
  assert.match(setup.headers['content-type'] ?? '', /text\/html/);
  assert.match(setup.body, /<h1>Pair a device with Arne<\/h1>/);

  assert.equal((await http.request({ url: `${BASE}/api/v1/invite/info?invite=pinv_bogus` })).status, 410);
  assert.equal((await http.request({ url: `${BASE}/nope` })).status, 404);

  assert.equal(await posta.stop(), 0, 'SIGTERM is a clean exit');
  assert.match(posta.output(), /shutting down signal=SIGTERM[\s\S]*stopped/);
});

test('legacy mode creates a missing inbox at schema v2 and refuses a v3 inbox', async (t) => {
  const root = tempRoot('posta-legacy-');
  const arne = seedLegacy(root, 'arne');
  const args = ['serve', '--listen', ADDR, '--url', arne.url, '--keys', '/var/lib/posta/keys.json', '--root', root];

  const fresh = await startPosta([...args, '--db', '/var/lib/posta/fresh.db']);
  t.after(() => fresh.stop());
  await fresh.waitFor(/listening on/);
  assert.match(fresh.output(), /identity=arne created inbox \/var\/lib\/posta\/fresh\.db schema v2/);
  assert.equal(await fresh.stop(), 0);
  const db = new Database(join(root, 'var/lib/posta/fresh.db'), { readonly: true });
  assert.equal(db.pragma('user_version', { simple: true }), 2);
  db.close();

  const v3 = new Database(join(root, 'var/lib/posta/inbox.db'));
  v3.pragma('user_version = 3');
  v3.close();
  const refused = await runPosta([...args, '--db', '/var/lib/posta/inbox.db']);
  assert.equal(refused.code, 1);
  assert.match(refused.output, /identity=arne error=.*schema v3, expected v2 \(it was migrated by the multi-tenant daemon/);
  assert.doesNotMatch(refused.output, /listening on/);
});

test('legacy mode: usage errors and refusals exit non-zero with a clear message', async () => {
  const root = tempRoot('posta-legacy-');
  const arne = seedLegacy(root, 'arne');
  const keys = ['--keys', '/var/lib/posta/keys.json', '--db', '/var/lib/posta/inbox.db', '--root', root];

  const missing = await runPosta(['serve', '--listen', ADDR, '--url', arne.url]);
  assert.equal(missing.code, 2);
  assert.match(missing.output, /single-tenant mode needs --keys, --db \(or use --manifest FILE/);

  const wildcard = await runPosta(['serve', '--listen', '0.0.0.0:18401', '--url', arne.url, ...keys]);
  assert.equal(wildcard.code, 2);
  assert.match(wildcard.output, /binds loopback addresses only/);

  const escaping = await runPosta(['serve', '--listen', ADDR, '--url', arne.url, '--keys', '/var/lib/../../../etc/passwd', '--db', '/var/lib/posta/inbox.db', '--root', root]);
  assert.equal(escaping.code, 2);
  assert.match(escaping.output, /path \/var\/lib\/\.\.\/\.\.\/\.\.\/etc\/passwd escapes --root/);

  const unknownCommand = await runPosta(['frobnicate']);
  assert.equal(unknownCommand.code, 2);
  assert.match(unknownCommand.output, /unknown command "frobnicate"\nusage: posta-server serve/);
});

test('POSTA_LISTEN replaces an init script\'s --listen with a loopback address', async (t) => {
  const root = tempRoot('posta-legacy-');
  const arne = seedLegacy(root, 'arne');
  const posta = await startPosta(['serve', '--listen', '0.0.0.0:80', '--url', arne.url, '--keys', '/var/lib/posta/keys.json', '--db', '/var/lib/posta/inbox.db', '--root', root], { POSTA_LISTEN: ADDR });
  const http = createHttp();
  t.after(async () => {
    await posta.stop();
    await http.close();
  });
  await posta.waitFor(/listening on 127\.0\.10\.240:18401/);
  assert.equal((await http.request({ url: `${BASE}/` })).status, 200);
});
