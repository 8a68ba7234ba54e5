// Each lab fault is observable straight through the product's adapters (the apply fault tests show what the
// runner does about them): a short copy, an ignored mode, a rejected reload, a container that comes back.
import assert from 'node:assert/strict';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { labLayout } from '../../src/lab/layout.ts';
import { startLab } from '../helpers/lab.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const run = promisify(execFile);

test('lab faults, each visible through the adapters', async (t) => {
  const lab = await startLab(t, ['--identities', '3']);
  const scratch = mkdtempSync(join(tmpdir(), 'cutover-fault-'));
  const local = join(scratch, 'payload.bin');
  writeFileSync(local, Buffer.alloc(4096, 7));

  await t.test('truncated-copy: a pushed file lands short, a pulled one too', async () => {
    assert.equal((await lab.cli(['lab', 'fault', 'truncated-copy', '--dir', lab.dir])).code, 0);
    await lab.runtime.pushFile('arne-msg', local, '/root/payload.bin', { mode: 0o600 });
    const size = await lab.runtime.exec('arne-msg', ['stat', '-c', '%s', '/root/payload.bin']);
    assert.ok(Number(size.stdout.trim()) < 4096, `pushed size ${size.stdout.trim()}`);
    await lab.runtime.pullFile('arne-msg', '/var/lib/posta/keys.json', join(scratch, 'keys.json'));
    const full = statSync(join(lab.dir, 'containers', 'arne-msg', 'rootfs', 'var/lib/posta/keys.json')).size;
    assert.ok(statSync(join(scratch, 'keys.json')).size < full, 'pulled copy is shorter than the source');
    assert.equal((await lab.cli(['lab', 'fault', 'truncated-copy', '--off', '--dir', lab.dir])).code, 0);
    await lab.runtime.pushFile('arne-msg', local, '/root/payload.bin', { mode: 0o600 });
    assert.equal((await lab.runtime.exec('arne-msg', ['stat', '-c', '%s', '/root/payload.bin'])).stdout.trim(), '4096', 'fault off: full size');
  });

  await t.test('wrong-mode: push ignores --mode', async () => {
    assert.equal((await lab.cli(['lab', 'fault', 'wrong-mode', '--dir', lab.dir])).code, 0);
    await lab.runtime.pushFile('arne-msg', local, '/root/secret.bin', { mode: 0o600 });
    assert.equal((await lab.runtime.exec('arne-msg', ['stat', '-c', '%a', '/root/secret.bin'])).stdout.trim(), '644');
    await lab.cli(['lab', 'fault', 'wrong-mode', '--off', '--dir', lab.dir]);
    await lab.runtime.pushFile('arne-msg', local, '/root/secret.bin', { mode: 0o600 });
    assert.equal((await lab.runtime.exec('arne-msg', ['stat', '-c', '%a', '/root/secret.bin'])).stdout.trim(), '600');
  });

  await t.test('reload-failure: the next caddy reload is rejected, the one after goes through', async () => {
    const layout = labLayout(lab.dir);
    assert.equal((await lab.cli(['lab', 'fault', 'reload-failure', '--dir', lab.dir])).code, 0);
    const reload = () =>
      run(layout.caddyWrapper, ['reload', '--config', layout.caddyfile, '--adapter', 'caddyfile', '--address', `${lab.config.caddy.ip}:${lab.config.caddy.adminPort}`], {
        env: { ...process.env, ...lab.env },
      }).then(
        () => 0,
        (e: { code?: number; stderr?: string }) => {
          assert.match(String(e.stderr), /reload-failure/);
          return e.code ?? 1;
        },
      );
    assert.notEqual(await reload(), 0, 'first reload rejected');
    assert.equal(await reload(), 0, 'the fault is one-shot');
  });

  await t.test('autostart: as on real Incus, a stopped container comes back at the daemon restart only with boot.autostart=true', async () => {
    await lab.runtime.setConfig('tarald-msg', 'boot.autostart', 'false');
    assert.equal((await lab.cli(['lab', 'fault', 'autostart', '--dir', lab.dir])).code, 0);
    // The fault gives the legacy containers fismen's boot.autostart=true where it was unset; false stays false.
    assert.equal((await lab.runtime.get('arne-msg'))?.config['boot.autostart'], 'true');
    assert.equal((await lab.runtime.get('tarald-msg'))?.config['boot.autostart'], 'false');
    await lab.runtime.unsetConfig('marcus-msg', 'boot.autostart');
    for (const c of ['arne-msg', 'marcus-msg', 'tarald-msg']) await lab.runtime.stop(c);
    assert.equal((await lab.runtime.get('arne-msg'))?.status, 'Stopped');
    let status = 'Stopped';
    for (let i = 0; i < 40 && status !== 'Running'; i++) {
      await sleep(250);
      status = (await lab.runtime.get('arne-msg'))?.status ?? 'missing';
    }
    assert.equal(status, 'Running', 'boot.autostart=true: the restart brought it back');
    await sleep(1500);
    assert.equal((await lab.runtime.get('marcus-msg'))?.status, 'Stopped', 'boot.autostart unset: a container stopped with incus stop stays down');
    assert.equal((await lab.runtime.get('tarald-msg'))?.status, 'Stopped', 'boot.autostart=false: stays down');
  });
});
