// Client-measured outage of the lab cutover (device timeline), once `cutover apply` exists.
import { requireCommand } from './available.ts';
import type { BenchContext, Figure } from './lib.ts';

export async function outageFigures(ctx: BenchContext): Promise<Figure[]> {
  await requireCommand(ctx, 'apply');
  return [];
}
