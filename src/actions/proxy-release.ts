// proxy.release (hold mode, issue 22): the last reload of a hold-mode cutover. Any Caddy reload fails the requests
// Caddy is holding, so it first waits until every upstream the sites dial accepts connections (the new daemon
// answers), then until every request held before that has had its next try, and only then takes the hold settings
// out (backup, caddy adapt: only the hold settings change, validate, reload, confirm). Its undo is the mirror for a
// rollback: the sites point back at the original (pre-repoint) dials WITH the hold settings, so the rollback's stop
// of the new daemon and start of the legacy ones fail no request; the repoint's own undo (the original file,
// restored once the legacy daemons answer) takes the hold out again.
import { z } from 'zod';
import { sitesOf } from '../runbook/plan-text.ts';
import { readFileSync } from 'node:fs';
import { adaptText, getConfig } from '../adapters/caddy.ts';
import { dialsByHost } from '../caddyfile/dials.ts';
import { addHold, hasHoldLines, holdQuietMs, removeHold } from '../caddyfile/hold.ts';
import { holdFrom, releaseHold, RepointError } from '../caddyfile/repoint.ts';
import { configDifferences } from '../caddyfile/semantic.ts';
import { hostOfAddress } from '../caddyfile/parse.ts';
import { parseDuration } from '../engine/duration.ts';
import type { ActionContext, Action } from './types.ts';
import { ActionError } from './types.ts';
import { caddyBackups, proxyOf, recoverUnreloaded } from './checks.ts';
import { canConnect, sleep } from './inside.ts';
import { crashPoint } from '../crash-point.ts';

function holdOf(ctx: ActionContext): string {
  const hold = ctx.runbook.proxy?.hold;
  if (!hold) throw new ActionError('proxy.release needs [proxy] hold (hold mode) in the runbook');
  return hold;
}

const hostsOf = (sites: string[]) => sites.map((s) => (hostOfAddress(s) ?? s).toLowerCase());

function accepts(dial: string): Promise<boolean> {
  const m = /^(.*):(\d+)$/.exec(dial);
  return m ? canConnect(m[1]!.replace(/^\[|\]$/g, ''), Number(m[2])) : Promise.resolve(false);
}

/** Waits until every dial of `hosts` in the live config accepts connections; the dials that never did. */
async function waitForUpstreams(ctx: ActionContext, admin: string, hosts: string[], timeoutMs: number): Promise<{ dials: string[]; silent: string[] }> {
  const live = dialsByHost((await getConfig(admin)).config);
  const dials = [...new Set(hosts.flatMap((h) => live.get(h) ?? []))];
  const until = Date.now() + timeoutMs;
  let silent = dials;
  for (;;) {
    const answers = await Promise.all(silent.map((d) => accepts(d)));
    silent = silent.filter((_, i) => !answers[i]);
    if (!silent.length || Date.now() > until || ctx.signal?.aborted) return { dials, silent };
    await sleep(100);
  }
}

export const proxyRelease: Action = {
  /** Hold mode: takes the hold settings out of the sites once every upstream they dial answers (one reload). */
  params: z.strictObject({
    /** Sites (hosts); default all proxy.sites. */
    sites: z.array(z.string()).optional(),
  }),
  example: {},
  doc: {
    keys: '`sites` (all `proxy.sites`)',
    does: "hold mode only: waits until every upstream the sites dial accepts connections and every request held before that has had its next try, then takes the hold lines (`#cutover:hold`) out: backup, `caddy adapt` (only the hold settings change), validate, one reload, confirm. Undo (`rollback = \"auto\"`): the sites dial the original (pre-repoint) upstreams again *with* the hold settings, so the rollback's stop of the new daemon and start of the legacy ones fail no request; the repoint's undo takes the hold out",
  },
  plan: (p, rb) => {
    const caddyfile = rb.proxy?.caddyfile ?? '<no [proxy]>';
    const caddy = rb.proxy?.binary ?? 'caddy';
    return [
      `wait until every upstream of ${sitesOf(p, rb).join(', ')} accepts connections, then until nothing is held`,
      `remove the hold lines (#cutover:hold) from ${caddyfile}; backup, caddy adapt (only the hold settings change), validate`,
      `${caddy} reload --config ${caddyfile} --adapter caddyfile`,
    ];
  },
  undo: {
    kind: 'auto',
    plan: () => 'auto',
    byHand: (_changed, step) => [`cutover rollback undoes ${step.action} for ${step.key}`],
    async run(step, changed, ctx) {
      const hold = holdOf(ctx);
      const p = proxyOf(ctx.runbook);
      const original = typeof changed.original === 'string' ? changed.original : null;
      const hosts = Array.isArray(changed.sites) ? (changed.sites as string[]) : hostsOf(Array.isArray(step.params.sites) && step.params.sites.length ? (step.params.sites as string[]) : p.sites);
      if (!original) return { summary: 'no backup of the file before the cutover was recorded: the repoint\'s undo restores it' };
      const fromText = readFileSync(original, 'utf8');
      // From the world: already pointing back with the hold (an interrupted rollback) means nothing to do.
      const [want, live] = await Promise.all([adaptText(addHold(hasHoldLines(fromText) ? removeHold(fromText) : fromText, hosts, hold), p.caddyfile, p.binary), getConfig(p.admin)]);
      if (!configDifferences(want.config, live.config).length) return { summary: `${p.caddyfile} already dials the original upstreams with the hold settings: nothing to undo` };
      let r;
      try {
        r = await holdFrom({
          caddyfilePath: p.caddyfile,
          admin: p.admin,
          hosts,
          backupLabel: p.label,
          fromText,
          duration: hold,
          ...(p.binary ? { caddyBinary: p.binary } : {}),
          onProgress: (e) => ctx.emit({ kind: 'progress', message: `${e.phase}: ${e.message}` }),
        });
      } catch (err) {
        if (err instanceof RepointError) throw new ActionError(err.message);
        throw err;
      }
      return {
        summary: `${hosts.join(', ')} dial the upstreams of ${original} again, holding requests up to ${hold} until those daemons answer (the repoint's undo takes the hold out)`,
        changed: { caddyfile: p.caddyfile, backupPath: r.backupPath },
      };
    },
  },
  needs: 'proxy',
  preflight: { checks: 'the hold settings fit the sites (hold problems are reported with the repoint\'s Caddyfile checks)' },
  async run(step, ctx) {
    const hold = holdOf(ctx);
    const p = proxyOf(ctx.runbook);
    const sites = Array.isArray(step.params.sites) && step.params.sites.length ? (step.params.sites as string[]) : p.sites;
    const hosts = hostsOf(sites);
    ctx.emit({ kind: 'progress', message: `waiting until every upstream of ${sites.join(', ')} accepts connections` });
    const { dials, silent } = await waitForUpstreams(ctx, p.admin, hosts, parseDuration(hold));
    if (silent.length) {
      throw new ActionError(`${silent.join(', ')} do not accept connections: Caddy may be holding requests for them, and a reload now would fail those; nothing changed (start the daemon, then run this step again)`);
    }
    // Every request held before the upstreams answered has had its next try (one interval + one dial) by now.
    await sleep(holdQuietMs());
    ctx.emit({ kind: 'output', line: `${dials.join(', ')} accept connections; nothing is held` });
    // The file before the cutover, for the undo's mirror: the newest backup without hold lines is the repoint's
    // (a re-run after a crash also finds its own earlier backup, which holds: skipped).
    const original = caddyBackups(p.caddyfile, p.label).find((b) => !hasHoldLines(readFileSync(b.path, 'utf8')))?.path ?? null;
    let r;
    try {
      r = await releaseHold({
        caddyfilePath: p.caddyfile,
        admin: p.admin,
        hosts,
        backupLabel: p.label,
        ...(p.binary ? { caddyBinary: p.binary } : {}),
        onProgress: (e) => {
          ctx.emit({ kind: 'progress', message: `${e.phase}: ${e.message}` });
          if (e.phase === 'write' && e.backupPath) {
            ctx.intend?.({ caddyfile: p.caddyfile, backupPath: e.backupPath, original });
            crashPoint('release:before-write', step.key);
          }
          if (e.phase === 'validate') crashPoint('release:after-write', step.key);
          if (e.phase === 'confirm') crashPoint('release:after-reload', step.key);
        },
      });
    } catch (err) {
      if (err instanceof RepointError) throw new ActionError(err.message, { caddyfile: p.caddyfile, reverted: err.reverted, original });
      throw err;
    }
    for (const line of r.diff.split('\n').filter(Boolean)) ctx.emit({ kind: 'output', line });
    return {
      summary: r.backupPath ? `hold settings removed from ${sites.length} site(s); backup ${r.backupPath}` : `${sites.join(', ')} held nothing`,
      changed: { caddyfile: p.caddyfile, backupPath: r.backupPath, original, sites: hosts },
      ...(r.backupPath ? { backupPath: r.backupPath } : {}),
    };
  },


  recover: (_step, intent, ctx) => recoverUnreloaded(intent, ctx, 'release'),
};
