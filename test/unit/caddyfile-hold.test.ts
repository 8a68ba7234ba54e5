// Hold mode's Caddyfile edits: the hold lines go into every reverse_proxy of the named sites only, and come out
// again byte for byte; routes that cannot hold are named; heldBodiesFail's version list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addHold, hasHoldLines, heldBodiesFail, holdProblems, holdState, removeHold, withoutHold } from '../../src/caddyfile/hold.ts';

const SRC =
  '{\n\tadmin 127.0.10.1:2019\n}\n# sites\nhttp://arne.posta.no {\n\tbind 127.0.10.1\n\treverse_proxy 127.0.10.14:8080\n}\n\n' +
  'http://marcus.posta.no {\n\treverse_proxy 127.0.10.14:8080 {\n\t\theader_up X-Who marcus\n\t}\n}\n' +
  'http://status.example {\n\treverse_proxy 127.0.10.11:8080\n}\n';

test('addHold: every reverse_proxy of the named sites gets the hold lines, others untouched; removeHold restores the bytes', () => {
  const held = addHold(SRC, ['arne.posta.no', 'marcus.posta.no'], '15s');
  assert.match(held, /reverse_proxy 127\.0\.10\.14:8080 \{ #cutover:hold-block\n\t\tlb_try_duration 15s #cutover:hold\n\t\tlb_try_interval 100ms #cutover:hold\n\t\ttransport http \{ #cutover:hold\n\t\t\tdial_timeout 500ms #cutover:hold\n\t\t\} #cutover:hold\n\t\} #cutover:hold\n\}/);
  assert.match(held, /header_up X-Who marcus/);
  assert.equal(held.match(/lb_try_duration 15s/g)?.length, 2);
  assert.match(held, /http:\/\/status\.example \{\n\treverse_proxy 127\.0\.10\.11:8080\n\}/);
  assert.ok(hasHoldLines(held));
  assert.equal(removeHold(held), SRC);
  assert.ok(!hasHoldLines(SRC));
});

test('holdProblems: an active health check and settings hold mode owns are blockers; passive health a warning', () => {
  const src = 'http://a.test {\n\treverse_proxy 127.0.0.1:1 {\n\t\thealth_uri /healthz\n\t\tlb_try_interval 1s\n\t\tmax_fails 3\n\t}\n}\nhttp://b.test {\n\trespond "no proxy"\n}\n';
  const problems = holdProblems(src, ['a.test', 'b.test']);
  assert.deepEqual(problems.map((p) => [p.level, p.code, p.line]), [
    ['blocker', 'hold-active-health', 3],
    ['blocker', 'hold-conflict', 4],
    ['warning', 'hold-passive-health', 5],
    ['blocker', 'hold-no-proxy', 8],
  ]);
  assert.throws(() => addHold(src, ['a.test'], '15s'), /active health check/);
  assert.deepEqual(holdProblems(SRC, ['arne.posta.no']), []);
});

test('withoutHold takes the adapted hold settings out of the named hosts only; holdState counts them', () => {
  const handler = (dial: string, hold: boolean) => ({
    handler: 'reverse_proxy',
    ...(hold ? { load_balancing: { try_duration: 15e9, try_interval: 1e8 }, transport: { dial_timeout: 5e8, protocol: 'http' } } : {}),
    upstreams: [{ dial }],
  });
  const config = (hold: boolean) => ({
    apps: { http: { servers: { srv0: { routes: [
      { match: [{ host: ['arne.posta.no'] }], handle: [{ handler: 'subroute', routes: [{ handle: [handler('127.0.10.14:8080', hold)] }] }] },
      { match: [{ host: ['other.test'] }], handle: [handler('127.0.10.9:80', true)] },
    ] } } } },
  });
  assert.deepEqual(holdState(config(true), ['arne.posta.no']), { held: 1, total: 1 });
  assert.deepEqual(holdState(config(false), ['arne.posta.no']), { held: 0, total: 1 });
  assert.deepEqual(withoutHold(config(true), ['arne.posta.no']), config(false));
});

test('heldBodiesFail: Caddy through 2.11.1 fails held bodies; later releases carry the fix', () => {
  for (const v of ['2.6.2', 'v2.6.1', '2.10.2', '2.11.1', '1.0.4', 'garbage']) assert.equal(heldBodiesFail(v), true, v);
  for (const v of ['2.11.2', 'v2.12.0', '3.0.0']) assert.equal(heldBodiesFail(v), false, v);
});
