import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadRunbook } from '../../src/runbook/load.ts';
import type { Http, HttpRequest, HttpResponse, Instance } from '../../src/ports.ts';
import { HttpFailure } from '../../src/adapters/http.ts';
import { runSmoke, probeTarget, smokeProbes } from '../../checks/smoke.ts';
import type { Baseline } from '../../checks/baseline.ts';
import type { SmokeItem } from '../../checks/types.ts';
import { CATALOG } from '../../src/actions/index.ts';

const loaded = loadRunbook(new URL('../../runbooks/posta-cutover.toml', import.meta.url).pathname, { catalog: CATALOG }).runbook!;
const runbook = { ...loaded, proxy: { ...loaded.proxy!, public_url: 'http://127.0.10.1:8080' } };
const NAMES: Record<string, string> = { 'arne.posta.no': 'Arne', 'marcus.posta.no': 'Marcus', 'tarald.posta.no': 'Tarald' };
const KEYS: Record<string, string> = { arne: 'q1lr+YxzHV', marcus: 'pKr0g7IXW9', tarald: 'MuKdTmgft' };

const instances: Instance[] = [
  { name: 'posta', status: 'Running', type: 'container', ipv4: '127.0.10.14', config: {}, createdAt: null, lastUsedAt: null },
  { name: 'arne-msg', status: 'Running', type: 'container', ipv4: '127.0.10.11', config: {}, createdAt: null, lastUsedAt: null },
  { name: 'marcus-msg', status: 'Running', type: 'container', ipv4: '127.0.10.12', config: {}, createdAt: null, lastUsedAt: null },
  { name: 'tarald-msg', status: 'Stopped', type: 'container', ipv4: null, config: {}, createdAt: null, lastUsedAt: null },
];
const baseline: Baseline = { runbook: 'x', recordedAt: '2026-05-10T00:00:00Z', identities: Object.fromEntries(Object.entries(KEYS).map(([slug, k]) => [slug, { values: { public_key: k }, tokens: [], schemaVersion: 2 }])) };

/** A posta-like fake: answers per Host; `slowHost` answers after `slowMs`; `down` urls are refused. */
function fakeHttp(opts: { slowHost?: string; slowMs?: number; seen?: HttpRequest[]; status?: number } = {}): Http {
  return {
    async request(req): Promise<HttpResponse> {
      opts.seen?.push(req);
      const host = req.host!;
      if (host === opts.slowHost) {
        await new Promise((r) => setTimeout(r, opts.slowMs ?? 100));
        if ((req.timeoutMs ?? 3000) < (opts.slowMs ?? 100)) throw new HttpFailure('timeout', `timed out after ${req.timeoutMs} ms`, req.timeoutMs!);
      }
      const path = new URL(req.url).pathname;
      if (opts.status) return { status: opts.status, headers: {}, body: '', timeMs: 5 };
      const json = (status: number, body: unknown): HttpResponse => ({ status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), timeMs: 5 });
      const slug = host.split('.')[0]!;
      if (path === '/') return json(200, { name: NAMES[host], publicKey: KEYS[slug] });
      if (path === '/api/v1/identity') return req.headers?.authorization === 'Bearer pt_ok' ? json(200, { slug }) : json(401, {});
      if (path === '/setup') return { status: 200, headers: { 'content-type': 'text/html' }, body: '<html>', timeMs: 5 };
      return json(410, {});
    },
  };
}

const env = {};
const base = { instances, baseline, env, tokenFor: async () => 'pt_ok' };

test('probes: identity × check × vantage, filtered by checks/identities/vantages', () => {
  assert.equal(smokeProbes(runbook, {}).length, 3 * 5 * 2);
  assert.equal(smokeProbes(runbook, { vantages: ['public'], checks: ['actor', '401'], identities: ['arne'] }).length, 2);
});

test('targets: local = serving container IP + Host; public = public_url + Host', () => {
  const [identity] = runbook.identities;
  const check = runbook.smoke[0]!;
  assert.deepEqual(probeTarget(runbook, { identity: identity!, check, vantage: 'local' }, { phase: 'before', instances }), { url: 'http://127.0.10.11:80/', host: 'arne.posta.no' });
  assert.deepEqual(probeTarget(runbook, { identity: identity!, check, vantage: 'local' }, { phase: 'after', instances }), { url: 'http://127.0.10.14:80/', host: 'arne.posta.no' });
  assert.deepEqual(probeTarget(runbook, { identity: identity!, check, vantage: 'local' }, { phase: 'after', instances, via: 'legacy' }).url, 'http://127.0.10.11:80/');
  assert.deepEqual(probeTarget(runbook, { identity: identity!, check, vantage: 'public' }, { phase: 'after', instances }), { url: 'http://127.0.10.1:8080/', host: 'arne.posta.no' });
  assert.deepEqual(probeTarget(loaded, { identity: identity!, check, vantage: 'public' }, { phase: 'after', instances }).url, 'https://arne.posta.no/', 'default public_url is https://{host}');
});

test('all green after the cutover; auth call carries the device token; expected vs actual per item', async () => {
  const seen: HttpRequest[] = [];
  const items = await runSmoke(runbook, fakeHttp({ seen }), { ...base, phase: 'after' });
  assert.equal(items.length, 30);
  assert.ok(items.every((i) => i.ok === true), JSON.stringify(items.filter((i) => !i.ok), null, 1));
  const actor = items.find((i) => i.identity === 'marcus' && i.check === 'actor' && i.vantage === 'local')!;
  assert.equal(actor.expected, 'status == 200 && body.name == "Marcus" && body.publicKey == "pKr0g7IXW9"');
  assert.equal(actor.status, 200);
  assert.equal(actor.timeMs, 5);
  assert.equal(actor.conditions.length, 3);
  assert.equal(seen.filter((r) => r.headers?.authorization === 'Bearer pt_ok').length, 6);
  assert.ok(seen.every((r) => r.url.startsWith('http://127.0.10.')), 'only loopback targets');
});

test('a stopped legacy container before the cutover turns exactly that identity red, locally, naming it', async () => {
  const items = await runSmoke(runbook, fakeHttp(), { ...base, phase: 'before' });
  const red = items.filter((i) => i.ok === false);
  assert.ok(red.length > 0);
  assert.ok(red.every((i) => i.identity === 'tarald' && i.vantage === 'local'));
  assert.match(red[0]!.why!, /^tarald \w+ \(local\): container tarald-msg has no IPv4 address \(Stopped\) — expected an answer \(runbook smoke "\w+"\)$/);
});

test('no baseline: the key condition is pending (·, how to record it), never a silent pass and never red', async () => {
  const items = await runSmoke(runbook, fakeHttp(), { ...base, baseline: null, phase: 'after', checks: ['actor'], vantages: ['public'] });
  assert.equal(items.length, 3);
  for (const i of items) {
    assert.equal(i.ok, null, 'pending: neither green nor red');
    assert.equal(i.pending, 'baseline not recorded yet: step 1 or `status --baseline` records it');
    assert.match(i.url!, /^https?:\/\//, 'the probed address is kept');
    const key = i.conditions.find((c) => c.condition.includes('baseline'))!;
    assert.equal(key.ok, false);
    assert.match(key.actual, /baseline not recorded yet/);
  }
  // The conditions that need no baseline still count: a wrong status is red even while the key is pending.
  const down = await runSmoke(runbook, fakeHttp({ status: 503 }), { ...base, baseline: null, phase: 'after', checks: ['actor'], vantages: ['public'] });
  assert.ok(down.every((i) => i.ok === false), JSON.stringify(down.map((i) => i.actual)));
});

test('a changed key is red: expected, where the expectation comes from (the baseline and its run), actual', async () => {
  const other: Baseline = { ...baseline, runId: 1, identities: { ...baseline.identities, arne: { values: { public_key: 'Tc3qH1kz0aW5DIFFERENTKEYxx' }, tokens: [], schemaVersion: 2 } } };
  const items = await runSmoke(runbook, fakeHttp(), { ...base, baseline: other, phase: 'after', checks: ['actor'], vantages: ['public'] });
  const arne = items.find((i) => i.identity === 'arne')!;
  assert.equal(arne.ok, false);
  assert.equal(arne.why, 'arne actor (public): body.publicKey: expected "Tc3qH1…" (baseline, run #1), got "q1lr+YxzHV"');
  assert.ok(items.filter((i) => i.identity !== 'arne').every((i) => i.ok));
  // A baseline from `status --baseline` names that instead of a run; a runbook value names the smoke check.
  const byStatus = await runSmoke(runbook, fakeHttp(), { ...base, baseline: { ...other, runId: null }, phase: 'after', checks: ['actor'], vantages: ['public'] });
  assert.match(byStatus.find((i) => i.identity === 'arne')!.why!, /expected "Tc3qH1…" \(baseline, status --baseline 2026-05-10 00:00 UTC\), got "q1lr\+YxzHV"$/);
  const down = await runSmoke(runbook, fakeHttp({ status: 503 }), { ...base, phase: 'after', checks: ['401'], vantages: ['public'], identities: ['arne'] });
  assert.equal(down[0]!.why, 'arne 401 (public): status: expected 401 (runbook smoke "401"), got 503');
});

test('one slow identity times out and never delays the others (results arrive as they finish)', async () => {
  const slowRunbook = { ...runbook, smoke: runbook.smoke.map((c) => ({ ...c, timeout: '300ms' })) };
  const arrivals: { item: SmokeItem; at: number }[] = [];
  const started = Date.now();
  const items = await runSmoke(slowRunbook, fakeHttp({ slowHost: 'marcus.posta.no', slowMs: 600 }), {
    ...base,
    phase: 'after',
    onItem: (item) => arrivals.push({ item, at: Date.now() - started }),
  });
  assert.equal(arrivals.length, items.length);
  const others = arrivals.filter((a) => a.item.identity !== 'marcus');
  const slow = arrivals.filter((a) => a.item.identity === 'marcus');
  assert.ok(others.every((a) => a.at < 200 && a.item.ok), 'others finish at once, green');
  assert.ok(slow.every((a) => a.item.ok === false && a.item.failure === 'timeout' && /timed out/.test(a.item.actual)));
  assert.ok(arrivals.findIndex((a) => a.item.identity === 'marcus') >= others.length, 'slow ones arrive last');
});

test('no token source for an authenticated check is red, not skipped', async () => {
  const items = await runSmoke(runbook, fakeHttp(), { instances, baseline, env, phase: 'after', checks: ['auth'], vantages: ['local'] });
  assert.ok(items.every((i) => i.ok === false && /no token source/.test(i.actual)));
  const failing = await runSmoke(runbook, fakeHttp(), { ...base, phase: 'after', checks: ['auth'], vantages: ['local'], tokenFor: async (id) => { throw new Error(`no device token in ${id.slug}'s token DB`); } });
  assert.match(failing[0]!.why!, /^arne auth \(local\): no device token in arne's token DB at http:\/\/127\.0\.10\.14:80\/api\/v1\/identity — expected an answer \(runbook smoke "auth"\)$/);
});
