// smoke: the [[smoke]] checks per identity, through the target (or legacy) container or the public path.
import { z } from 'zod';
import type { ActionDescriptor } from './types.ts';
import { forIdentity, identitiesOf, list } from './plan-text.ts';

export const smoke: ActionDescriptor = {
  params: z.strictObject({
    vantage: z.enum(['local', 'public']),
    /** Which container serves the local vantage: target or legacy. */
    via: z.enum(['target', 'legacy']).default('target'),
    checks: z.array(z.string()).optional(),
    /** Limit to these identity slugs; default all identities. */
    identities: z.array(z.string()).optional(),
  }),
  example: { vantage: 'public' },
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
};
