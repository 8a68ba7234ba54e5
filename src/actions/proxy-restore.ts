// proxy.restore: the effect half of the action (descriptor: src/runbook/actions/proxy-restore.ts). The newest
// Caddyfile backup of this runbook put back, validated and reloaded.
import type { ActionExecutor } from './types.ts';
import { ActionError } from './types.ts';
import { caddyBackups, proxyOf, restoreFrom } from './checks.ts';

export const proxyRestore: ActionExecutor = {
  async run(_step, ctx) {
    const p = proxyOf(ctx.runbook);
    const latest = caddyBackups(p.caddyfile, p.label)[0];
    if (!latest) throw new ActionError(`no backup ${p.caddyfile}.bak.${p.label}-* to restore from`);
    return restoreFrom(ctx, latest.path);
  },
};
