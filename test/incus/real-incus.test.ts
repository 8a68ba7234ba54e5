// The real Incus lane (`npm run test:incus`, scripts/test-incus.sh; CI runs it after `npm test`): a real incusd,
// its managed bridge, the Debian 12 + OpenRC containers, Caddy and every probe inside the lane's own network
// namespace. The runtime contract, then the whole posta cutover through the real binary: validate, plan,
// status --baseline, apply, verify, report; status and verify through an Incus remote (REMOTE:NAME); rollback
// (Caddyfile byte-identical, legacy data equal); the cutover again through the remote, and its rollback after a
// legacy container's address changed (re-resolved, behaviour 8); apply again; the decommission with a waiver.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createIncusRuntime } from '../../src/adapters/incus.ts';
import { runCli } from '../helpers/cli.ts';
import { runtimeContract } from '../contract/runtime-contract.ts';
import { IMAGE, LANE_DIR, LEGACY, PROFILE, buildWorld, sh, type World } from './world.ts';
import { REMOTE, ensureRemote, remoteRunbook } from './remote.ts';

const CUTOVER = 'runbooks/real/posta-cutover.toml';
const DECOM = 'runbooks/real/posta-decommission.toml';
const REASON = 'real lane: the new daemon verified end to end; all per-identity data lives in posta';
const state = join(LANE_DIR, 'cutover-state');
/** The real binary; each call's time goes to the test output (the lane's budget is watched per command). */
async function cli(args: string[], timeoutMs = 240_000) {
  const t0 = Date.now();
  const r = await runCli(['validate', 'plan'].includes(args[0]!) ? args : [...args, '--state', state], { env: { CUTOVER_INCUS_LANE_DIR: LANE_DIR }, timeoutMs });
  process.stdout.write(`# cutover ${args.slice(0, 2).join(' ')}${args.length > 2 ? ' …' : ''}: exit ${r.code} in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  return r;
}
const out = (r: { stdout: string; stderr: string }) => `${r.stdout}\n${r.stderr}`;

test('Runtime contract on real Incus (on the lane bridge)', async (t) => {
  const rt = createIncusRuntime({ env: process.env });
  await runtimeContract(t, rt, { image: IMAGE, profile: PROFILE, prefix: 'cutover-contract', expectIpv4: true, ipv4Pattern: /^10\.77\.0\.\d+$/ });
});

let world: World | undefined;
let originalCaddyfile: Buffer;
let before: Record<string, { keys: string; inbox: string }>;

/** keys.json's sha256 and the inbox's content (messages, tokens, schema) of each legacy container. */
async function legacyData(w: World): Promise<Record<string, { keys: string; inbox: string }>> {
  const tmp = mkdtempSync(join(LANE_DIR, 'legacy-'));
  const res: Record<string, { keys: string; inbox: string }> = {};
  try {
    for (const i of w.identities) {
      const keys = (await sh(w.runtime, i.container, 'sha256sum /var/lib/posta/keys.json')).split(/\s+/)[0]!;
      const file = join(tmp, `${i.slug}.db`);
      await w.runtime.pullFile(i.container, '/var/lib/posta/inbox.db', file);
      const db = new Database(file, { readonly: true });
      try {
        const messages = db.prepare('SELECT * FROM messages ORDER BY id').all();
        const tokens = db.prepare('SELECT id, name, token, created_at FROM auth_tokens ORDER BY id').all();
        res[i.slug] = { keys, inbox: createHash('sha256').update(JSON.stringify({ messages, tokens, v: db.pragma('user_version', { simple: true }) })).digest('hex') };
      } finally {
        db.close();
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return res;
}

test('real incus: full cutover', async (t) => {
  const started = Date.now();
  world = await buildWorld();
  t.diagnostic(`legacy world built in ${((Date.now() - started) / 1000).toFixed(1)} s: ${world.identities.map((i) => `${i.container} ${i.ip}`).join(', ')}`);
  originalCaddyfile = readFileSync(world.caddyfile);
  before = await legacyData(world);

  const validate = await cli(['validate', CUTOVER]);
  assert.equal(validate.code, 0, out(validate));
  const plan = await cli(['plan', CUTOVER]);
  assert.equal(plan.code, 0, out(plan));
  assert.match(plan.stdout, /incus launch cutover-debian12-openrc posta --profile cutover-lane/);
  const baseline = await cli(['status', CUTOVER, '--baseline']);
  assert.equal(baseline.code, 0, out(baseline));

  const t0 = Date.now();
  const apply = await cli(['apply', CUTOVER, '--yes', '--allow-destructive']);
  assert.equal(apply.code, 0, `apply failed:\n${out(apply)}`);
  t.diagnostic(`apply took ${((Date.now() - t0) / 1000).toFixed(1)} s; ${/outage \(from the steps\): \S+/.exec(apply.stdout)?.[0] ?? ''}`);
  for (const key of ['baseline', 'create-container', 'backup-legacy[arne]', 'stop-legacy[marcus]', 'copy-db[tarald]', 'start-posta', 'repoint-caddy', 'smoke-public', 'token-survival', 'stop-legacy-containers[tarald-msg]']) {
    assert.match(apply.stdout, new RegExp(`✓ +\\d+ ${key.replace(/[[\]]/g, '\\$&')}: `), key);
  }
  const posta = await world.runtime.get('posta');
  assert.equal(posta?.status, 'Running');
  assert.match(readFileSync(world.caddyfile, 'utf8'), new RegExp(`reverse_proxy ${posta!.ipv4!.replace(/\./g, '\\.')}:8080`));
  for (const name of LEGACY) {
    const c = await world.runtime.get(name);
    assert.equal(c?.status, 'Stopped', name);
    assert.equal(c?.config['boot.autostart'], 'false', name);
    assert.equal(c?.config['security.protection.delete'], 'true', name);
  }

  const verify = await cli(['verify', CUTOVER]);
  assert.equal(verify.code, 0, `verify failed:\n${out(verify)}`);
  const report = await cli(['report', CUTOVER]);
  assert.equal(report.code, 0, out(report));
  assert.match(report.stdout, /Cutover complete/);
  for (const i of world.identities) for (const check of ['actor', '401', 'setup', '410']) assert.ok(report.stdout.includes(`| ${i.slug} | ${check} |`), `report smoke row ${i.slug} ${check}`);
  const backups = readdirSync(join(LANE_DIR, 'caddy')).filter((n) => n.startsWith('Caddyfile.bak.'));
  assert.equal(backups.length, 1, backups.join(', '));
  assert.ok(readFileSync(join(LANE_DIR, 'caddy', backups[0]!)).equals(originalCaddyfile), 'the Caddyfile backup is the original');
  assert.equal(statSync(join(LANE_DIR, 'caddy', backups[0]!)).mode & 0o777, 0o600);
});

test('real incus: remote', async () => {
  assert.ok(world, 'the full cutover built the world');
  await ensureRemote();
  const rb = remoteRunbook(CUTOVER);
  const viaRemote = createIncusRuntime({ env: process.env, remote: REMOTE });
  const names = (l: { name: string }[]) => l.map((i) => i.name).sort();
  assert.deepEqual(names(await viaRemote.list()), names(await world.runtime.list()), `the remote ${REMOTE}: lists the same instances`);
  const status = await cli(['status', rb]);
  assert.equal(status.code, 0, `status through the remote:\n${out(status)}`);
  for (const n of ['posta', ...LEGACY]) assert.match(status.stdout, new RegExp(`(^|\\s)${REMOTE}:${n}\\s`, 'm'), `the containers panel names ${REMOTE}:${n}:\n${status.stdout}`);
  const json = JSON.parse((await cli(['status', rb, '--json'])).stdout) as { containers: { items: { name: string; status: string }[] } };
  assert.deepEqual(json.containers.items.map((c) => [c.name, c.status]), [['posta', 'Running'], ...LEGACY.map((n) => [n, 'Stopped'])]);
  const verify = await cli(['verify', rb]);
  assert.equal(verify.code, 0, `verify through the remote:\n${out(verify)}`);
  // The remote is really used: a runbook naming a remote the client does not know cannot check anything.
  const wrong = join(LANE_DIR, 'posta-cutover.wrong-remote.toml');
  writeFileSync(wrong, readFileSync(rb, 'utf8').replace(`remote = "${REMOTE}"`, 'remote = "cutover-no-such-remote"'));
  const refused = await cli(['status', wrong]);
  assert.equal(refused.code, 2, out(refused));
  assert.match(out(refused), /cutover-no-such-remote/);
});

test('real incus: rollback', async () => {
  assert.ok(world, 'the full cutover built the world');
  const rollback = await cli(['rollback', CUTOVER, '--yes']);
  assert.equal(rollback.code, 0, `rollback failed:\n${out(rollback)}`);
  assert.ok(readFileSync(world.caddyfile).equals(originalCaddyfile), 'Caddyfile byte-identical to the original');
  const status = await world.runtime.exec('posta', ['rc-service', 'posta', 'status']);
  assert.notEqual(status.exitCode, 0, 'the new daemon is stopped');
  for (const name of LEGACY) {
    const c = await world.runtime.get(name);
    assert.equal(c?.status, 'Running', name);
    assert.equal(c?.config['boot.autostart'] ?? '', '', `${name}: autostart back to unset`);
    assert.equal(c?.config['security.protection.delete'] ?? '', '', `${name}: protection back to unset`);
  }
  assert.deepEqual(await legacyData(world), before, 'legacy data equal to before the cutover');
  const statusRun = await cli(['status', CUTOVER]);
  assert.equal(statusRun.code, 0, `status after the rollback (legacy containers answer through Caddy):\n${out(statusRun)}`);
});

test('real incus: the cutover again through the remote; its rollback re-resolves a legacy address that changed (8)', async () => {
  assert.ok(world, 'the full cutover built the world');
  await ensureRemote();
  const rb = remoteRunbook(CUTOVER);
  // The cutover again, after its rollback: the new container exists already.
  if (await world.runtime.get('posta')) await world.runtime.delete('posta', { force: true });
  const apply = await cli(['apply', rb, '--yes', '--allow-destructive']);
  assert.equal(apply.code, 0, `apply through the remote failed:\n${out(apply)}`);
  assert.match(apply.stdout, new RegExp(`✓ +\\d+ create-container: ${REMOTE}:posta created`), 'the step summary names REMOTE:NAME');
  assert.match(apply.stdout, new RegExp(`✓ +\\d+ stop-legacy-containers\\[tarald-msg\\]: ${REMOTE}:tarald-msg stopped`));
  // The journal's commands are the argv the adapter ran: through the remote, REMOTE:NAME.
  const db = new Database(join(state, 'journal.sqlite'), { readonly: true });
  const stopped = db.prepare("SELECT command FROM events WHERE step_key = 'stop-legacy-containers[tarald-msg]' AND state = 'succeeded' ORDER BY id DESC").get() as { command: string } | undefined;
  db.close();
  assert.match(stopped?.command ?? '', new RegExp(`^incus stop ${REMOTE}:tarald-msg --timeout \\d+$`, 'm'), stopped?.command);
  const tarald = world.identities.find((i) => i.slug === 'tarald')!;
  const moved = '10.77.0.250';
  assert.notEqual(tarald.ip, moved);
  // While it is stopped, tarald-msg's DHCP reservation moves: it boots with another address, as after a lost lease.
  const { execa } = await import('execa');
  await execa('incus', ['config', 'device', 'override', 'tarald-msg', 'eth0', `ipv4.address=${moved}`], { env: process.env, stdin: 'ignore' });
  const rollback = await cli(['rollback', rb, '--yes']);
  assert.equal(rollback.code, 0, `rollback through the remote failed:\n${out(rollback)}`);
  assert.equal((await world.runtime.get('tarald-msg'))?.ipv4, moved, 'tarald-msg came back with its new address');
  assert.match(rollback.stdout, new RegExp(`legacy addresses re-resolved.*tarald\\.posta\\.no ${tarald.ip.replace(/\./g, '\\.')}:8080 → ${moved.replace(/\./g, '\\.')}:8080`));
  // The original Caddyfile, with that one dial changed, and Caddy really dials it.
  assert.equal(readFileSync(world.caddyfile, 'utf8'), originalCaddyfile.toString('utf8').replace(`${tarald.ip}:8080`, `${moved}:8080`));
  const dials = JSON.stringify(await (await fetch('http://127.0.0.1:2019/config/apps/http/servers')).json());
  assert.ok(dials.includes(`"${moved}:8080"`) && !dials.includes(`"${tarald.ip}:8080"`), `the live config dials ${moved}: ${dials}`);
  const status = await cli(['status', rb]);
  assert.equal(status.code, 0, `every identity served through Caddy again:\n${out(status)}`);
});

test('real incus: decommission', async () => {
  assert.ok(world, 'the full cutover built the world');
  // The cutover again, after its rollback: the new container exists already.
  if (await world.runtime.get('posta')) await world.runtime.delete('posta', { force: true });
  const again = await cli(['apply', CUTOVER, '--yes', '--allow-destructive']);
  assert.equal(again.code, 0, `apply after the rollback failed:\n${out(again)}`);
  const verify = await cli(['verify', CUTOVER]);
  assert.equal(verify.code, 0, out(verify));

  const refused = await cli(['apply', DECOM, '--yes', '--allow-destructive']);
  assert.equal(refused.code, 1, out(refused));
  assert.match(out(refused), /earliest date \d{4}-\d{2}-\d{2}/);
  assert.deepEqual((await world.runtime.list()).map((i) => i.name).filter((n) => n.endsWith('-msg')).sort(), LEGACY);

  const decom = await cli(['apply', DECOM, '--yes', '--allow-destructive', '--waive-window', '--reason', REASON, '--acknowledge-logs']);
  assert.equal(decom.code, 0, `decommission failed:\n${out(decom)}`);
  const names = (await world.runtime.list()).map((i) => i.name);
  assert.deepEqual(names.filter((n) => n.endsWith('-msg')), []);
  assert.ok(names.includes('posta'));
  const after = await cli(['verify', CUTOVER]);
  assert.equal(after.code, 0, out(after));
  assert.match(after.stdout, /legacy containers deleted by the decommission/);
  const report = await cli(['report', DECOM]);
  assert.equal(report.code, 0, out(report));
  assert.match(report.stdout, /## Cleanup complete/);
  assert.match(report.stdout, /\*\*waived\*\*/);
});

test.after(async () => {
  await world?.stop();
});
