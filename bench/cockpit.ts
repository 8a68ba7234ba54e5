// Cockpit figures (first frame in tmux, idle TTY bytes/s, peak RSS): measured once `cutover run` exists.
import { requireCommand } from './available.ts';
import type { BenchContext, Figure } from './lib.ts';

export async function cockpitFigures(ctx: BenchContext): Promise<Figure[]> {
  await requireCommand(ctx, 'run');
  return [];
}
