// Archive throughput of src/backup's streaming tar.gz (GNU tar → Node gzip + per-member sha256 → 0600 file)
// against `tar -cf - | gzip` on the same directory, same compression level (6), same machine, same run.
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createArchive } from '../src/backup/archive.ts';
import { dataBytes, fmtSize, writeDataDir } from './data.ts';
import { figure, mb, run, timed, type BenchContext, type Figure } from './lib.ts';

export async function archiveThroughput(ctx: BenchContext): Promise<Figure[]> {
  const root = join(ctx.tmp, 'archive');
  const data = join(root, 'module-data');
  mkdirSync(data, { recursive: true });
  const gen = await timed(() => writeDataDir(data, dataBytes(ctx.quick)));
  ctx.log(`archive: ${fmtSize(gen.result.bytes)} in ${gen.result.files} files written in ${(gen.ms / 1000).toFixed(1)} s`);

  const plainOut = join(root, 'plain.tar.gz');
  const plain = await timed(() => run(['bash', '-c', 'set -o pipefail; tar -cf - -C "$1" --sort=name . | gzip -6 > "$2"', 'bench', data, plainOut], { timeoutMs: 240_000 }));
  if (plain.result.code !== 0) throw new Error(`tar | gzip failed: ${plain.result.stderr.trim()}`);
  const plainSize = statSync(plainOut).size;
  rmSync(plainOut);

  const oursOut = join(root, 'ours.tar.gz');
  const ours = await timed(() => createArchive({ cwd: data, members: ['.'], outPath: oursOut }));
  rmSync(oursOut);
  rmSync(data, { recursive: true, force: true });

  const rate = (ms: number) => mb(gen.result.bytes) / (ms / 1000);
  return [
    figure({
      name: `archive throughput (${fmtSize(gen.result.bytes)})`,
      value: rate(ours.ms),
      unit: 'MiB/s',
      baseline: rate(plain.ms),
      baselineOf: 'tar piped to gzip -6',
      goal: 'ratio ≥ 0.8',
      check: (_v, r) => r !== null && r >= 0.8,
      note: `data ${fmtSize(gen.result.bytes)} in ${gen.result.files} files; ours ${(ours.ms / 1000).toFixed(1)} s → ${fmtSize(ours.result.size)} (${ours.result.entries.length} members hashed), tar|gzip ${(plain.ms / 1000).toFixed(1)} s → ${fmtSize(plainSize)}`,
    }),
  ];
}
