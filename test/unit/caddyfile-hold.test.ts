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

// A production reverse_proxy with its own `transport http` (keepalive, tls, a dial_timeout of its own): the hold's
// dial_timeout goes into that transport (none when it sets one), never a second transport; the bytes come back.
const withTransport = (transport: string) => `http://arne.posta.no {\n\treverse_proxy 127.0.10.14:8080 {\n\t\theader_up X-Who arne\n${transport}\t}\n}\n`;

test('addHold into an operator\'s own transport http: its block takes the dial_timeout; one with a dial_timeout of its own keeps it', () => {
  const keepalive = withTransport('\t\ttransport http {\n\t\t\tkeepalive 30s\n\t\t}\n');
  assert.deepEqual(holdProblems(keepalive, ['arne.posta.no']), []);
  const held = addHold(keepalive, ['arne.posta.no'], '15s');
  assert.equal(
    held,
    'http://arne.posta.no {\n\treverse_proxy 127.0.10.14:8080 {\n\t\tlb_try_duration 15s #cutover:hold\n\t\tlb_try_interval 100ms #cutover:hold\n\t\theader_up X-Who arne\n' +
      '\t\ttransport http {\n\t\t\tdial_timeout 500ms #cutover:hold\n\t\t\tkeepalive 30s\n\t\t}\n\t}\n}\n',
  );
  assert.equal(removeHold(held), keepalive);

  const ownDial = withTransport('\t\ttransport http {\n\t\t\tdial_timeout 2s\n\t\t}\n');
  const heldOwn = addHold(ownDial, ['arne.posta.no'], '15s');
  assert.equal(heldOwn.match(/dial_timeout/g)?.length, 1, heldOwn);
  assert.equal(heldOwn.match(/transport http/g)?.length, 1, heldOwn);
  assert.match(heldOwn, /lb_try_duration 15s #cutover:hold/);
  assert.equal(removeHold(heldOwn), ownDial);

  const bare = withTransport('\t\ttransport http\n');
  const heldBare = addHold(bare, ['arne.posta.no'], '15s');
  assert.match(heldBare, /\t\ttransport http \{ #cutover:hold-block\n\t\t\tdial_timeout 500ms #cutover:hold\n\t\t\} #cutover:hold\n/);
  assert.equal(removeHold(heldBare), bare);
});

test('holdProblems: a transport that is not http is a blocker naming it', () => {
  const fastcgi = withTransport('\t\ttransport fastcgi {\n\t\t\tsplit .php\n\t\t}\n');
  assert.deepEqual(holdProblems(fastcgi, ['arne.posta.no']).map((p) => [p.level, p.code, p.line]), [['blocker', 'hold-conflict', 4]]);
  assert.throws(() => addHold(fastcgi, ['arne.posta.no'], '15s'), /transport fastcgi/);
});

test('holdProblems: a site whose reverse_proxy comes from a snippet is named with its import line', () => {
  const src = '(proxy) {\n\treverse_proxy 10.0.0.9:80\n}\n\nhttp://b.example {\n\timport proxy\n}\n';
  const [p, ...rest] = holdProblems(src, ['b.example']);
  assert.equal(rest.length, 0);
  assert.deepEqual([p!.level, p!.code, p!.line], ['blocker', 'hold-no-proxy', 6]);
  assert.match(p!.message, /site http:\/\/b\.example, line 6: no reverse_proxy written in the site block \(import proxy may bring one/);
});
