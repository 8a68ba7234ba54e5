// Cockpit figures (first frame in tmux, idle TTY bytes/s, peak RSS): measured once `cutover run` exists.
import { requireCommand } from './available.ts';
import { Pending, type BenchContext, type Figure } from './lib.ts';

export async function cockpitFigures(ctx: BenchContext): Promise<Figure[]> {
  await requireCommand(ctx, 'run');
  throw new Pending('`cutover run` exists; the bench figures for it (first frame, idle TTY bytes/s, peak RSS) are not written yet');
}
