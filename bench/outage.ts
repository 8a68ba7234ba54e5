// Client-measured outage of the lab cutover: `cutover apply runbooks/lab/posta-cutover.toml --yes
// --allow-destructive --json` on a fresh lab; the value is the longest gap the lab's devices saw (their
// timeline, as apply reports it), the baseline the outage window the steps' own times give (journal).
import { join } from 'node:path';
import { labUp, type BenchLab } from './lab.ts';
import { figure, run, type BenchContext, type Figure } from './lib.ts';

export const LAB_RUNBOOK = 'runbooks/lab/posta-cutover.toml';

export interface ApplyDoc {
  ok: boolean;
  steps?: unknown[];
  outage?: {
    stepsMs: number | null;
    client: { ms: number; perIdentity: Record<string, number>; source: string; requests?: number; failed?: number; longestMs?: number; usualMs?: number | null; addedMs?: number | null } | null;
  };
}

/**
 * `apply --yes --allow-destructive --json` of `runbook` on a fresh lab (taken down afterwards); its document.
 * `then` runs on the same lab after the apply (hold mode's rollback), before it is taken down.
 */
export async function applyOnFreshLab(ctx: BenchContext, runbook: string, name: string, then?: (lab: BenchLab, state: string) => Promise<void>): Promise<ApplyDoc> {
  const lab = await labUp(ctx, name);
  try {
    const state = join(ctx.tmp, `${name}-state`);
    const r = await run([process.execPath, join(ctx.repo, 'dist', 'cutover.mjs'), 'apply', runbook, '--yes', '--allow-destructive', '--json', '--state', state], {
      cwd: ctx.repo,
      env: { ...process.env, ...lab.env },
      timeoutMs: 180_000,
    });
    let doc: ApplyDoc;
    try {
      doc = JSON.parse(r.stdout) as ApplyDoc;
    } catch {
      throw new Error(`apply exited ${r.code} without a JSON document: ${r.stderr.trim().split('\n').at(-1)}`);
    }
    if (r.code !== 0 || !doc.ok) throw new Error(`apply of ${runbook} exited ${r.code}: ${r.stderr.trim().split('\n').at(-1)}`);
    await then?.(lab, state);
    return doc;
  } finally {
    await lab.down();
  }
}

export async function outageFigures(ctx: BenchContext): Promise<Figure[]> {
  const doc = await applyOnFreshLab(ctx, LAB_RUNBOOK, 'outage-lab');
  const client = doc.outage?.client;
  const steps = doc.outage?.stepsMs ?? null;
  if (!client) throw new Error('apply reported no client-side outage (no device timeline?)');
  const per = Object.entries(client.perIdentity).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`).join(', ');
  ctx.log(`outage: clients ${client.ms} ms, steps ${steps} ms`);
  return [
    figure({
      name: 'lab cutover outage seen by clients',
      value: client.ms / 1000,
      unit: 's',
      baseline: steps === null ? null : steps / 1000,
      baselineOf: 'outage window from the steps (journal)',
      goal: '≤ 5 s',
      check: (v) => v <= 5,
      note: `one \`apply --yes --allow-destructive\` on a fresh lab (${doc.steps?.length ?? '?'} steps); ${client.source}, longest gap per identity: ${per}`,
    }),
  ];
}
