// tokens.survival: every device token of the baseline is still in the target's token DB, and active devices keep
// calling.
import { z } from 'zod';
import { forIdentity, identitiesOf } from '../runbook/plan-text.ts';
import type { Action } from './types.ts';
import { ActionError } from './types.ts';
import { baselineSource } from '../../checks/baseline.ts';
import { evaluateTokens, readTokenDb, tokenDbLocation } from '../../checks/tokens.ts';
import type { TokenItem } from '../../checks/types.ts';
import { sleep } from './inside.ts';
import { envOf, loadBaseline, type CheckContext } from './checks.ts';

/** Active devices need a moment after the cutover to call again; survival is re-read until then. */
const SURVIVAL_WAIT_MS = 6_000;

export const tokensSurvival: Action = {
  params: z.strictObject({
    /** Limit to these identity slugs; default all identities. */
    identities: z.array(z.string()).optional(),
  }),
  example: {},
  doc: {
    keys: '`identities` (all)',
    does: "every baseline token present in the new DB, active devices' `last_seen_at` advanced",
  },
  plan: (p, rb) => {
    const t = rb.tokens;
    return identitiesOf(p, rb).map(
      (idn) => `sqlite3 -readonly ${t ? forIdentity(t.db, rb, idn) : '<no [tokens]>'} 'SELECT ${t?.name_column}, ${t?.last_seen_column} FROM ${t?.table}'   (${idn.slug}: baseline rows present, last_seen advancing)`,
    );
  },
  undo: { kind: 'none', reason: 'read-only: it changes nothing' },
  needs: 'tokens',
  preflight: { none: 'it compares against the baseline recorded by the baseline step; [tokens] is checked when the runbook is validated' },
  readOnly: true,
  async run(step, ctx: CheckContext) {
    const baseline = (await loadBaseline(ctx, true))!;
    const env = envOf(ctx);
    const only = Array.isArray(step.params.identities) ? (step.params.identities as string[]) : null;
    const identities = ctx.runbook.identities.filter((i) => !only || only.includes(i.slug));
    const until = ctx.now() + SURVIVAL_WAIT_MS;
    for (;;) {
      const lists = await Promise.all(
        identities.map(async (identity) => {
          const where = tokenDbLocation(ctx.runbook, identity, 'after', env);
          const read = await readTokenDb(ctx.runtime, where.container, where.path, ctx.runbook.tokens).catch((err: Error) => ({ error: err.message }));
          if (!('error' in read)) for (const r of read.rows) ctx.registerSecret?.(r.secret);
          return evaluateTokens({ identity: identity.slug, phase: 'after', read, baseline: baseline.identities[identity.slug] ?? null, baselineRecordedAt: baseline.recordedAt, baselineSource: baselineSource(baseline), now: ctx.now() });
        }),
      );
      const items: TokenItem[] = lists.flat();
      const bad = items.filter((i) => i.ok !== true);
      const onlyNotSeenYet = bad.length > 0 && bad.every((i) => i.survived === true);
      if (bad.length && onlyNotSeenYet && ctx.now() < until) {
        await sleep(500);
        continue;
      }
      for (const i of items) ctx.emit({ kind: 'output', line: `${i.ok ? '✓' : '✗'} ${i.identity}/${i.device} ${i.tokenMasked}: ${i.actual}` });
      if (bad.length) throw new ActionError(`token survival failed:\n  ${bad.map((i) => i.why ?? `${i.identity}/${i.device}: ${i.actual}`).join('\n  ')}`, { items });
      return { summary: `${items.length} device token(s) survived for ${identities.length} identities`, changed: { items } };
    }
  },
};
