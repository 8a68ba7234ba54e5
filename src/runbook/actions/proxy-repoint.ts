// proxy.repoint: point the sites' reverse_proxy dials at the new upstream (backup, caddy adapt diff, validate,
// reload, confirm through the admin API; in hold mode with the hold settings).
import { z } from 'zod';
import { tmpl } from '../schema.ts';
import type { ActionDescriptor } from './types.ts';
import { sitesOf, str } from './plan-text.ts';

export const proxyRepoint: ActionDescriptor = {
  params: z.strictObject({
    /** Sites (hosts) to repoint; default all proxy.sites. */
    sites: z.array(z.string()).optional(),
    /** New upstream, e.g. "{{ip(\"posta\")}}:80". */
    upstream: tmpl,
  }),
  example: { upstream: '{{ip("posta")}}:80' },
  plan: (p, rb) => {
    const caddyfile = rb.proxy?.caddyfile ?? '<no [proxy]>';
    const caddy = rb.proxy?.binary ?? 'caddy';
    const label = rb.proxy?.backup_label ?? rb.runbook.name;
    return [
      `cp -p ${caddyfile} ${caddyfile}.bak.${label}-<now>`,
      `edit reverse_proxy of ${sitesOf(p, rb).join(', ')} → ${str(p, 'upstream')}   (only these dials change, checked with caddy adapt)`,
      ...(rb.proxy?.hold ? [`hold: add lb_try_duration ${rb.proxy.hold}, lb_try_interval, transport dial_timeout to them (Caddy holds requests until the new daemon answers)`] : []),
      `${caddy} validate --config ${caddyfile} --adapter caddyfile`,
      `${caddy} reload --config ${caddyfile} --adapter caddyfile`,
      `confirm through ${rb.proxy?.admin ?? 'the admin API'}/config/ and /reverse_proxy/upstreams; restore the backup on failure`,
    ];
  },
  undo: {
    kind: 'auto',
    plan: (_step, rb) => `auto: restore ${rb.proxy?.caddyfile ?? 'the Caddyfile'} from its backup, reload`,
    byHand: (changed) => {
      const c = changed as { caddyfile: string; backupPath?: string } | null;
      if (!c?.backupPath) return ['restore the Caddyfile from its backup (no backup path recorded!), then caddy validate + reload'];
      const f = c.caddyfile;
      return [`cp -p ${c.backupPath} ${f}`, `caddy validate --config ${f} --adapter caddyfile`, `caddy reload --config ${f} --adapter caddyfile`];
    },
  },
  needs: 'proxy',
  preflight: { checks: 'the Caddyfile exists and parses, every site and legacy dial is found, the edit adapts to the same config but the dials (the diff shown), hold settings fit, other sites dialing legacy are acknowledged' },
};
