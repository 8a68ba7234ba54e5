// Hold mode against the seed order (issue 22), side by side in one bench run, each on a fresh lab with the
// devices calling every 250 ms: failed client requests of each order, the longest request of the hold order
// (a held request is slow, not failed) against the usual latency before the run, and the same two for the
// hold-mode rollback that follows on the hold lab (its requests from the devices' timeline).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyOnFreshLab, LAB_RUNBOOK } from './outage.ts';
import { figure, run, type BenchContext, type Figure } from './lib.ts';
import { labLayout } from '../src/lab/layout.ts';
import { parseTimeline, requestFigures, type RequestFigures } from '../src/engine/client-timeline.ts';

export const HOLD_RUNBOOK = 'runbooks/lab/posta-cutover-hold.toml';

export async function holdFigures(ctx: BenchContext): Promise<Figure[]> {
  const seed = (await applyOnFreshLab(ctx, LAB_RUNBOOK, 'seed-order-lab')).outage?.client;
  let back: RequestFigures | null = null;
  const hold = (
    await applyOnFreshLab(ctx, HOLD_RUNBOOK, 'hold-lab', async (lab, state) => {
      const from = Date.now();
      const r = await run([process.execPath, join(ctx.repo, 'dist', 'cutover.mjs'), 'rollback', HOLD_RUNBOOK, '--yes', '--state', state], { cwd: ctx.repo, env: { ...process.env, ...lab.env }, timeoutMs: 180_000 });
      const to = Date.now();
      if (r.code !== 0) throw new Error(`rollback of ${HOLD_RUNBOOK} exited ${r.code}: ${r.stderr.trim().split('\n').at(-1)}`);
      back = requestFigures(parseTimeline(readFileSync(labLayout(lab.dir).timeline, 'utf8')), from, to);
    })
  ).outage?.client;
  if (seed?.failed === undefined || hold?.failed === undefined || hold.longestMs === undefined) throw new Error('apply reported no client requests (no device timeline?)');
  const rb = back as RequestFigures | null;
  if (!rb || rb.requests === 0) throw new Error('the devices made no request during the hold-mode rollback (no device timeline?)');
  ctx.log(`hold: seed order ${seed.failed}/${seed.requests} failed; hold ${hold.failed}/${hold.requests} failed, longest ${hold.longestMs} ms; rollback ${rb.failed}/${rb.requests} failed, longest ${rb.longestMs} ms`);
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
      note: `added latency ${hold.addedMs ?? '?'} ms: the held requests waited from the repoint (the legacy stops right after it) until the new daemon listened`,
    }),
    figure({
      name: 'lab rollback failed requests (hold)',
      value: rb.failed,
      unit: 'requests',
      baseline: rb.requests,
      baselineOf: 'device requests during the rollback',
      goal: '0',
      check: (v) => v === 0,
      note: `cutover rollback of the hold-mode run above, same lab: longest ${rb.longestMs} ms, usual ${rb.usualMs ?? '?'} ms`,
    }),
    figure({
      name: 'lab rollback longest request (hold)',
      value: rb.longestMs / 1000,
      unit: 's',
      baseline: rb.usualMs == null ? null : rb.usualMs / 1000,
      baselineOf: 'median request latency before the rollback (usual)',
      goal: '≤ 2 s',
      check: (v) => v <= 2,
      note: `added latency ${rb.addedMs ?? '?'} ms during the rollback`,
    }),
  ];
}
