// The posta stand-in in multi-tenant mode (--manifest, Host dispatch, v2 → v3), on 127.0.10.241.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { appendFileSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHttp } from '../../src/adapters/http.ts';
import { runPosta, seedMultiTenant, startPosta, tempRoot } from '../helpers/posta-standin.ts';

const ADDR = '127.0.10.241:18402';
const BASE = `http://${ADDR}`;
const SLUGS = ['arne', 'marcus', 'tarald'];
const MANIFEST = '/etc/posta/identities.toml';

function userVersion(root: string, slug: string): number {
  const db = new Database(join(root, `var/lib/posta/${slug}/inbox.db`), { readonly: true });
  try {
    return db.pragma('user_version', { simple: true }) as number;
  } finally {
    db.close();
  }
}

test('multi-tenant mode dispatches on Host, migrates v2 → v3 once, and serves every identity', async (t) => {
  const root = tempRoot('posta-multi-');
  const fixtures = seedMultiTenant(root, SLUGS);
  for (const slug of SLUGS) assert.equal(userVersion(root, slug), 2);

  const posta = await startPosta(['serve', '--listen', ADDR, '--manifest', MANIFEST, '--root', root]);
  const http = createHttp({ defaultTimeoutMs: 2000 });
  t.after(async () => {
    await posta.stop();
    await http.close();
  });
  const log = await posta.waitFor(/listening on 127\.0\.10\.241:18402/);
  assert.match(log, /^\S+Z posta-server starting mode=multi-tenant identities=arne,marcus,tarald listen=127\.0\.10\.241:18402$/m);
  for (const slug of SLUGS) {
    assert.match(log, new RegExp(`^\\S+Z identity=${slug} migrated schema v2 -> v3$`, 'm'));
    assert.equal(userVersion(root, slug), 3);
  }

  for (const f of fixtures) {
    // Caddy forwards the Host as the client sent it, port included; the port is ignored, case too.
    for (const host of [f.host, `${f.host}:8443`, f.host.toUpperCase()]) {
      const actor = await http.request({ url: `${BASE}/`, host });
      assert.equal(actor.status, 200, `actor of ${f.slug} via Host ${host}`);
      assert.deepEqual(JSON.parse(actor.body), { name: f.name, publicKey: f.publicKey, url: f.url });
    }
    assert.equal((await http.request({ url: `${BASE}/api/v1/identity`, host: f.host })).status, 401);
    const phone = f.tokens.find((tk) => tk.name === 'phone')!;
    const auth = await http.request({ url: `${BASE}/api/v1/identity`, host: f.host, headers: { authorization: `Bearer ${phone.token}` } });
    assert.equal(auth.status, 200);
    assert.deepEqual(JSON.parse(auth.body), { slug: f.slug, name: f.name, device: 'phone', messages: 20 });
    const setup = await http.request({ url: `${BASE}/setup`, host: f.host });
    assert.equal(setup.status, 200);
    assert.match(setup.headers['content-type'] ?? '', /html/);
    assert.equal((await http.request({ url: `${BASE}/api/v1/invite/info?invite=pinv_bogus`, host: f.host })).status, 410);
  }

  // A token is only valid at its own identity.
  const arneToken = fixtures[0]!.tokens[0]!.token;
  assert.equal((await http.request({ url: `${BASE}/api/v1/identity`, host: 'marcus.posta.no', headers: { authorization: `Bearer ${arneToken}` } })).status, 401);

  const unknown = await http.request({ url: `${BASE}/`, host: 'eve.posta.no' });
  assert.equal(unknown.status, 404);
  assert.match(unknown.body, /unknown host eve\.posta\.no/);
  assert.equal((await http.request({ url: `${BASE}/`, host: ADDR })).status, 404, 'a bare IP is no identity');

  const db = new Database(join(root, 'var/lib/posta/marcus/inbox.db'), { readonly: true });
  const row = db.prepare("SELECT last_seen_at FROM auth_tokens WHERE name = 'phone'").get() as { last_seen_at: string | null };
  const tenant = db.prepare('SELECT slug FROM tenant').all();
  db.close();
  assert.ok(row.last_seen_at && Date.now() - Date.parse(row.last_seen_at) < 10_000, `last_seen_at advanced: ${row.last_seen_at}`);
  assert.deepEqual(tenant, [{ slug: 'marcus' }]);

  assert.equal(await posta.stop(), 0);

  // Second start: already v3, nothing to migrate.
  const again = await startPosta(['serve', '--listen', ADDR, '--manifest', MANIFEST, '--root', root]);
  t.after(() => again.stop());
  await again.waitFor(/listening on/);
  assert.doesNotMatch(again.output(), /migrated/);
  assert.equal(await again.stop(), 0);
});

test('--manifest refuses the single-tenant flags', async () => {
  const root = tempRoot('posta-multi-');
  seedMultiTenant(root, ['arne']);
  const r = await runPosta(['serve', '--listen', ADDR, '--manifest', MANIFEST, '--root', root, '--url', 'https://arne.posta.no', '--db', '/var/lib/posta/inbox.db']);
  assert.equal(r.code, 2);
  assert.match(r.output, /--manifest cannot be combined with the single-tenant flags --url, --db/);
  assert.doesNotMatch(r.output, /starting/);
});

test('a missing or corrupt manifest, keys or inbox stops start-up with a clear message', async (t) => {
  const root = tempRoot('posta-multi-');
  seedMultiTenant(root, SLUGS);
  const manifestFile = join(root, MANIFEST);
  const good = readFileSync(manifestFile, 'utf8');
  const serve = () => runPosta(['serve', '--listen', ADDR, '--manifest', MANIFEST, '--root', root]);
  t.after(() => writeFileSync(manifestFile, good));

  const missing = await runPosta(['serve', '--listen', ADDR, '--manifest', '/etc/posta/nope.toml', '--root', root]);
  assert.equal(missing.code, 1);
  assert.match(missing.output, /cannot read manifest \S+\/etc\/posta\/nope\.toml: ENOENT/);

  writeFileSync(manifestFile, good + '\n[[identity]\nslug = "x"\n');
  const corrupt = await serve();
  assert.equal(corrupt.code, 1);
  assert.match(corrupt.output, /corrupt manifest \S+identities\.toml:19:12: Unexpected character, expected whitespace, \. or \]$/m);
  assert.doesNotMatch(corrupt.output, /listening/);

  writeFileSync(manifestFile, good.replace('slug = "marcus"', 'slug = "arne"'));
  const duplicate = await serve();
  assert.equal(duplicate.code, 1);
  assert.match(duplicate.output, /identity\[1\]: duplicate slug "arne"/);

  writeFileSync(manifestFile, good.replace('db = "/var/lib/posta/arne/inbox.db"', 'db = "/../../outside.db"'));
  const escaping = await serve();
  assert.equal(escaping.code, 2);
  assert.match(escaping.output, /identity=arne error="path \/\.\.\/\.\.\/outside\.db escapes --root/);

  writeFileSync(manifestFile, good);
  appendFileSync(join(root, 'var/lib/posta/marcus/keys.json'), '}garbage');
  const badKeys = await serve();
  assert.equal(badKeys.code, 1);
  assert.match(badKeys.output, /identity=marcus error="corrupt keys \S+\/var\/lib\/posta\/marcus\/keys\.json: not valid JSON/);
  assert.match(badKeys.output, /identity marcus failed to load; exiting/);

  const keysFile = join(root, 'var/lib/posta/marcus/keys.json');
  writeFileSync(keysFile, readFileSync(keysFile, 'utf8').replace(/\}garbage$/, ''));
  const tarDb = join(root, 'var/lib/posta/tarald/inbox.db');
  truncateSync(tarDb, 6000);
  const truncated = await serve();
  assert.equal(truncated.code, 1);
  assert.match(truncated.output, /identity=tarald error="corrupt inbox \S+\/var\/lib\/posta\/tarald\/inbox\.db: /);
});
