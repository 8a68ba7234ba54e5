import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dialOfUpstream, dialsByHost } from '../../src/caddyfile/dials.ts';
import { configDifferences, unintendedDifferences } from '../../src/caddyfile/semantic.ts';

// The shape `caddy adapt` produces: one route per site with a host matcher and a subroute holding handlers.
const site = (host: string, dial: string, extra: object[] = []) => ({
  match: [{ host: [host] }],
  handle: [{ handler: 'subroute', routes: [...extra, { handle: [{ handler: 'reverse_proxy', upstreams: [{ dial }] }] }] }],
  terminal: true,
});
const config = (routes: object[]) => ({ apps: { http: { servers: { srv0: { listen: [':443'], routes } } } } });

const before = config([site('arne.posta.no', '10.228.107.201:80'), site('marcus.posta.no', '10.228.107.229:80'), site('gammel.posta.no', '10.228.107.201:80')]);

test('dialsByHost follows host matchers into nested subroutes, independent of route order', () => {
  const m = dialsByHost(before);
  assert.deepEqual(m.get('arne.posta.no'), ['10.228.107.201:80']);
  assert.deepEqual(m.get('marcus.posta.no'), ['10.228.107.229:80']);
  const reordered = config([site('gammel.posta.no', '10.228.107.201:80'), site('marcus.posta.no', '10.228.107.229:80'), site('arne.posta.no', '10.228.107.201:80')]);
  assert.deepEqual(Object.fromEntries(dialsByHost(reordered)), Object.fromEntries(m));
  const nested = config([
    { match: [{ host: ['app.example'] }], handle: [{ handler: 'subroute', routes: [{ match: [{ path: ['/api/*'] }], handle: [{ handler: 'reverse_proxy', upstreams: [{ dial: 'a:1' }, { dial: 'b:2' }] }] }, site('inner.example', 'c:3')] }] },
  ]);
  const n = dialsByHost(nested);
  assert.deepEqual(n.get('app.example'), ['a:1', 'b:2']);
  assert.deepEqual(n.get('inner.example'), ['c:3']);
});

test('dialOfUpstream: port defaults and schemes as Caddy derives them', () => {
  assert.deepEqual(
    ['10.0.0.1:8080', '10.0.0.1', 'http://10.0.0.1', 'https://app.example', '[::1]:9090', '[::1]'].map(dialOfUpstream),
    ['10.0.0.1:8080', '10.0.0.1:80', '10.0.0.1:80', 'app.example:443', '[::1]:9090', '[::1]:80'],
  );
});

const MOVES = [
  { host: 'arne.posta.no', legacy: ['10.228.107.201:80'] },
  { host: 'marcus.posta.no', legacy: ['10.228.107.229:80'] },
];

test('the intended repoint has no unintended differences', () => {
  const after = config([site('arne.posta.no', '10.228.107.168:80'), site('marcus.posta.no', '10.228.107.168:80'), site('gammel.posta.no', '10.228.107.201:80')]);
  assert.deepEqual(unintendedDifferences(before, after, MOVES, '10.228.107.168:80'), []);
});

test('a changed unrelated site, an extra handler and a wrong dial are each listed', () => {
  const after = config([
    site('arne.posta.no', '10.228.107.168:80', [{ handle: [{ handler: 'encode' }] }]),
    site('marcus.posta.no', '10.228.107.160:80'),
    site('gammel.posta.no', '10.228.107.168:80'),
  ]);
  const diffs = unintendedDifferences(before, after, MOVES, '10.228.107.168:80');
  assert.ok(diffs.some((d) => /^apps\.http\.servers\.srv0\.routes\[0\]\.handle\[0\]\.routes: 1 entries → 2 entries$/.test(d)), diffs.join('\n'));
  assert.ok(diffs.some((d) => /routes\[1\]\.handle\[0\]\.routes\[0\]\.handle\[0\]\.upstreams: upstreams \[\{"dial":"10\.228\.107\.160:80"\}\], expected \[\{"dial":"10\.228\.107\.168:80"\}\]/.test(d)), diffs.join('\n'));
  assert.ok(diffs.some((d) => /routes\[2\]\.handle\[0\]\.routes\[0\]\.handle\[0\]\.upstreams\[0\]\.dial: "10\.228\.107\.201:80" → "10\.228\.107\.168:80"/.test(d)), diffs.join('\n'));
  assert.ok(diffs.some((d) => d === 'marcus.posta.no: would dial 10.228.107.160:80, not 10.228.107.168:80'), diffs.join('\n'));
});

test('configDifferences is empty for equal configs and names every changed leaf', () => {
  assert.deepEqual(configDifferences(before, structuredClone(before)), []);
  const changed = structuredClone(before);
  changed.apps.http.servers.srv0.listen = [':8443'];
  assert.deepEqual(configDifferences(before, changed), ['apps.http.servers.srv0.listen[0]: ":443" → ":8443"']);
});

test('only legacy dials are expected to move: a metrics handler and a second upstream stay', () => {
  const metrics = { match: [{ path: ['/metrics'] }], handle: [{ handler: 'reverse_proxy', upstreams: [{ dial: '10.0.0.50:9100' }] }] };
  const two = (a: string) => ({ handle: [{ handler: 'reverse_proxy', upstreams: [{ dial: a }, { dial: '10.0.0.60:80' }], load_balancing: { selection_policy: { policy: 'first' } } }] });
  const old = config([{ match: [{ host: ['arne.posta.no'] }], handle: [{ handler: 'subroute', routes: [metrics, two('10.228.107.201:80')] }] }]);
  const good = config([{ match: [{ host: ['arne.posta.no'] }], handle: [{ handler: 'subroute', routes: [metrics, two('10.228.107.168:80')] }] }]);
  const moves = [{ host: 'arne.posta.no', legacy: ['10.228.107.201:80'] }];
  assert.deepEqual(unintendedDifferences(old, good, moves, '10.228.107.168:80', 'replace_legacy'), []);
  const metricsMoved = structuredClone(good);
  (metricsMoved.apps.http.servers.srv0.routes[0] as any).handle[0].routes[0].handle[0].upstreams = [{ dial: '10.228.107.168:80' }];
  assert.ok(unintendedDifferences(old, metricsMoved, moves, '10.228.107.168:80', 'replace_legacy').some((d) => /upstreams\[0\]\.dial: "10\.0\.0\.50:9100" → "10\.228\.107\.168:80"/.test(d)));
  const collapsed = config([{ match: [{ host: ['arne.posta.no'] }], handle: [{ handler: 'subroute', routes: [metrics, { handle: [{ ...two('x').handle[0], upstreams: [{ dial: '10.228.107.168:80' }] }] }] }] }]);
  assert.ok(unintendedDifferences(old, collapsed, moves, '10.228.107.168:80', 'replace_legacy').length > 0, 'a collapse is not what replace_legacy means');
  assert.deepEqual(unintendedDifferences(old, collapsed, moves, '10.228.107.168:80', 'collapse'), []);
});
