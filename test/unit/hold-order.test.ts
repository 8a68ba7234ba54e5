// Hold mode in validate and the preflight (issue 22): the order a reload could break is refused with the key
// path and what to do; the preflight refuses hold where Caddy cannot hold (health check, held bodies).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { checkRunbookText } from '../../src/runbook/load.ts';
import { evaluatePreflight } from '../../src/preflight/rules.ts';
import type { WorldFacts } from '../../src/preflight/types.ts';
import { CATALOG } from '../../src/actions/index.ts';

const FILE = 'runbooks/lab/posta-cutover-hold.toml';
const HOLD = readFileSync(new URL(`../../${FILE}`, import.meta.url), 'utf8');
const SEED = readFileSync(new URL('../../runbooks/lab/posta-cutover.toml', import.meta.url), 'utf8');
const env = { catalog: CATALOG, env: { CUTOVER_LAB_DIR: '/tmp/lab' } };
const messages = (text: string) => checkRunbookText(text, FILE, env).problems.map((p) => `${p.path}: ${p.message}`);

test('the shipped hold runbook is valid; the seed order stays without hold and without proxy.release', () => {
  assert.deepEqual(messages(HOLD), []);
  assert.deepEqual(messages(SEED), []);
  assert.doesNotMatch(SEED, /hold =|proxy\.release|online = true/);
});

test('the hold runbook stops the legacy daemons and copies the identities at once (parallel); parallel needs for_each', () => {
  const steps = checkRunbookText(HOLD, FILE, env).steps!;
  for (const id of ['stop-legacy', 'copy-db']) assert.deepEqual(steps.filter((s) => s.id === id).map((s) => s.parallel), [true, true, true], id);
  assert.ok(steps.filter((s) => s.id === 'copy-db-ahead').every((s) => !s.parallel));
  const lone = HOLD.replace('id = "start-posta"\ntitle = "start the multi-tenant daemon"\n', 'id = "start-posta"\ntitle = "start the multi-tenant daemon"\nparallel = true\n');
  assert.ok(messages(lone).some((m) => /^steps\[\d+\]\.parallel: parallel = true runs the expansions of a for_each step at once/.test(m)), messages(lone).join('\n'));
});

test('validate: a proxy step between the hold repoint and the release, a missing release or start, a release without hold', () => {
  const restore = HOLD.replace('[[steps]]\nid = "copy-db"', '[[steps]]\nid = "reload-midway"\ntitle = "restore"\naction = "proxy.restore"\n\n[[steps]]\nid = "copy-db"');
  assert.ok(messages(restore).some((m) => /^steps\[\d+\]\.action: proxy\.restore reloads Caddy between the hold-mode repoint and proxy\.release/.test(m)), messages(restore).join('\n'));
  const noRelease = HOLD.replace(/\[\[steps\]\]\nid = "release-hold"[\s\S]*?rollback = "auto"\n/, '');
  assert.ok(messages(noRelease).some((m) => /^proxy\.hold: hold mode needs a proxy\.release step/.test(m)), messages(noRelease).join('\n'));
  const noStart = HOLD.replace('id = "start-posta"\ntitle = "start the multi-tenant daemon"\naction = "service.start"', 'id = "start-posta"\ntitle = "start the multi-tenant daemon"\naction = "exec"');
  assert.ok(messages(noStart).some((m) => /no service\.start between proxy\.repoint and proxy\.release/.test(m)), messages(noStart).join('\n'));
  const noHold = HOLD.replace('hold = "15s"', '');
  assert.ok(messages(noHold).some((m) => /proxy\.release takes hold mode's settings out of the Caddyfile: it needs \[proxy\] hold/.test(m)), messages(noHold).join('\n'));
});

const CADDYFILE = '{\n\tadmin 127.0.10.1:2019\n}\nhttp://arne.posta.no {\n\treverse_proxy 127.0.10.11:8080\n}\nhttp://marcus.posta.no {\n\treverse_proxy 127.0.10.12:8080 {\n\t\thealth_uri /healthz\n\t}\n}\nhttp://tarald.posta.no {\n\treverse_proxy 127.0.10.13:8080\n}\n';

function preflight(caddyText: string, hold: WorldFacts['hold']) {
  const r = checkRunbookText(HOLD, FILE, env);
  const facts: WorldFacts = {
    caddy: { path: '/tmp/lab/caddy/Caddyfile', kind: 'file', text: caddyText },
    ...(hold ? { hold } : {}),
    instances: { ok: true, value: [11, 12, 13, 14].map((n, i) => ({ name: ['arne-msg', 'marcus-msg', 'tarald-msg', 'posta'][i]!, status: 'Running', ipv4: `127.0.10.${n}` }) as never) },
    lab: { runtime: '/tmp/lab', proxy: '/tmp/lab', runtimeBinary: '/tmp/lab/bin/incus', caddyfile: '/tmp/lab/caddy/Caddyfile' },
    sources: [],
    space: [],
    smoke: null,
  };
  return evaluatePreflight({ runbook: r.runbook!, runbookFile: FILE, steps: r.steps!, lineOf: () => 42 }, facts).items;
}

test('preflight: an active health check on a held route, held bodies on Caddy 2.6.2 while something sends bodies, an unreadable version', () => {
  const health = preflight(CADDYFILE, { version: { ok: true, value: '2.6.2' }, adapted: null, bodies: [] });
  const h = health.find((i) => i.code === 'hold-active-health');
  assert.ok(h && h.level === 'blocker' && h.line === 9, JSON.stringify(health, null, 1));
  assert.match(h.message, /health_uri/);

  const plain = CADDYFILE.replace('\t\thealth_uri /healthz\n', '');
  const ok = preflight(plain, { version: { ok: true, value: '2.6.2' }, adapted: { ok: true, value: {} }, bodies: [] });
  assert.deepEqual(ok.filter((i) => i.code.startsWith('hold')), []);

  const bodies = preflight(plain, { version: { ok: true, value: '2.6.2' }, adapted: { ok: true, value: {} }, bodies: ['smoke check "post" (POST /api/v1/x)', "the lab's devices (POST)"] });
  const b = bodies.find((i) => i.code === 'hold-bodies');
  assert.ok(b && b.level === 'blocker', JSON.stringify(bodies, null, 1));
  assert.match(b.message, /Caddy 2\.6\.2 fails a held request that has a body.*smoke check "post".*the lab's devices/);
  const fixed = preflight(plain, { version: { ok: true, value: '2.12.0' }, adapted: { ok: true, value: {} }, bodies: ['smoke check "post" (POST /api/v1/x)'] });
  assert.equal(fixed.find((i) => i.code === 'hold-bodies'), undefined);

  const noVersion = preflight(plain, { version: { ok: false, error: 'not found' }, adapted: { ok: true, value: {} }, bodies: [] });
  assert.equal(noVersion.find((i) => i.code === 'hold-caddy-version')?.level, 'blocker');
  const adaptFails = preflight(plain, { version: { ok: true, value: '2.6.2' }, adapted: { ok: false, error: 'Caddyfile:5: unrecognized' }, bodies: [] });
  assert.equal(adaptFails.find((i) => i.code === 'hold-adapt')?.level, 'blocker');
});
