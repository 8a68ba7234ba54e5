import { test } from 'node:test';
import assert from 'node:assert/strict';
import { containersByIp, dialHost, evaluateUpstreams, type UpstreamObservation } from '../../checks/upstreams.ts';
import type { Instance } from '../../src/ports.ts';

const inst = (name: string, status: string, ipv4: string): Instance => ({ name, status, ipv4, type: 'container', config: {}, createdAt: null, lastUsedAt: null });
const instances = [inst('arne-msg', 'Running', '10.228.107.201'), inst('marcus-msg', 'Stopped', '10.228.107.229'), inst('posta', 'Running', '10.228.107.168')];
const byIp = containersByIp(instances);

const obs = (over: Partial<UpstreamObservation> = {}): UpstreamObservation => ({
  sites: ['arne.posta.no', 'marcus.posta.no'],
  caddyfile: '/etc/caddy/Caddyfile',
  fileDials: { 'arne.posta.no': ['10.228.107.201:80'], 'marcus.posta.no': ['10.228.107.168:80'] },
  liveDials: { 'arne.posta.no': ['10.228.107.201:80'], 'marcus.posta.no': ['10.228.107.168:80'] },
  pool: [
    { address: '10.228.107.201:80', numRequests: 3, fails: 1 },
    { address: '10.228.107.168:80', numRequests: 0, fails: 0 },
    { address: '10.228.107.205:80', numRequests: 9, fails: 0 },
  ],
  ...over,
});

test('green: file = live, serving containers running; pool filtered to the site dials', () => {
  const [arne, marcus] = evaluateUpstreams(obs(), byIp);
  assert.equal(arne!.ok, true);
  assert.equal(arne!.pointsAt, 'arne-msg');
  assert.equal(arne!.drift, false);
  assert.deepEqual(arne!.pool, [{ address: '10.228.107.201:80', numRequests: 3, fails: 1 }]);
  assert.match(arne!.actual, /file 10\.228\.107\.201:80 → live 10\.228\.107\.201:80 \(arne-msg Running\); 10\.228\.107\.201:80 3 req 1 fails/);
  assert.equal(marcus!.pointsAt, 'posta');
  assert.equal(marcus!.ok, true);
});

test('drift (file ≠ live) is red and says both sides', () => {
  const [arne] = evaluateUpstreams(obs({ fileDials: { 'arne.posta.no': ['10.228.107.168:80'], 'marcus.posta.no': ['10.228.107.168:80'] } }), byIp);
  assert.equal(arne!.ok, false);
  assert.equal(arne!.drift, true);
  assert.match(arne!.why!, /arne\.posta\.no: drift, the file says 10\.228\.107\.168:80 but Caddy serves 10\.228\.107\.201:80/);
});

test('a live dial at a container that is not running is red, naming the container', () => {
  const o = obs({ liveDials: { 'arne.posta.no': ['10.228.107.201:80'], 'marcus.posta.no': ['10.228.107.229:80'] }, fileDials: { 'arne.posta.no': ['10.228.107.201:80'], 'marcus.posta.no': ['10.228.107.229:80'] } });
  const [arne, marcus] = evaluateUpstreams(o, byIp);
  assert.equal(arne!.ok, true);
  assert.equal(marcus!.ok, false);
  assert.equal(marcus!.pointsAt, 'marcus-msg');
  assert.match(marcus!.why!, /marcus\.posta\.no is served by 10\.228\.107\.229:80, container marcus-msg, which is Stopped/);
});

test('expected container: a site still on the legacy container is red', () => {
  const [arne, marcus] = evaluateUpstreams(obs(), byIp, { container: 'posta' });
  assert.equal(arne!.ok, false);
  assert.match(arne!.why!, /arne\.posta\.no should point at posta but points at arne-msg/);
  assert.equal(marcus!.ok, true);
});

test('a site missing from the live config is red; an unreadable admin API is unknown, not green', () => {
  const [arne] = evaluateUpstreams(obs({ liveDials: { 'marcus.posta.no': ['10.228.107.168:80'] } }), byIp);
  assert.equal(arne!.ok, false);
  assert.match(arne!.why!, /no reverse_proxy route in the live Caddy config/);
  const [a2] = evaluateUpstreams(obs({ liveDials: null, liveError: 'connection refused', pool: null }), byIp);
  assert.equal(a2!.ok, null);
  assert.match(a2!.why!, /cannot check arne\.posta\.no: live: connection refused/);
  assert.equal(a2!.drift, false);
});

test('dialHost handles IPv4, names and bracketed IPv6', () => {
  assert.deepEqual([dialHost('10.0.0.1:80'), dialHost('[::1]:8080'), dialHost('app:9000'), dialHost('10.0.0.1')], ['10.0.0.1', '::1', 'app', '10.0.0.1']);
});
