// Whether a command the bench measures exists yet in the bundle (placeholders say "not built yet").
import { join } from 'node:path';
import { Pending, run, type BenchContext } from './lib.ts';

export async function requireCommand(ctx: BenchContext, command: string): Promise<void> {
  const r = await run([process.execPath, join(ctx.repo, 'dist', 'cutover.mjs'), command, '--help'], { cwd: ctx.repo, timeoutMs: 20_000 });
  const text = r.stdout + r.stderr;
  if (r.code !== 0 || /not built yet/i.test(text)) throw new Pending(`\`cutover ${command}\` is not built yet`);
}
