// baseline: record what the cutover must keep (actor keys, token rows, Caddyfile dials) before it starts
// (checks/baseline-record.ts).
import { z } from 'zod';
import type { Action } from './types.ts';
import { ActionError } from './types.ts';
import { fingerprint } from '../../checks/baseline.ts';
import { recordBaseline } from '../../checks/baseline-record.ts';
import { derivePhase } from '../../checks/containers.ts';
import { envOf, type CheckContext } from './checks.ts';

export const baseline: Action = {
  params: z.strictObject({}),
  example: {},
  doc: {
    keys: '—',
    does: 'records actor key fingerprints, token rows and Caddy dials to the journal',
  },
  plan: (_p, rb) => rb.identities.map((idn) => `record ${idn.slug}: actor public key (GET https://${idn.host}/), token rows, Caddyfile dials`),
  undo: { kind: 'none', reason: 'read-only: it records to the state dir and changes nothing' },
  preflight: { none: 'it is itself a reading of the world before the cutover' },
  readOnly: true,
  async run(_step, ctx: CheckContext) {
    if (!ctx.baselines) throw new ActionError('baseline: the driver gave no baseline store');
    const instances = await ctx.runtime.list();
    const phase = derivePhase(ctx.runbook, instances, null);
    if (phase === 'after') throw new ActionError('refusing to record a baseline: the target already serves and the legacy containers are down (it would bless the new state)');
    let b;
    try {
      b = await recordBaseline(ctx.runbook, ctx, { phase, instances, env: envOf(ctx), now: new Date(ctx.now()), ...(ctx.runId !== undefined ? { runId: ctx.runId } : {}) });
    } catch (err) {
      throw new ActionError((err as Error).message);
    }
    await ctx.baselines.save(b);
    const keys = Object.entries(b.identities).map(([identity, v]) => ({
      identity,
      fingerprint: v.values.public_key ? fingerprint(v.values.public_key) : '',
      ...(v.values.public_key ? { publicKeyPrefix: v.values.public_key.slice(0, 10) } : {}),
    }));
    const tokens = Object.values(b.identities).reduce((n, v) => n + v.tokens.length, 0);
    for (const k of keys) ctx.emit({ kind: 'output', line: `${k.identity}: key ${k.fingerprint}, ${b.identities[k.identity]!.tokens.length} token(s)` });
    return { summary: `baseline: ${keys.length} identities, ${tokens} tokens → ${ctx.baselines.location}`, changed: { keys, tokens }, details: { baseline: b } };
  },
};
