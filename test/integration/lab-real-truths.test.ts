// The lab tells the same truth as real Incus (issue 19): it refuses unknown images, profiles and config keys
// with Incus' words, says a missing instance the way Incus does, has `info --show-log` and exec stdin, gives a
// pushed file the host file's owner unless told, models an init that ignores the stop signal (fault
// ignore-stop: a timed-out stop keeps the instance busy until forced; the stop step ends within its timeout,
// forced down and started again, and the rollback completes) and a daemon that dies a
// moment after start (fault late-crash: the after-start watch fails the step).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { IncusError } from '../../src/adapters/incus.ts';
import { startLab } from '../helpers/lab.ts';

test('lab incus answers like real Incus: refusals, not-found, show-log, stdin, owner, stubborn stop, late crash', async (t) => {
  const lab = await startLab(t, ['--identities', '1']);
  const tmp = mkdtempSync(join(tmpdir(), 'cutover-truths-'));
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  const incus = (args: string[], input?: string) => execa(lab.env.CUTOVER_INCUS, args, { reject: false, env: { ...process.env, ...lab.env }, ...(input !== undefined ? { input } : {}) });

  await t.test('unknown image, profile and config key (or a non-boolean) are refused with Incus\' words', async () => {
    const img = await incus(['launch', 'images:alpine/3.99', 'x1']);
    assert.equal(img.exitCode, 1);
    assert.match(img.stderr, /^Error: Image "alpine\/3\.99" not found/);
    const prof = await incus(['launch', 'images:alpine/3.21', 'x2', '--profile', 'nosuch']);
    assert.match(prof.stderr, /^Error: Requested profile "nosuch" doesn't exist/);
    const key = await incus(['config', 'set', 'arne-msg', 'boot.autostartt=true']);
    assert.match(key.stderr, /^Error: Invalid config: Unknown configuration key: boot\.autostartt/);
    const bool = await incus(['config', 'set', 'arne-msg', 'boot.autostart=maybe']);
    assert.match(bool.stderr, /^Error: Invalid config: Invalid value for a boolean "maybe"/);
    assert.equal((await incus(['config', 'set', 'arne-msg', 'user.note=anything'])).exitCode, 0);
    assert.equal((await lab.runtime.list()).filter((i) => /^x\d$/.test(i.name)).length, 0, 'nothing was created');
  });

  await t.test('exec on a missing instance: Incus\' text, and the adapter calls it not-found', async () => {
    const r = await incus(['exec', 'nosuch', '--', 'true']);
    assert.equal(r.exitCode, 1);
    assert.equal(r.stderr.trim(), 'Error: Failed to fetch instance "nosuch" in project "default": Instance not found');
    await assert.rejects(lab.runtime.exec('nosuch', ['true']), (e: unknown) => e instanceof IncusError && e.kind === 'not-found');
  });

  await t.test('info --show-log and exec with stdin', async () => {
    const info = await incus(['info', '--show-log', 'arne-msg']);
    assert.equal(info.exitCode, 0, info.stderr);
    assert.match(info.stdout, /^Name: arne-msg\nStatus: RUNNING\n/);
    assert.match(info.stdout, /\nLog:\n\nlxc arne-msg \d{14}\.\d{3} INFO +start/);
    const cat = await incus(['exec', 'arne-msg', '--', 'cat'], 'through stdin\n');
    assert.equal(cat.stdout, 'through stdin');
    assert.equal((await lab.runtime.exec('arne-msg', ['cat'], { input: 'adapter input' })).stdout, 'adapter input');
  });

  await t.test('file push without --uid/--gid keeps the host file\'s owner; the adapter always names root', async () => {
    const src = join(tmp, 'owned.txt');
    writeFileSync(src, 'x\n');
    chownSync(src, 1234, 1235);
    assert.equal((await incus(['file', 'push', src, 'arne-msg/root/raw.txt'])).exitCode, 0);
    assert.equal((await lab.runtime.exec('arne-msg', ['stat', '-c', '%u %g', '/root/raw.txt'])).stdout.trim(), '1234 1235');
    await lab.runtime.pushFile('arne-msg', src, '/root/adapter.txt');
    assert.equal((await lab.runtime.exec('arne-msg', ['stat', '-c', '%u %g %a', '/root/adapter.txt'])).stdout.trim(), '0 0 644');
  });

  await t.test('fault ignore-stop: the stop step ends within its timeout with a clear message; the rollback completes', async () => {
    assert.equal((await lab.cli(['lab', 'fault', 'ignore-stop', '--dir', lab.dir])).code, 0);
    // As on real Incus: the timed-out stop keeps the instance busy until a forced stop.
    const raw = await incus(['stop', 'arne-msg', '--timeout', '1']);
    assert.match(raw.stderr, /^Error: Failed shutting down instance, status is "Running": context deadline exceeded/);
    assert.match((await incus(['config', 'set', 'arne-msg', 'user.x=1'])).stderr, /Instance is busy running a "stop" operation/);
    assert.equal((await incus(['stop', 'arne-msg', '--force'])).exitCode, 0);
    assert.equal((await incus(['config', 'set', 'arne-msg', 'user.x=1'])).exitCode, 0);
    assert.equal((await incus(['start', 'arne-msg'])).exitCode, 0);
    const runbook = join(tmp, 'stop.toml');
    writeFileSync(
      runbook,
      `[runbook]\nname = "lab-stop-timeout"\ntitle = "stubborn stop"\nhost = "lab"\n\n[runtime]\nkind = "incus"\nbinary = "{{env.CUTOVER_LAB_DIR}}/bin/incus"\n\n[[containers]]\nname = "arne-msg"\nrole = "legacy"\n\n` +
        `[[steps]]\nid = "disable-autostart"\ntitle = "disable autostart"\naction = "config.set"\ncontainer = "arne-msg"\nkey = "boot.autostart"\nvalue = "false"\nrollback = "auto"\n\n` +
        `[[steps]]\nid = "stop"\ntitle = "stop arne-msg"\naction = "container.stop"\ncontainer = "arne-msg"\ntimeout = "2s"\ndestructive = true\nrollback = { action = "container.start", container = "arne-msg" }\n`,
    );
    const state = join(tmp, 'state');
    const t0 = Date.now();
    const apply = await lab.cli(['apply', runbook, '--yes', '--allow-destructive', '--state', state]);
    const took = Date.now() - t0;
    assert.equal(apply.code, 1, apply.stdout + apply.stderr);
    assert.match(apply.stdout + apply.stderr, /did not shut down within 2 s of `incus stop`.*still Running.*incus stop --force arne-msg/s);
    assert.ok(took < 30_000, `ended within its timeout (${took} ms)`);
    const rollback = await lab.cli(['rollback', runbook, '--yes', '--state', state]);
    assert.equal(rollback.code, 0, rollback.stdout + rollback.stderr);
    assert.equal((await lab.runtime.get('arne-msg'))?.config['boot.autostart'] ?? '', '');
    await lab.runtime.stop('arne-msg', { force: true });
    assert.equal((await lab.runtime.get('arne-msg'))?.status, 'Stopped', '--force still stops it');
    await lab.runtime.start('arne-msg');
    assert.equal((await lab.cli(['lab', 'fault', 'ignore-stop', '--off', '--dir', lab.dir])).code, 0);
  });
});
