// `cutover plan` on the shipped runbooks: the seed's procedure in order, exact commands, marks, outage window.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.ts';

interface PlanStep {
  key: string;
  id: string;
  index: number;
  action: string;
  destructive: boolean;
  irreversible: boolean;
  inOutage: boolean;
  outage: string | null;
  rollback: { kind: string; description: string; action?: string };
  commands: string[];
  params: Record<string, unknown>;
}

// The production runbooks meet no fismen here (no Incus daemon, no production Caddy): the preflight's
// blockers make plan exit 1 (the lab tests show exit 0 when the world is ready); the steps are all there.
async function planJson(file: string): Promise<{ runbook: Record<string, unknown>; steps: PlanStep[]; preflight: { level: string; code: string }[] }> {
  const r = await runCli(['plan', file, '--json']);
  const doc = JSON.parse(r.stdout);
  assert.equal(r.code, doc.preflight.some((p: { level: string }) => p.level === 'blocker') ? 1 : 0, r.stderr);
  return doc;
}

// Seed 001, the 12 steps of the runbook, in order.
const SEED_ORDER = ['create-container', 'push-binary', 'write-manifest', 'create-dirs', 'stop-legacy', 'copy-keys', 'copy-db', 'write-init', 'start-posta', 'smoke-local', 'repoint-caddy', 'smoke-public', 'smoke-auth', 'token-survival'];

test('plan --json (posta cutover): one JSON document, the seed steps in order', async () => {
  const plan = await planJson('runbooks/posta-cutover.toml');
  assert.deepEqual(plan.runbook, { name: 'posta-multitenant-cutover', title: 'Production migration: arne/marcus/tarald → one container', host: 'fismen', outage_budget: '3m' });
  const ids = [...new Set(plan.steps.map((s) => s.id))];
  const positions = SEED_ORDER.map((id) => ids.indexOf(id));
  assert.ok(positions.every((p) => p >= 0), `missing seed steps: ${SEED_ORDER.filter((_, i) => positions[i]! < 0)}`);
  assert.deepEqual(positions, [...positions].sort((a, b) => a - b), 'seed steps out of order');
  assert.ok(ids.length >= 12);
  assert.deepEqual(plan.steps.map((s) => s.index), plan.steps.map((_, i) => i + 1));
});

test('plan --json: exact commands, per-identity expansion, destructive marks and undo', async () => {
  const { steps } = await planJson('runbooks/posta-cutover.toml');
  const byKey = new Map(steps.map((s) => [s.key, s]));
  for (const [slug, container] of [['arne', 'arne-msg'], ['marcus', 'marcus-msg'], ['tarald', 'tarald-msg']]) {
    const stop = byKey.get(`stop-legacy[${slug}]`)!;
    assert.deepEqual(stop.commands, [`incus exec ${container} -- service posta stop`]);
    assert.equal(stop.destructive, true);
    assert.equal(stop.rollback.description, `incus exec ${container} -- service posta start`);
    const copy = byKey.get(`copy-db[${slug}]`)!;
    assert.ok(copy.commands.includes(`incus file pull ${container}/var/lib/posta/inbox.db <tmp>`), copy.commands.join('\n'));
    assert.ok(copy.commands.some((c) => c.startsWith(`verify size + sha256 + mode 0600`)));
    assert.ok(byKey.get(`disable-autostart[${container}]`)!.commands[0]!.startsWith(`incus config set ${container} boot.autostart=false`));
  }
  assert.deepEqual(byKey.get('create-container')!.commands, ['incus launch images:alpine/3.21 posta --profile default']);
  const repoint = byKey.get('repoint-caddy')!;
  assert.equal(repoint.destructive, true);
  assert.equal(repoint.rollback.kind, 'auto');
  assert.equal(repoint.params.upstream, '{{ip("posta")}}:80', 'IPs stay unresolved until run time');
  assert.ok(repoint.commands.some((c) => c.includes('→ <ip of posta>:80')));
  assert.ok(repoint.commands.some((c) => c.startsWith('cp -p /etc/caddy/Caddyfile /etc/caddy/Caddyfile.bak.posta-multitenant-cutover-')));
  const manifest = byKey.get('write-manifest')!;
  for (const slug of ['arne', 'marcus', 'tarald']) assert.match(String(manifest.params.content), new RegExp(`slug = "${slug}"\\nurl = "https://${slug}.posta.no"`));
  assert.match(String(byKey.get('write-init')!.params.content), /command_args="serve --listen 0\.0\.0\.0:80 --manifest \/etc\/posta\/identities\.toml"/);
});

test('plan --json: the outage window runs from the first legacy stop to the public smoke', async () => {
  const { steps } = await planJson('runbooks/posta-cutover.toml');
  const inside = steps.filter((s) => s.inOutage).map((s) => s.key);
  assert.equal(inside[0], 'stop-legacy[arne]');
  assert.equal(inside[inside.length - 1], 'smoke-public');
  assert.ok(inside.includes('repoint-caddy'));
  assert.ok(!inside.includes('create-container') && !inside.includes('smoke-auth'));
});

test('plan (text): numbered steps, marks in words, outage window drawn', async () => {
  const r = await runCli(['plan', 'runbooks/posta-cutover.toml']);
  assert.ok(r.code === 0 || r.code === 1, r.stderr);
  assert.match(r.stdout, /^preflight: /m);
  assert.match(r.stdout, /^ 2\. create posta container \(Alpine 3\.21, default profile\)/m);
  assert.match(r.stdout, /service posta stop in arne-msg .*‼ DESTRUCTIVE ‼ OUTAGE/);
  assert.match(r.stdout, /┌─ outage window opens \(budget 3m\) ─/);
  assert.match(r.stdout, /└─ outage window closes ─/);
  assert.match(r.stdout, /\$ incus exec arne-msg -- service posta stop/);
  assert.match(r.stdout, /undo: auto: restore \/etc\/caddy\/Caddyfile from its backup, reload/);
});

test('plan --json (decommission): gate, review, acknowledgement, three irreversible forced deletes, note', async () => {
  const { steps } = await planJson('runbooks/posta-decommission.toml');
  assert.deepEqual(steps.map((s) => s.action), ['gate.stability', 'logs.review', 'gate.operator', 'container.delete', 'container.delete', 'container.delete', 'note']);
  assert.equal(steps[0]!.params.window, '7d');
  for (const s of steps.filter((x) => x.action === 'container.delete')) {
    assert.equal(s.irreversible, true);
    assert.equal(s.rollback.kind, 'none');
    assert.ok(s.commands.some((c) => c === `incus delete ${s.params.container} --force`), s.commands.join('\n'));
    assert.ok(s.commands.some((c) => c.startsWith(`incus export ${s.params.container} `)));
  }
  assert.deepEqual(steps[1]!.commands, ['incus exec posta -- cat /var/log/posta.log   (restarts, panics, per-identity errors)', 'incus exec posta -- rc-status --all']);
});

test('plan on an invalid runbook: exit 2, problems on stderr, nothing on stdout', async () => {
  const r = await runCli(['plan', 'test/fixtures/runbooks/does-not-exist.toml', '--json']);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /cannot read runbook: no such file/);
});

test('schema: JSON Schema with one shape per action', async () => {
  const r = await runCli(['schema']);
  assert.equal(r.code, 0, r.stderr);
  const schema = JSON.parse(r.stdout);
  const variants = schema.properties.steps.items.anyOf as { properties: { action: { const: string } } }[];
  assert.ok(variants.length >= 20);
  const stop = variants.find((v) => v.properties.action.const === 'service.stop')!;
  assert.ok('service' in stop.properties && 'container' in stop.properties && 'rollback' in stop.properties);
  assert.deepEqual(schema.properties.runbook.required, ['name', 'host']);
});
