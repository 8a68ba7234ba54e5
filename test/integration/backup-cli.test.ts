// backup / restore / drill / audit through the real binary, as an operator runs them, on real files: the
// fixture modules (test/fixtures/modules) and a temp backup dir.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import stringWidth from 'string-width';
import { REPO, runCli } from '../helpers/cli.ts';

const MODULES = join(REPO, 'test/fixtures/modules');
const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

function workdir(t: { after(fn: () => void): void }) {
  const base = mkdtempSync(join(tmpdir(), 'cutover-backup-cli-'));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  return { base, dir: join(base, 'backups') };
}

async function backup(module: string, dir: string): Promise<{ manifestPath: string; manifest: { files: { name: string; sha256: string }[]; source: { paths: string[] } } }> {
  const r = await runCli(['backup', module, '--modules', MODULES, '--dir', dir, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

for (const [module, cls] of [
  ['posta-inbox', 'S'],
  ['uptime-kuma', 'E'],
] as const) {
  test(`restore round-trip through the binary, class ${cls} (${module}): refused without --yes, then equal files`, async (t) => {
    const { base, dir } = workdir(t);
    const b = await backup(module, dir);
    assert.match(readFileSync(b.manifestPath, 'utf8'), new RegExp(`"class": "${cls}"`));
    const archive = join(dir, b.manifest.files[0]!.name);
    const to = join(base, 'restored');

    const dry = await runCli(['restore', archive, '--to', to]);
    assert.equal(dry.code, 2);
    assert.match(dry.stderr, new RegExp(`would extract ${b.manifest.files[0]!.name}: \\d+ file\\(s\\), .* into ${to} \\(created 0700\\)`));
    assert.match(dry.stderr, /Nothing was written\. Re-run with --yes/);
    assert.equal(statSync(to, { throwIfNoEntry: false }), undefined);

    const r = await runCli(['restore', b.manifestPath, '--to', to, '--yes']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`✓ restored into ${to}`));
    assert.equal(statSync(to).mode & 0o777, 0o700);
    let compared = 0;
    const walk = (src: string) => {
      const st = statSync(src);
      if (st.isDirectory()) for (const n of readdirSync(src)) walk(join(src, n));
      else {
        assert.equal(sha(join(to, src)), sha(src), `${src} restored equal`);
        compared++;
      }
    };
    for (const p of b.manifest.source.paths) walk(p);
    assert.ok(compared >= 1);

    const again = await runCli(['restore', b.manifestPath, '--to', to, '--yes']);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /is not empty .* pass --force/);
  });
}

test('a corrupted backup (one flipped byte) fails restore by sha256, naming the file and both hashes; nothing restored', async (t) => {
  const { base, dir } = workdir(t);
  const b = await backup('uptime-kuma', dir);
  const f = b.manifest.files[0]!;
  const path = join(dir, f.name);
  const bytes = readFileSync(path);
  const at = bytes.length >> 1;
  bytes[at] = bytes[at]! ^ 0x40;
  writeFileSync(path, bytes);
  const to = join(base, 'restored');
  const r = await runCli(['restore', b.manifestPath, '--to', to, '--yes']);
  assert.equal(r.code, 1);
  assert.ok(r.stderr.includes(`${f.name}: sha256 mismatch (corrupted or replaced): file has ${sha(path)}, manifest records ${f.sha256}`), r.stderr);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  assert.equal(statSync(to, { throwIfNoEntry: false }), undefined);
});

test('a backup dir with mode 0755 is refused by the binary with exit 2 and a fix; nothing written', async (t) => {
  const { dir } = workdir(t);
  mkdirSync(dir);
  chmodSync(dir, 0o755);
  const r = await runCli(['backup', 'uptime-kuma', '--modules', MODULES, '--dir', dir]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /backup dir .* has mode 0755: group\/others can reach backups .* Fix: chmod 700/);
  assert.deepEqual(readdirSync(dir), []);
});

test('drill records its date; audit shows it (table within 80 columns, JSON shape, sort by size and readiness)', async (t) => {
  const { dir } = workdir(t);
  const before = new Date().toISOString().slice(0, 10);
  const d = await runCli(['drill', 'uptime-kuma', '--modules', MODULES, '--dir', dir]);
  assert.equal(d.code, 0, d.stderr);
  assert.match(d.stderr, /✓ restore proven for uptime-kuma/);
  await backup('posta-inbox', dir);
  const drills = readFileSync(join(dir, 'drills.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(drills.length, 1);
  assert.equal(statSync(join(dir, 'drills.jsonl')).mode & 0o777, 0o600);

  const j = await runCli(['audit', '--modules', MODULES, '--dir', dir, '--json']);
  assert.equal(j.code, 0, j.stderr);
  const doc = JSON.parse(j.stdout) as { modules: Record<string, unknown>[] };
  assert.deepEqual(Object.keys(doc), ['modules']);
  const names = doc.modules.map((m) => m.module);
  assert.deepEqual(names, ['agaria-postgres', 'agent-plane-shadow-postgres', 'honcho-postgres', 'honcho-redis', 'posta-inbox', 'searxng', 'uptime-kuma'], 'stateful only, by name');
  for (const m of doc.modules) assert.deepEqual(Object.keys(m).sort(), ['class', 'classSource', 'dataBytes', 'lastBackup', 'lastDrill', 'module', 'mounts', 'readiness']);
  const kuma = doc.modules.find((m) => m.module === 'uptime-kuma') as { class: string; lastDrill: { started: string }; lastBackup: { bytes: number; intact: boolean }; readiness: string; dataBytes: number };
  assert.equal(kuma.class, 'E');
  assert.equal(kuma.lastDrill.started, drills[0].started);
  assert.ok(kuma.lastDrill.started.slice(0, 10) >= before);
  assert.equal(kuma.readiness, 'restore proven');
  assert.ok(kuma.lastBackup.bytes > 0 && kuma.lastBackup.intact);
  assert.ok(kuma.dataBytes > 0);
  const posta = doc.modules.find((m) => m.module === 'posta-inbox') as { class: string; readiness: string; lastDrill: unknown };
  assert.deepEqual([posta.class, posta.readiness, posta.lastDrill], ['S', 'backup proven', null]);
  assert.equal((doc.modules.find((m) => m.module === 'honcho-redis') as { readiness: string }).readiness, 'neither');

  const table = await runCli(['audit', '--modules', MODULES, '--dir', dir]);
  assert.equal(table.code, 0, table.stderr);
  const lines = table.stdout.trimEnd().split('\n');
  for (const l of lines) assert.ok(stringWidth(l) <= 80, `${stringWidth(l)} columns: ${l}`);
  assert.match(lines[0]!, /^MODULE\s+CL\s+MNT\s+DATA\s+LAST BACKUP\s+LAST DRILL\s+PROVEN$/);
  const kumaLine = lines.find((l) => l.startsWith('uptime-kuma'))!;
  assert.match(kumaLine, new RegExp(`^uptime-kuma\\s+E\\s+1\\s+\\S+\\s+${drills[0].started.slice(0, 10)} \\S+\\s+${drills[0].started.slice(0, 10)}\\s+restore$`));
  assert.ok(lines.some((l) => /^agent-plane-shadow-postgres\s+A\s/.test(l)), 'the longest seed name (27) still fits whole');
  assert.match(table.stdout, /7 stateful of 8 modules · restore proven 1 · backup proven 1 · neither 5/);

  const bySize = JSON.parse((await runCli(['audit', '--modules', MODULES, '--dir', dir, '--json', '--sort', 'size'])).stdout) as { modules: { module: string; dataBytes: number | null }[] };
  const sizes = bySize.modules.map((m) => m.dataBytes ?? -1);
  assert.deepEqual(sizes, [...sizes].sort((a, b) => b - a));
  const byReady = JSON.parse((await runCli(['audit', '--modules', MODULES, '--dir', dir, '--json', '--sort', 'readiness'])).stdout) as { modules: { module: string; readiness: string }[] };
  assert.deepEqual(byReady.modules.slice(-2).map((m) => m.module), ['posta-inbox', 'uptime-kuma']);
  const bad = await runCli(['audit', '--modules', MODULES, '--dir', dir, '--sort', 'colour']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--sort must be one of name, module, class, mounts, size, backup, drill, readiness/);
});
