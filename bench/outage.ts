// Client-measured outage of the lab cutover (device timeline), once `cutover apply` exists.
import { requireCommand } from './available.ts';
import { Pending, type BenchContext, type Figure } from './lib.ts';

export async function outageFigures(ctx: BenchContext): Promise<Figure[]> {
  await requireCommand(ctx, 'apply');
  throw new Pending('`cutover apply` exists; the bench figures for it (client-measured outage of the lab cutover) are not written yet');
}
