// What real Incus does that the lab did not (issue 19, behaviours 1–4 and 9), each on a real incusd in the
// lane's namespace (scripts/test-incus.sh). 2 (exec on a missing instance) is a case of the runtime contract.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createIncusRuntime } from '../../src/adapters/incus.ts';
import { serviceStart } from '../../src/actions/service.ts';
import type { ActionContext } from '../../src/actions/types.ts';
import type { ResolvedStep } from '../../src/engine/types.ts';
import { bundlePostaServer } from '../../src/lab/posta/bundle.ts';
import { runCli } from '../helpers/cli.ts';
import { IMAGE, LANE_DIR, PROFILE, legacyInit, sh, waitIpv4 } from './world.ts';

const rt = createIncusRuntime({ env: process.env });
const dir = join(LANE_DIR, 'behaviours');
mkdirSync(dir, { recursive: true });

function ctxFor(lines: string[]): ActionContext {
  return { runtime: rt, emit: (e: { line?: string; argv?: string[] }) => lines.push(e.line ?? (e.argv ?? []).join(' ')), resolve: async (s: string) => s, now: () => Date.now() } as unknown as ActionContext;
}

test('real incus: a stop the init ignores ends within the step timeout with a clear message, and the rollback completes (1)', async (t) => {
  const name = 'cutover-stubborn';
  t.after(() => rt.delete(name, { force: true }).catch(() => undefined));
  await rt.launch(name, IMAGE, { profile: PROFILE });
  // Debian's inittab without the powerwait line: SIGPWR (incus stop) is ignored, as on fismen's first try.
  // (SIGHUP: sysvinit re-reads its inittab.)
  await sh(rt, name, "sed -i '/^pf::/d' /etc/inittab && kill -HUP 1");
  const runbook = join(dir, 'stop.toml');
  writeFileSync(
    runbook,
    `[runbook]\nname = "real-stop-timeout"\ntitle = "a legacy container whose init ignores the stop signal"\nhost = "lane"\n\n[runtime]\nkind = "incus"\nbinary = "incus"\n\n` +
      `[[containers]]\nname = "${name}"\nrole = "legacy"\n\n` +
      `[[steps]]\nid = "disable-autostart"\ntitle = "disable autostart"\naction = "config.set"\ncontainer = "${name}"\nkey = "boot.autostart"\nvalue = "false"\nrollback = "auto"\n\n` +
      `[[steps]]\nid = "stop"\ntitle = "stop ${name}"\naction = "container.stop"\ncontainer = "${name}"\ntimeout = "5s"\ndestructive = true\nrollback = { action = "container.start", container = "${name}" }\n`,
  );
  const state = join(dir, 'stop-state');
  const t0 = Date.now();
  const apply = await runCli(['apply', runbook, '--yes', '--allow-destructive', '--state', state], { timeoutMs: 120_000 });
  const took = (Date.now() - t0) / 1000;
  process.stdout.write(`# apply with the stubborn stop: exit ${apply.code} in ${took.toFixed(1)} s\n`);
  assert.equal(apply.code, 1, apply.stdout + apply.stderr);
  assert.match(apply.stdout + apply.stderr, /did not shut down within 5 s of `incus stop`.*still Running.*incus stop --force/s);
  assert.ok(took < 40, `the stop step ended within its timeout (apply took ${took} s)`);
  assert.equal((await rt.get(name))?.status, 'Running');
  // Not busy any more: the rollback's config unset goes through.
  const rollback = await runCli(['rollback', runbook, '--yes', '--state', state], { timeoutMs: 120_000 });
  assert.equal(rollback.code, 0, rollback.stdout + rollback.stderr);
  assert.equal((await rt.get(name))?.config['boot.autostart'] ?? '', '', 'autostart back to unset');
});

test('real incus: never started is last used "never", not 1970 or year 1 (3)', async (t) => {
  const name = 'cutover-never';
  t.after(() => rt.delete(name, { force: true }).catch(() => undefined));
  const { execa } = await import('execa');
  // stdin closed: `incus create` reads an instance config from a piped stdin.
  await execa('incus', ['create', IMAGE, name, '--profile', PROFILE], { env: process.env, stdin: 'ignore' });
  const raw = JSON.parse((await execa('incus', ['list', name, '-f', 'json'], { env: process.env, stdin: 'ignore' })).stdout)[0] as { last_used_at: string };
  process.stdout.write(`# last_used_at of a never-started instance on this Incus: ${raw.last_used_at}\n`);
  assert.match(raw.last_used_at, /^(0001|1970)-01-01T00:00:00/);
  assert.equal((await rt.get(name))?.lastUsedAt, null);
});

test('real incus: every push names its owner and mode; directories it makes are root-owned too (4)', async (t) => {
  const name = 'cutover-owner';
  t.after(() => rt.delete(name, { force: true }).catch(() => undefined));
  await rt.launch(name, IMAGE, { profile: PROFILE });
  const src = join(dir, 'owned-by-1234.txt');
  writeFileSync(src, 'x\n', { mode: 0o640 });
  chownSync(src, 1234, 1234);
  await rt.pushFile(name, src, '/srv/new/dir/file.txt', { createDirs: true });
  assert.equal((await sh(rt, name, 'stat -c "%u:%g %a" /srv/new/dir/file.txt /srv/new/dir /srv/new')).trim().split('\n').map((l) => l.split(' ')[0]).join(' '), '0:0 0:0 0:0');
  assert.equal((await sh(rt, name, 'stat -c %a /srv/new/dir/file.txt')).trim(), '644', 'default mode, not the host file\'s 0640');
});

test('real incus: service.start watches the daemon for its settle time: one that dies a moment later fails (9)', async (t) => {
  const name = 'cutover-latecrash';
  t.after(() => rt.delete(name, { force: true }).catch(() => undefined));
  await rt.launch(name, IMAGE, { profile: PROFILE });
  const posta = join(dir, 'posta-server');
  await bundlePostaServer(posta);
  await rt.pushFile(name, posta, '/usr/local/bin/posta-server', { mode: 0o755 });
  await sh(rt, name, 'mkdir -p /var/lib/posta && /usr/local/bin/posta-server seed --keys /var/lib/posta/keys.json --db /var/lib/posta/inbox.db --name Crash --tokens a >/dev/null');
  const init = join(dir, 'posta.init');
  writeFileSync(init, legacyInit({ url: 'https://crash.posta.no', name: 'Crash' }).replace('--name Crash', '--name Crash --fault late-crash'));
  await rt.pushFile(name, init, '/etc/init.d/posta', { mode: 0o755 });
  await waitIpv4(rt, name);
  const step = { key: 'start', id: 'start', index: 1, title: 'start', action: 'service.start', params: { container: name, service: 'posta', settle: '3s', port: 8080 }, destructive: false, irreversible: false, rollback: { kind: 'none', reason: '' }, verify: [] } as unknown as ResolvedStep;
  const lines: string[] = [];
  await assert.rejects(serviceStart.run(step, ctxFor(lines)), (e: Error) => /posta (died|stopped listening).*after start/.test(e.message) && /late-crash/.test(e.message));
});
