// proxy.release (hold mode): take the hold settings out of the sites once every upstream they dial answers.
import { z } from 'zod';
import type { ActionDescriptor } from './types.ts';
import { sitesOf } from './plan-text.ts';

export const proxyRelease: ActionDescriptor = {
  /** Hold mode: takes the hold settings out of the sites once every upstream they dial answers (one reload). */
  params: z.strictObject({
    /** Sites (hosts); default all proxy.sites. */
    sites: z.array(z.string()).optional(),
  }),
  example: {},
  plan: (p, rb) => {
    const caddyfile = rb.proxy?.caddyfile ?? '<no [proxy]>';
    const caddy = rb.proxy?.binary ?? 'caddy';
    return [
      `wait until every upstream of ${sitesOf(p, rb).join(', ')} accepts connections, then until nothing is held`,
      `remove the hold lines (#cutover:hold) from ${caddyfile}; backup, caddy adapt (only the hold settings change), validate`,
      `${caddy} reload --config ${caddyfile} --adapter caddyfile`,
    ];
  },
  undo: { kind: 'auto', plan: () => 'auto', byHand: (_changed, step) => [`cutover rollback undoes ${step.action} for ${step.key}`] },
  needs: 'proxy',
  preflight: { checks: 'the hold settings fit the sites (hold problems are reported with the repoint\'s Caddyfile checks)' },
};
