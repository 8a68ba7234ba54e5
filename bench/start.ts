// `validate` start-up: the shipped bundle run the way an operator runs it, against `node -e 0` (the floor
// any Node program pays), alternated run by run. The median of several runs.
import { join } from 'node:path';
import { figure, run, sideBySide, type BenchContext, type Figure } from './lib.ts';

export async function validateStart(ctx: BenchContext): Promise<Figure[]> {
  const bundle = join(ctx.repo, 'dist', 'cutover.mjs');
  const runbook = join(ctx.repo, 'runbooks', 'posta-cutover.toml');
  const runs = ctx.quick ? 1 : 15;
  const once = async (argv: string[]) => {
    const r = await run([process.execPath, ...argv], { cwd: ctx.repo, timeoutMs: 20_000 });
    if (r.code !== 0) throw new Error(`${argv.join(' ')} exited ${r.code}: ${r.stderr.trim().split('\n')[0]}`);
  };
  const t = await sideBySide(runs, () => once([bundle, 'validate', runbook]), () => once(['-e', '0']));
  return [
    figure({
      name: 'validate start (dist bundle)',
      value: t.value,
      unit: 'ms',
      baseline: t.baseline,
      baselineOf: 'node -e 0',
      goal: '≤ 500 ms',
      check: (v) => v <= 500,
      note: `median of ${runs}`,
    }),
  ];
}
