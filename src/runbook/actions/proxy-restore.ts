// proxy.restore: put the newest Caddyfile backup of this runbook back and reload (a rollback step).
import { z } from 'zod';
import type { ActionDescriptor } from './types.ts';

export const proxyRestore: ActionDescriptor = {
  params: z.strictObject({}),
  example: {},
  plan: (_p, rb) => {
    const caddyfile = rb.proxy?.caddyfile ?? '<no [proxy]>';
    const caddy = rb.proxy?.binary ?? 'caddy';
    return [`cp -p <latest ${caddyfile}.bak.${rb.proxy?.backup_label ?? rb.runbook.name}-*> ${caddyfile}`, `${caddy} reload --config ${caddyfile} --adapter caddyfile`];
  },
  undo: { kind: 'none', reason: 'it is itself the undo of a repoint (its own backup is taken before it writes)' },
  needs: 'proxy',
  preflight: { checks: 'the Caddyfile exists and can be read (caddyfile-missing, caddyfile-unreadable)' },
};
