// Hold mode against the seed order (issue 22), side by side in one bench run, each on a fresh lab with the
// devices calling every 250 ms: failed client requests of each order, and the longest request of the hold
// order (a held request is slow, not failed) against the usual latency before the run.
import { applyOnFreshLab, LAB_RUNBOOK } from './outage.ts';
import { figure, type BenchContext, type Figure } from './lib.ts';

export const HOLD_RUNBOOK = 'runbooks/lab/posta-cutover-hold.toml';

export async function holdFigures(ctx: BenchContext): Promise<Figure[]> {
  const seed = (await applyOnFreshLab(ctx, LAB_RUNBOOK, 'seed-order-lab')).outage?.client;
  const hold = (await applyOnFreshLab(ctx, HOLD_RUNBOOK, 'hold-lab')).outage?.client;
  if (seed?.failed === undefined || hold?.failed === undefined || hold.longestMs === undefined) throw new Error('apply reported no client requests (no device timeline?)');
  ctx.log(`hold: seed order ${seed.failed}/${seed.requests} failed; hold ${hold.failed}/${hold.requests} failed, longest ${hold.longestMs} ms`);
  const note = (c: typeof seed) => `${c.requests} device requests during the run (3 devices, every 250 ms), ${c.failed} failed; longest ${c.longestMs} ms, usual ${c.usualMs ?? '?'} ms`;
  return [
    figure({
      name: 'lab cutover failed requests (seed order)',
      value: seed.failed,
      unit: 'requests',
      baseline: seed.requests ?? null,
      baselineOf: 'device requests during the run',
      goal: 'reported (the seed accepts errors: wire-side peers retry)',
      ok: null,
      note: `${LAB_RUNBOOK} on a fresh lab: ${note(seed)}`,
    }),
    figure({
      name: 'lab cutover failed requests (hold)',
      value: hold.failed,
      unit: 'requests',
      baseline: seed.failed,
      baselineOf: 'failed requests of the seed order, same bench run',
      goal: '0',
      check: (v) => v === 0,
      note: `${HOLD_RUNBOOK} on a fresh lab: ${note(hold)}`,
    }),
    figure({
      name: 'lab cutover longest request (hold)',
      value: hold.longestMs / 1000,
      unit: 's',
      baseline: hold.usualMs == null ? null : hold.usualMs / 1000,
      baselineOf: 'median request latency before the run (usual)',
      goal: '≤ 2 s',
      check: (v) => v <= 2,
      note: `added latency ${hold.addedMs ?? '?'} ms: the held requests waited from the legacy stop until the new daemon listened`,
    }),
  ];
}
