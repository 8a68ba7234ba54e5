// Injected faults of the posta stand-in (--fault and POSTA_FAULTS), on 127.0.10.242.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { connect } from 'node:net';
import { join } from 'node:path';
import { createHttp } from '../../src/adapters/http.ts';
import { runPosta, seedMultiTenant, startPosta, tempRoot } from '../helpers/posta-standin.ts';
import { GRACE_MS, NEW_IDLE_MS } from '../../src/lab/posta/server.ts';

const ADDR = '127.0.10.242:18403';
const BASE = `http://${ADDR}`;
const MANIFEST = '/etc/posta/identities.toml';

const canConnect = (host: string, port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect({ host, port });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });

test('daemon-crash: the multi-tenant daemon panics right after its start line, before listening or migrating', async () => {
  const root = tempRoot('posta-fault-');
  seedMultiTenant(root, ['arne', 'marcus']);
  const ways: { args: string[]; env: Record<string, string> }[] = [
    { args: ['--fault', 'daemon-crash'], env: {} },
    { args: [], env: { POSTA_FAULTS: 'daemon-crash' } },
  ];
  for (const how of ways) {
    const r = await runPosta(['serve', '--listen', ADDR, '--manifest', MANIFEST, '--root', root, ...how.args], how.env);
    assert.equal(r.code, 1);
    assert.match(r.output, /starting mode=multi-tenant identities=arne,marcus[\s\S]*\n\S+Z panic: /);
    assert.doesNotMatch(r.output, /listening|migrated/);
  }
  assert.equal(await canConnect('127.0.10.242', 18403), false);
  const db = new Database(join(root, 'var/lib/posta/arne/inbox.db'), { readonly: true });
  assert.equal(db.pragma('user_version', { simple: true }), 2, 'a crash before open leaves the copied inbox at v2');
  db.close();
});

test('slow-identity=SLUG: that identity answers after 4.5 s, the others at once', async (t) => {
  const root = tempRoot('posta-fault-');
  seedMultiTenant(root, ['arne', 'marcus']);
  const posta = await startPosta(['serve', '--listen', ADDR, '--manifest', MANIFEST, '--root', root], { POSTA_FAULTS: 'slow-identity=marcus' });
  const http = createHttp({ defaultTimeoutMs: 8000 });
  t.after(async () => {
    await posta.stop();
    await http.close();
  });
  await posta.waitFor(/listening on/);
  const [arne, marcus] = await Promise.all([
    http.request({ url: `${BASE}/`, host: 'arne.posta.no' }),
    http.request({ url: `${BASE}/`, host: 'marcus.posta.no' }),
  ]);
  assert.equal(arne.status, 200);
  assert.equal(marcus.status, 200);
  assert.ok(arne.timeMs < 500, `arne answered in ${arne.timeMs} ms`);
  assert.ok(marcus.timeMs >= 4400 && marcus.timeMs < 6500, `marcus answered in ${marcus.timeMs} ms`);

  // A shutdown is graceful (hold mode relies on it): a request in flight is answered, the wait is bounded by GRACE_MS.
  // (stopped 2.5 s into marcus's 4.5 s answer: it finishes within the grace)
  const pending = http.request({ url: `${BASE}/`, host: 'marcus.posta.no' }).catch((err: Error) => err);
  await new Promise((r) => setTimeout(r, 2500));
  const t0 = Date.now();
  assert.equal(await posta.stop(), 0);
  assert.ok(Date.now() - t0 < GRACE_MS + 1000, `stopped in ${Date.now() - t0} ms`);
  const answered = await pending;
  assert.ok(!(answered instanceof Error) && answered.status === 200, `the request in flight was answered: ${answered instanceof Error ? answered.message : answered.status}`);
});

test('a stop does not wait for a connection that never sent a request (a proxy’s spare dial): it is idle once NEW_IDLE_MS old, as in Go', async (t) => {
  const root = tempRoot('posta-fault-');
  seedMultiTenant(root, ['arne']);
  const posta = await startPosta(['serve', '--listen', ADDR, '--manifest', MANIFEST, '--root', root]);
  await posta.waitFor(/listening on/);
  const spare = connect({ host: '127.0.10.242', port: 18403 });
  t.after(async () => {
    spare.destroy();
    await posta.stop();
  });
  await new Promise<void>((resolve, reject) => spare.once('connect', resolve).once('error', reject));
  const closed = new Promise<void>((resolve) => spare.once('close', () => resolve()));
  await new Promise((r) => setTimeout(r, NEW_IDLE_MS + 300));
  const t0 = Date.now();
  assert.equal(await posta.stop(), 0);
  const took = Date.now() - t0;
  assert.ok(took < GRACE_MS / 2, `stopped in ${took} ms (the grace is ${GRACE_MS} ms: it waited for the unused connection)`);
  await closed;
  assert.doesNotMatch(posta.output(), /shutdown grace .* ended/);
});

test('noisy-logs: a second start line, a panic and two identity error lines at start, then it serves', async (t) => {
  const root = tempRoot('posta-fault-');
  seedMultiTenant(root, ['arne', 'marcus']);
  const posta = await startPosta(['serve', '--listen', ADDR, '--manifest', MANIFEST, '--root', root, '--fault', 'noisy-logs']);
  const http = createHttp();
  t.after(async () => {
    await posta.stop();
    await http.close();
  });
  const log = await posta.waitFor(/listening on/);
  assert.equal(log.match(/posta-server starting mode=multi-tenant/g)?.length, 2);
  assert.equal(log.match(/^\S+Z panic: /gm)?.length, 1);
  assert.equal(log.match(/^\S+Z identity=arne error=/gm)?.length, 2);
  assert.equal((await http.request({ url: `${BASE}/`, host: 'marcus.posta.no' })).status, 200);
});

test('an unknown fault is a usage error naming the known ones', async () => {
  const r = await runPosta(['serve', '--listen', ADDR, '--manifest', MANIFEST, '--fault', 'gremlins']);
  assert.equal(r.code, 2);
  assert.match(r.output, /unknown fault "gremlins" \(known: daemon-crash, late-crash, slow-identity=SLUG, noisy-logs\)/);
});
