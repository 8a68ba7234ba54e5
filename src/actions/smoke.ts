// smoke: the [[smoke]] checks per identity through checks/smoke.ts, from the target (or legacy) container or the
// public path.
import { z } from 'zod';
import { forIdentity, identitiesOf, list } from '../runbook/plan-text.ts';
import type { Action } from './types.ts';
import { ActionError } from './types.ts';
import { runSmoke } from '../../checks/smoke.ts';
import { pickToken, readTokenDb, tokenDbLocation } from '../../checks/tokens.ts';
import { envOf, loadBaseline, type CheckContext } from './checks.ts';

export const smoke: Action = {
  params: z.strictObject({
    vantage: z.enum(['local', 'public']),
    /** Which container serves the local vantage: target or legacy. */
    via: z.enum(['target', 'legacy']).default('target'),
    checks: z.array(z.string()).optional(),
    /** Limit to these identity slugs; default all identities. */
    identities: z.array(z.string()).optional(),
  }),
  example: { vantage: 'public' },
  doc: {
    keys: '`vantage` (`local`|`public`), `via` (`target`|`legacy`), `checks` (all), `identities` (all)',
    does: 'the `[[smoke]]` checks; fails naming each identity and check',
  },
  plan: (p, rb) => {
    const names = list(p, 'checks');
    const checks = names.length ? rb.smoke.filter((s) => names.includes(s.name)) : rb.smoke;
    const local = p.vantage === 'local';
    return identitiesOf(p, rb).flatMap((idn) => {
      const via = p.via === 'legacy' ? idn.legacy_container : (rb.containers.find((x) => x.role === 'target')?.name ?? '?');
      const base = local ? `http://<ip of ${via}>:${idn.port}` : (rb.proxy?.public_url ?? `https://${idn.host}`);
      return checks.map((s) => `${s.method} ${base}${forIdentity(s.path, rb, idn)}  Host: ${idn.host}${s.auth === 'token' ? '  Authorization: Bearer <existing token>' : ''}  → ${s.conditions.map((x) => forIdentity(x, rb, idn)).join(' && ')}`);
    });
  },
  undo: { kind: 'none', reason: 'read-only: it changes nothing' },
  needs: 'smoke',
  preflight: { checks: 'the public smoke of the legacy path passes before the window (legacy-smoke)' },
  readOnly: true,
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
