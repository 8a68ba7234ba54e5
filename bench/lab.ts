// A throwaway rehearsal lab for the figures that need one (`cutover lab up` with the bundle), always taken
// down. Fixed loopback ports: the bench runs under /tmp/cutover-lab.lock.
import { join } from 'node:path';
import { labLayout } from '../src/lab/layout.ts';
import { run, type BenchContext } from './lib.ts';

export interface BenchLab {
  dir: string;
  env: Record<string, string>;
  down(): Promise<void>;
}

export async function labUp(ctx: BenchContext, name: string): Promise<BenchLab> {
  const dir = join(ctx.tmp, name);
  const bundle = join(ctx.repo, 'dist', 'cutover.mjs');
  const env = { CUTOVER_LAB_DIR: dir, CUTOVER_INCUS: labLayout(dir).incus };
  const down = async () => {
    await run([process.execPath, bundle, 'lab', 'down', '--dir', dir], { cwd: ctx.repo, env: { ...process.env, ...env }, timeoutMs: 30_000 });
  };
  const up = await run([process.execPath, bundle, 'lab', 'up', '--dir', dir], { cwd: ctx.repo, env: { ...process.env, ...env }, timeoutMs: 60_000 });
  if (up.code !== 0) {
    await down();
    throw new Error(`lab up exited ${up.code}: ${up.stderr.trim().split('\n').at(-1)}`);
  }
  ctx.log(`lab up in ${dir}`);
  return { dir, env, down };
}
