// proxy.restore: the newest Caddyfile backup of this runbook put back, validated and reloaded (a rollback step).
import { z } from 'zod';
import type { Action } from './types.ts';
import { ActionError } from './types.ts';
import { caddyBackups, proxyOf, restoreFrom } from './checks.ts';

export const proxyRestore: Action = {
  params: z.strictObject({}),
  example: {},
  doc: {
    keys: '—',
    does: "restore the Caddyfile from this run's backup, validate, reload, confirm",
  },
  plan: (_p, rb) => {
    const caddyfile = rb.proxy?.caddyfile ?? '<no [proxy]>';
    const caddy = rb.proxy?.binary ?? 'caddy';
    return [`cp -p <latest ${caddyfile}.bak.${rb.proxy?.backup_label ?? rb.runbook.name}-*> ${caddyfile}`, `${caddy} reload --config ${caddyfile} --adapter caddyfile`];
  },
  undo: { kind: 'none', reason: 'it is itself the undo of a repoint (its own backup is taken before it writes)' },
  needs: 'proxy',
  preflight: { checks: 'the Caddyfile exists and can be read (caddyfile-missing, caddyfile-unreadable)' },
  async run(_step, ctx) {
    const p = proxyOf(ctx.runbook);
    const latest = caddyBackups(p.caddyfile, p.label)[0];
    if (!latest) throw new ActionError(`no backup ${p.caddyfile}.bak.${p.label}-* to restore from`);
    return restoreFrom(ctx, latest.path);
  },
};
