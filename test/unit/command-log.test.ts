// The journal's "$ …" lines are the argv the adapters really ran: withCommandLog() hears every spawn made
// inside it (with the flags the adapter adds, e.g. --uid/--gid on a push), nothing spawned outside it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IncusRuntime } from '../../src/adapters/incus.ts';
import { withCommandLog } from '../../src/adapters/command-log.ts';

test('an adapter reports the argv it spawns to the work that asked, with the flags it added', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cmdlog-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const bin = join(dir, 'incus');
  writeFileSync(bin, '#!/bin/sh\nexit 0\n');
  chmodSync(bin, 0o755);
  const rt = new IncusRuntime({ binary: bin, env: { PATH: process.env.PATH ?? '' } });
  const heard: string[][] = [];
  await withCommandLog(
    (argv) => heard.push([...argv]),
    async () => {
      await rt.pushFile('posta', join(dir, 'keys.json'), '/var/lib/posta/keys.json', { mode: 0o600 });
      await rt.setConfig('arne-msg', 'boot.autostart', 'false');
    },
  );
  await rt.start('outside'); // not inside withCommandLog: nobody hears it
  assert.deepEqual(heard, [
    ['incus', 'file', 'push', join(dir, 'keys.json'), 'posta/var/lib/posta/keys.json', '--mode', '0600', '--uid', '0', '--gid', '0'],
    ['incus', 'config', 'set', 'arne-msg', 'boot.autostart=false'],
  ]);
});

test('concurrent work hears only its own commands', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cmdlog-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const bin = join(dir, 'incus');
  writeFileSync(bin, '#!/bin/sh\nsleep 0.05\nexit 0\n');
  chmodSync(bin, 0o755);
  const rt = new IncusRuntime({ binary: bin, env: { PATH: process.env.PATH ?? '' } });
  const a: string[] = [];
  const b: string[] = [];
  await Promise.all([
    withCommandLog((argv) => a.push(argv.join(' ')), async () => { await rt.start('one'); await rt.start('two'); }),
    withCommandLog((argv) => b.push(argv.join(' ')), async () => { await rt.stop('three', { timeoutS: 5 }); }),
  ]);
  assert.deepEqual(a, ['incus start one', 'incus start two']);
  assert.deepEqual(b, ['incus stop three --timeout 5']);
});
