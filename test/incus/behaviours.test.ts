// What real Incus does that the lab did not (issue 19, behaviours 1–4, 6, 7 and 9), each on a real incusd in the
// lane's namespace (scripts/test-incus.sh). 2 (exec on a missing instance) and 5 (info --show-log, exec stdin)
// are cases of the runtime contract; 8 (rollback re-resolves legacy addresses) is in real-incus.test.ts, on the
// legacy world.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { spawn } from 'node:child_process';
import { chownSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createIncusRuntime } from '../../src/adapters/incus.ts';
import { serviceStart } from '../../src/actions/service-start.ts';
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
  // The fault kills the daemon 700 ms after it listens; a node daemon in a container on a loaded 2-core machine
  // can take over 2 s to listen, so the watch is long enough to see the death (it ends as soon as it does).
  const step = { key: 'start', id: 'start', index: 1, title: 'start', action: 'service.start', params: { container: name, service: 'posta', settle: '10s', port: 8080 }, destructive: false, irreversible: false, rollback: { kind: 'none', reason: '' }, verify: [] } as unknown as ResolvedStep;
  const lines: string[] = [];
  await assert.rejects(serviceStart.run(step, ctxFor(lines)), (e: Error) => /posta (died|stopped listening).*after start/.test(e.message) && /late-crash/.test(e.message));
});

test('real incus: an unknown image, profile or config key (or a non-boolean) is refused, and cutover says so (6)', async (t) => {
  const name = 'cutover-refusals';
  t.after(() => rt.delete(name, { force: true }).catch(() => undefined));
  const refused = async (what: string, p: Promise<unknown>, pattern: RegExp) => {
    const err = await p.then(
      () => null,
      (e: Error) => e,
    );
    assert.ok(err, `${what}: real Incus accepted it`);
    process.stdout.write(`# ${what}: ${err.message.split('\n')[0]}\n`);
    assert.match(err.message, pattern, what);
  };
  await refused('unknown image', rt.launch('cutover-x1', 'cutover-no-such-image', { profile: PROFILE }), /incus launch cutover-no-such-image .*failed.*Image "cutover-no-such-image" not found/s);
  await refused('unknown profile', rt.launch('cutover-x2', IMAGE, { profile: 'cutover-no-such-profile' }), /incus launch .*failed.*Requested profile "cutover-no-such-profile" doesn't exist|incus launch .*failed.*[Pp]rofile.*cutover-no-such-profile.*not found/s);
  const names = (await rt.list()).map((i) => i.name);
  assert.ok(!names.includes('cutover-x1') && !names.includes('cutover-x2'), `nothing was created: ${names.join(', ')}`);
  const { execa } = await import('execa');
  await execa('incus', ['create', IMAGE, name, '--profile', PROFILE], { env: process.env, stdin: 'ignore' });
  await refused('unknown config key', rt.setConfig(name, 'boot.autostartt', 'true'), /Unknown configuration key: boot\.autostartt/);
  await refused('non-boolean', rt.setConfig(name, 'boot.autostart', 'maybe'), /Invalid value for a boolean "maybe"/);
  assert.equal((await rt.get(name))?.config['boot.autostart'] ?? '', '', 'nothing was set');
  // Through the product: the step fails, naming the step, the instance and Incus' reason; nothing is left set.
  const runbook = join(dir, 'typo.toml');
  writeFileSync(
    runbook,
    `[runbook]\nname = "real-config-typo"\ntitle = "a config key with a typo"\nhost = "lane"\n\n[runtime]\nkind = "incus"\nbinary = "incus"\n\n[[containers]]\nname = "${name}"\nrole = "legacy"\n\n` +
      `[[steps]]\nid = "disable-autostart"\ntitle = "disable autostart"\naction = "config.set"\ncontainer = "${name}"\nkey = "boot.autostartt"\nvalue = "false"\nrollback = "auto"\n`,
  );
  const apply = await runCli(['apply', runbook, '--yes', '--allow-destructive', '--state', join(dir, 'typo-state')], { timeoutMs: 120_000 });
  const text = apply.stdout + apply.stderr;
  process.stdout.write(`# apply with boot.autostartt: exit ${apply.code}\n${text.split('\n').filter((l) => /autostartt/.test(l)).map((l) => `#   ${l}`).join('\n')}\n`);
  assert.equal(apply.code, 1, text);
  assert.match(text, /disable-autostart/);
  assert.match(text, new RegExp(`${name}.*Unknown configuration key: boot\\.autostartt`));
});

/** Restarts the lane's incusd the way a host reboot or a package upgrade does: SIGTERM leaves the instances as
 *  they are (SIGPWR would shut them down), the new daemon applies the autostart rule at start. */
async function restartIncusd(): Promise<void> {
  const pidfile = process.env['CUTOVER_INCUSD_PIDFILE'];
  const incusd = process.env['CUTOVER_INCUSD'];
  const log = process.env['CUTOVER_INCUSD_LOG'];
  assert.ok(pidfile && incusd && log, 'scripts/test-incus.sh exports CUTOVER_INCUSD, CUTOVER_INCUSD_PIDFILE and CUTOVER_INCUSD_LOG');
  const old = Number(readFileSync(pidfile, 'utf8').trim());
  process.kill(old, 'SIGTERM');
  for (let i = 0; ; i++) {
    try {
      process.kill(old, 0);
    } catch {
      break;
    }
    if (i > 240) throw new Error(`incusd ${old} did not exit within 60 s of SIGTERM`);
    await sleep(250);
  }
  const out = openSync(log, 'a');
  const child = spawn(incusd, ['--group', 'root', '--logfile', log], { detached: true, stdio: ['ignore', out, out], env: process.env });
  child.unref();
  writeFileSync(pidfile, `${child.pid}\n`);
  const { execa } = await import('execa');
  await execa('incus', ['admin', 'waitready', '--timeout', '60'], { env: process.env, stdin: 'ignore' });
}

test('real incus: a container stopped with incus stop comes back at daemon start only with boot.autostart=true (7)', async (t) => {
  const cases = [
    { name: 'cutover-auto-true', autostart: 'true', stop: true, after: 'Running' },
    { name: 'cutover-auto-unset', autostart: null, stop: true, after: 'Stopped' },
    { name: 'cutover-auto-false', autostart: 'false', stop: true, after: 'Stopped' },
    // The other half of the rule: unset, but running when the daemon went down, it runs again.
    { name: 'cutover-auto-running', autostart: null, stop: false, after: 'Running' },
  ];
  t.after(async () => {
    for (const c of cases) await rt.delete(c.name, { force: true }).catch(() => undefined);
  });
  await Promise.all(
    cases.map(async (c) => {
      await rt.launch(c.name, IMAGE, { profile: PROFILE, ...(c.autostart ? { config: { 'boot.autostart': c.autostart } } : {}) });
      if (c.stop) await rt.stop(c.name, { timeoutS: 30 });
    }),
  );
  for (const c of cases) assert.equal((await rt.get(c.name))?.status, c.stop ? 'Stopped' : 'Running', c.name);
  const t0 = Date.now();
  await restartIncusd();
  process.stdout.write(`# incusd restarted in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  // The daemon starts autostart instances in the background once it is ready.
  const until = Date.now() + 60_000;
  let seen: Record<string, string> = {};
  for (;;) {
    const list = await rt.list();
    seen = Object.fromEntries(cases.map((c) => [c.name, list.find((i) => i.name === c.name)?.status ?? 'missing']));
    if (cases.every((c) => seen[c.name] === c.after) || Date.now() > until) break;
    await sleep(500);
  }
  await sleep(3000); // and nothing else comes back a moment later
  const list = await rt.list();
  seen = Object.fromEntries(cases.map((c) => [c.name, list.find((i) => i.name === c.name)?.status ?? 'missing']));
  assert.deepEqual(seen, Object.fromEntries(cases.map((c) => [c.name, c.after])));
});
