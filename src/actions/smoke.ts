// smoke: the effect half of the action (descriptor: src/runbook/actions/smoke.ts). The [[smoke]] checks per
// identity through checks/smoke.ts, from the local or the public vantage.
import { join } from 'node:path';
import type { ActionExecutor } from './types.ts';
import { ActionError } from './types.ts';
import { runSmoke } from '../../checks/smoke.ts';
import { pickToken, readTokenDb, tokenDbLocation } from '../../checks/tokens.ts';
import { envOf, loadBaseline, type CheckContext } from './checks.ts';

export const smoke: ActionExecutor = {
  async run(step, ctx: CheckContext) {
    const vantage = step.params.vantage === 'public' ? 'public' : 'local';
    const via = step.params.via === 'legacy' ? 'legacy' : 'target';
    const phase = via === 'target' ? 'after' : 'before';
    const instances = await ctx.runtime.list();
    const baseline = await loadBaseline(ctx, false);
    const env = envOf(ctx);
    const checks = Array.isArray(step.params.checks) ? (step.params.checks as string[]) : undefined;
    const identities = Array.isArray(step.params.identities) ? (step.params.identities as string[]) : undefined;
    const items = await runSmoke(ctx.runbook, ctx.http, {
      phase,
      instances,
      baseline,
      env,
      vantages: [vantage],
      via,
      ...(checks ? { checks } : {}),
      ...(identities ? { identities } : {}),
      tokenFor: async (identity) => {
        const where = tokenDbLocation(ctx.runbook, identity, phase, env);
        const read = await readTokenDb(ctx.runtime, where.container, where.path, ctx.runbook.tokens);
        const row = pickToken(read.rows);
        if (!row) throw new Error(`no device token in ${where.container}:${where.path}`);
        ctx.registerSecret?.(row.secret);
        return row.secret;
      },
      onItem: (i) => ctx.emit({ kind: 'output', line: `${i.ok ? '✓' : '✗'} ${i.identity} ${i.check} (${i.vantage}): ${i.actual}` }),
    });
    if (!items.length) throw new ActionError(`smoke: no checks matched (checks ${checks?.join(', ') ?? 'all'}, identities ${identities?.join(', ') ?? 'all'})`);
    const failed = items.filter((i) => !i.ok);
    if (failed.length) throw new ActionError(`smoke ${vantage} failed for ${[...new Set(failed.map((f) => f.identity))].join(', ')}:\n  ${failed.map((f) => f.why ?? `${f.identity} ${f.check}: ${f.actual}`).join('\n  ')}`, { vantage, items });
    const ids = new Set(items.map((i) => i.identity)).size;
    return { summary: `${items.length} ${vantage} checks ok for ${ids} identit${ids === 1 ? 'y' : 'ies'}`, changed: { vantage, items } };
  },
};
