// The Runtime contract: one suite, run against the lab's incus (test/integration/incus-contract.test.ts)
// and against real Incus (scripts/test-incus.sh, inside the lane's network namespace, on its bridge).
// Uses only commands busybox also has.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { IncusError } from '../../src/adapters/incus.ts';
import type { FullRuntime as Runtime } from '../../src/ports.ts';

export interface ContractOptions {
  /** Image to launch, e.g. images:alpine/3.21 (lab) or a local busybox alias (real Incus). */
  image: string;
  /** Instance name prefix, unique per run. */
  prefix: string;
  /** Running instances have a global IPv4 (false on real Incus without a network). */
  expectIpv4: boolean;
  /** The IPv4 expected (default: the lab's 127.0.10.0/24). */
  ipv4Pattern?: RegExp;
  /** Profile to launch with (real Incus: the one that puts eth0 on the bridge). */
  profile?: string;
}

export async function runtimeContract(t: TestContext, rt: Runtime, o: ContractOptions): Promise<void> {
  const c1 = `${o.prefix}-c1`;
  const c10 = `${o.prefix}-c10`;
  const tmp = mkdtempSync(join(tmpdir(), 'cutover-contract-'));
  t.after(async () => {
    for (const n of [c1, c10]) {
      await rt.unsetConfig(n, 'security.protection.delete').catch(() => undefined);
      await rt.delete(n, { force: true }).catch(() => undefined);
    }
    rmSync(tmp, { recursive: true, force: true });
  });

  await t.test('launch + list: exact names, Running, IPv4 from state.network', async () => {
    await rt.launch(c1, o.image, o.profile ? { profile: o.profile } : {});
    await rt.launch(c10, o.image, o.profile ? { profile: o.profile } : {});
    const all = await rt.list();
    assert.ok(all.some((i) => i.name === c1) && all.some((i) => i.name === c10));
    const i1 = await rt.get(c1);
    assert.equal(i1?.status, 'Running');
    assert.equal(i1?.type, 'container');
    if (o.expectIpv4) assert.match(await ipv4Of(rt, c1), o.ipv4Pattern ?? /^127\.0\.10\.\d+$/);
    assert.notEqual(i1?.ipv4 ?? 'x', '127.0.0.1', 'lo is never the IPv4');
    assert.equal(await rt.get(`${o.prefix}-c`), null, 'a prefix is not a match');
    assert.equal((await rt.get(c10))?.name, c10);
  });

  await t.test('exec: exit codes, stdout, lines streamed', async () => {
    assert.equal((await rt.exec(c1, ['true'])).exitCode, 0);
    assert.equal((await rt.exec(c1, ['false'])).exitCode, 1);
    const lines: string[] = [];
    const r = await rt.exec(c1, ['echo', 'hello', 'lab'], { onLine: (l, s) => lines.push(`${s}:${l}`) });
    assert.equal(r.stdout, 'hello lab\n');
    assert.deepEqual(lines, ['stdout:hello lab']);
    const missing = await rt.exec(c1, ['no-such-command-xyz']);
    assert.equal(missing.exitCode, 127);
  });

  await t.test('exec with stdin; info --show-log has a Log section', async () => {
    assert.equal((await rt.exec(c1, ['cat'], { input: 'through stdin\n' })).stdout, 'through stdin\n');
    assert.ok(rt.instanceLog, 'the runtime reads an instance log');
    assert.match(await rt.instanceLog(c1), /(^|\n)Log:\n/);
  });

  await t.test('file push with mode/uid/gid, then pull: same bytes', async () => {
    const src = join(tmp, 'keys.json');
    const content = JSON.stringify({ publicKey: 'x'.repeat(300) });
    writeFileSync(src, content);
    await rt.pushFile(c1, src, '/var/lib/posta/test/keys.json', { mode: 0o640, uid: 1000, gid: 1001, createDirs: true });
    const st = await rt.exec(c1, ['stat', '-c', '%a %u %g %s', '/var/lib/posta/test/keys.json']);
    assert.equal(st.stdout.trim(), `640 1000 1001 ${Buffer.byteLength(content)}`);
    const sum = await rt.exec(c1, ['sha256sum', '/var/lib/posta/test/keys.json']);
    assert.equal(sum.stdout.split(/\s+/)[0], createHash('sha256').update(content).digest('hex'));
    const back = join(tmp, 'pulled.json');
    await rt.pullFile(c1, '/var/lib/posta/test/keys.json', back);
    assert.equal(readFileSync(back, 'utf8'), content);
  });

  await t.test('config get/set/unset', async () => {
    await rt.setConfig(c1, 'boot.autostart', 'false');
    assert.equal(await rt.getConfig(c1, 'boot.autostart'), 'false');
    assert.equal((await rt.get(c1))?.config['boot.autostart'], 'false');
    await rt.unsetConfig(c1, 'boot.autostart');
    assert.equal(await rt.getConfig(c1, 'boot.autostart'), '');
  });

  await t.test('stop/start: status follows; exec on a stopped instance is an error', async () => {
    await rt.stop(c10, { timeoutS: 10 });
    const s = await rt.get(c10);
    assert.equal(s?.status, 'Stopped');
    assert.equal(s?.ipv4, null);
    await assert.rejects(rt.exec(c10, ['true']), (e: unknown) => e instanceof IncusError && /not running/i.test(e.message));
    await rt.start(c10);
    assert.equal((await rt.get(c10))?.status, 'Running');
  });

  await t.test('export writes a gzip tarball', async () => {
    const file = join(tmp, 'c10.tar.gz');
    await rt.exportTo(c10, file);
    assert.ok(statSync(file).size > 0);
    assert.deepEqual([...readFileSync(file).subarray(0, 2)], [0x1f, 0x8b]);
  });

  await t.test('security.protection.delete refuses delete with Incus\' message; --force deletes once unset', async () => {
    await rt.setConfig(c10, 'security.protection.delete', 'true');
    await rt.stop(c10, { force: true });
    await assert.rejects(rt.delete(c10), (e: unknown) => e instanceof IncusError && /Instance is protected/.test(e.message));
    assert.ok(await rt.get(c10), 'still there');
    await rt.unsetConfig(c10, 'security.protection.delete');
    await rt.delete(c10, { force: true });
    assert.equal(await rt.get(c10), null);
    await assert.rejects(rt.delete(c1), (e: unknown) => e instanceof IncusError && /running/i.test(e.message), 'running instance needs --force');
    await rt.delete(c1, { force: true });
    assert.equal(await rt.get(c1), null);
  });

  await t.test('a missing instance is a not-found error', async () => {
    await assert.rejects(rt.start(`${o.prefix}-nope`), (e: unknown) => e instanceof IncusError && e.kind === 'not-found' && e.message.includes(`${o.prefix}-nope`));
  });

  // Real Incus says `Error: Failed to fetch instance "X" in project "default": Instance not found` (exit 1):
  // not a command that ran and exited 1.
  await t.test('exec on a missing instance is a not-found error, not exit 1', async () => {
    await assert.rejects(rt.exec(`${o.prefix}-nope`, ['true']), (e: unknown) => e instanceof IncusError && e.kind === 'not-found' && e.message.includes(`${o.prefix}-nope`));
  });
}

/** A DHCP client needs a moment after start: the IPv4 of a running instance, waited for up to 30 s. */
async function ipv4Of(rt: Runtime, name: string): Promise<string> {
  const until = Date.now() + 30_000;
  for (;;) {
    const ip = (await rt.get(name))?.ipv4;
    if (ip || Date.now() > until) return ip ?? '';
    await new Promise((r) => setTimeout(r, 250));
  }
}
