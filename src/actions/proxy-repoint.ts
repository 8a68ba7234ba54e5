// proxy.repoint: point the sites' reverse_proxy dials at the new upstream (backup, caddy adapt diff, validate,
// reload, confirm through the admin API; in hold mode with the hold settings). A thin wrapper over
// src/caddyfile/repoint.ts: only the sites' legacy dials move; the backup is journaled before the write; the undo
// compares the file and the live config with that backup; the cockpit previews the Caddyfile diff.
import { z } from 'zod';
import { tmpl } from '../runbook/schema.ts';
import { sitesOf, str as planStr } from '../runbook/plan-text.ts';
import { readFileSync } from 'node:fs';
import { adaptText, getConfig } from '../adapters/caddy.ts';
import { configDifferences } from '../caddyfile/semantic.ts';
import { crashPoint } from '../crash-point.ts';
import { sha256Hex } from './files.ts';
import type { ActionContext, Action, PreviewContext } from './types.ts';
import { ActionError, NoAddressError } from './types.ts';
import type { ResolvedStep } from '../engine/types.ts';
import { analyzeRepoint } from '../caddyfile/edit.ts';
import { unifiedDiff } from '../caddyfile/diff.ts';
import { upstreamFor } from '../preflight/rules.ts';
import { str } from './params.ts';
import { planRepoint, repoint, RepointError } from '../caddyfile/repoint.ts';
import { legacyMoves } from '../caddyfile/legacy.ts';
import { instanceRef } from '../runbook/instance-ref.ts';
import { caddyBackups, proxyOf, recoverUnreloaded, restoreFrom } from './checks.ts';

export const proxyRepoint: Action = {
  params: z.strictObject({
    /** Sites (hosts) to repoint; default all proxy.sites. */
    sites: z.array(z.string()).optional(),
    /** New upstream, e.g. "{{ip(\"posta\")}}:80". */
    upstream: tmpl,
  }),
  example: { upstream: '{{ip("posta")}}:80' },
  doc: {
    keys: '`upstream` (e.g. `{{ip("posta")}}:80`), `sites` (all `proxy.sites`)',
    does: "moves only the dials that point at each site's legacy container (its IPv4 from the runtime, or its name / `name.incus`, at the identity's `port`; a site no identity names: every legacy container); other upstreams, handles and sites stay byte-identical. Token-level Caddyfile edit, diff, `caddy adapt` semantic check (only the dials change), 0600 backup, atomic write, validate, reload, confirm via the admin API; any failure restores the backup",
  },
  plan: (p, rb) => {
    const caddyfile = rb.proxy?.caddyfile ?? '<no [proxy]>';
    const caddy = rb.proxy?.binary ?? 'caddy';
    const label = rb.proxy?.backup_label ?? rb.runbook.name;
    return [
      `cp -p ${caddyfile} ${caddyfile}.bak.${label}-<now>`,
      `edit reverse_proxy of ${sitesOf(p, rb).join(', ')} → ${planStr(p, 'upstream')}   (only these dials change, checked with caddy adapt)`,
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
    async run(_step, changed, ctx) {
      const p = proxyOf(ctx.runbook);
      let backupPath = typeof changed.backupPath === 'string' ? changed.backupPath : changed.reverted === false ? (caddyBackups(p.caddyfile, p.label)[0]?.path ?? null) : null;
      if (!backupPath && typeof changed.stepStartedAt === 'number') {
        // A journal from before intents were recorded: a backup taken since the step started means the file may
        // have been written (the backup always comes first); none means nothing was written.
        const since = changed.stepStartedAt;
        backupPath = caddyBackups(p.caddyfile, p.label).find((b) => b.mtimeMs >= since - 1000)?.path ?? null;
      }
      // The backup is journaled before the write: without one the file was never written by this step.
      if (!backupPath) return { summary: `${p.caddyfile}: no backup was taken by the repoint, so it never wrote the file: nothing to undo` };
      // From the world, not from the step's result: the file on disk and the live config against the backup.
      const world = await againstBackup(p, backupPath);
      const sites = Array.isArray(changed.sites) ? (changed.sites as { site: string; from: string[] }[]) : [];
      if (world.fileSame && world.liveSame) {
        const moved = await reresolveLegacy(ctx, sites);
        const summary = `${p.caddyfile} and the live config are the original (${backupPath}): nothing to undo`;
        return { summary: moved ? `${summary}; ${moved}` : summary };
      }
      const restored = await restoreFrom(ctx, backupPath);
      const moved = await reresolveLegacy(ctx, sites);
      const summary = `${world.fileSame ? 'file was the original but the live config was not' : 'file differed from the backup'}; ${restored.summary}`;
      return { summary: moved ? `${summary}; ${moved}` : summary, changed: restored.changed };
    },
  },
  needs: 'proxy',
  preflight: { checks: 'the Caddyfile exists and parses, every site and legacy dial is found, the edit adapts to the same config but the dials (the diff shown), hold settings fit, other sites dialing legacy are acknowledged' },
  async run(step, ctx) {
    const p = proxyOf(ctx.runbook);
    const upstream = await str(step, ctx, 'upstream');
    const sites = Array.isArray(step.params.sites) && step.params.sites.length ? (step.params.sites as string[]) : p.sites;
    // Only the dials that point at each site's legacy container move; their addresses come from the runtime.
    const { moves } = legacyMoves({ sites, identities: ctx.runbook.identities, instances: await ctx.runtime.list() });
    const reloadCmd = `${p.binary ?? 'caddy'} reload --config ${p.caddyfile} --adapter caddyfile`;
    let r;
    try {
      r = await repoint({
        caddyfilePath: p.caddyfile,
        sites: moves,
        newUpstream: upstream,
        mixed: p.mixed,
        admin: p.admin,
        backupLabel: p.label,
        ...(p.binary ? { caddyBinary: p.binary } : {}),
        ...(ctx.runbook.proxy?.hold ? { hold: ctx.runbook.proxy.hold } : {}),
        onProgress: (e) => {
          ctx.emit({ kind: 'progress', message: `${e.phase}: ${e.message}` });
          if (e.phase === 'write' && e.backupPath) {
            // Intent before effect: the backup is journaled before the Caddyfile is written.
            ctx.intend?.({ caddyfile: p.caddyfile, backupPath: e.backupPath, backupSha256: sha256Hex(readFileSync(e.backupPath)) });
            crashPoint('repoint:before-write', step.key);
          }
          if (e.phase === 'validate') crashPoint('repoint:after-write', step.key);
          if (e.phase === 'confirm') crashPoint('repoint:after-reload', step.key);
        },
      });
    } catch (err) {
      if (err instanceof RepointError) throw new ActionError(err.message, { caddyfile: p.caddyfile, reverted: err.reverted });
      throw err;
    }
    for (const line of r.diff.split('\n').filter(Boolean)) ctx.emit({ kind: 'output', line });
    // Nothing to change: an earlier attempt (before a crash) already repointed; its backup is the newest one.
    const backupPath = r.backupPath ?? caddyBackups(p.caddyfile, p.label)[0]?.path ?? null;
    if (!r.confirmed) throw new ActionError(`${sites.join(', ')}: the live config does not dial ${upstream} only`, { caddyfile: p.caddyfile, backupPath });
    const bySite = new Map<string, { from: string[]; to: string[] }>();
    for (const c of r.changes) {
      const cur = bySite.get(c.site) ?? { from: [], to: [] };
      cur.from.push(c.from);
      cur.to.push(c.to);
      bySite.set(c.site, cur);
    }
    return {
      summary: r.changes.length ? `${sites.length} site(s) → ${upstream}; backup ${backupPath}` : `${sites.join(', ')} already dial ${upstream}`,
      changed: { caddyfile: p.caddyfile, backupPath, sites: [...bySite].map(([site, v]) => ({ site, ...v })), reload: reloadCmd },
      ...(backupPath ? { backupPath } : {}),
    };
  },
  recover: (_step, intent, ctx) => recoverUnreloaded(intent, ctx, 'attempt'),
  preview: repointDiff,
};

const NOT_CREATED = '(upstream resolved when the step runs: target not created yet)';

/** The cockpit's preview of a repoint: the Caddyfile diff the step will make (the same planRepoint it runs). */
async function repointDiff(step: ResolvedStep, { runbook, runtime, resolve }: PreviewContext): Promise<string> {
  const proxy = runbook.proxy;
  if (!proxy) return '(the runbook has no [proxy] section)';
  // The same site selection as the proxy.repoint executor.
  const sites = Array.isArray(step.params['sites']) && step.params['sites'].length ? (step.params['sites'] as string[]) : proxy.sites;
  const instances = await runtime.list();
  const { moves } = legacyMoves({ sites, identities: runbook.identities, instances });
  let upstream: string;
  try {
    upstream = await resolve(String(step.params['upstream'] ?? ''));
  } catch (err) {
    if (!(err instanceof NoAddressError)) throw err;
    // Before the target exists: the whole diff with its address as a named placeholder (text only, as plan shows it).
    const edit = analyzeRepoint(readFileSync(proxy.caddyfile, 'utf8'), moves, upstreamFor(String(step.params['upstream'] ?? ''), instances).upstream, { mixed: proxy.mixed_upstreams ?? 'refuse' });
    const stop = edit.problems.find((p) => p.level === 'blocker');
    const head = NOT_CREATED.replace('target', `"${instanceRef(runbook, err.container)}"`);
    return stop ? `${head}\npreflight blocker: ${stop.message}\nfix: ${stop.fix}` : `${head}\n${unifiedDiff(proxy.caddyfile, readFileSync(proxy.caddyfile, 'utf8'), edit.text)}`;
  }
  const plan = await planRepoint({ caddyfilePath: proxy.caddyfile, sites: moves, newUpstream: upstream, mixed: proxy.mixed_upstreams ?? 'refuse', ...(proxy.binary ? { caddyBinary: proxy.binary } : {}), ...(proxy.hold ? { hold: proxy.hold } : {}) });
  return plan.diff || `(nothing to change: ${sites.join(', ')} already dial ${upstream})`;
}

/** How long the re-resolve waits for a legacy container the rollback started to get an address. */
const ADDRESS_WAIT_MS = 30_000;

/**
 * After the restore: a legacy container restarted by the rollback may have come back with another address (a
 * lost DHCP lease). The restored dials are compared with the runtime's addresses now; a site whose legacy IP
 * changed is repointed to the new one (the file is then not byte-identical, and the summary says why).
 */
async function reresolveLegacy(ctx: ActionContext, sites: { site: string; from: string[] }[]): Promise<string | null> {
  const p = proxyOf(ctx.runbook);
  let instances = await ctx.runtime.list();
  const notes: string[] = [];
  for (const s of sites) {
    const host = s.site.replace(/^https?:\/\//, '').replace(/:\d+$/, '').toLowerCase();
    const id = ctx.runbook.identities.find((i) => i.host.toLowerCase() === host);
    if (!id) continue;
    // A container the rollback just started may not have its (DHCP) address yet: wait for it, bounded.
    for (const until = Date.now() + ADDRESS_WAIT_MS; ; ) {
      const inst = instances.find((i) => i.name === id.legacy_container);
      if (!inst || inst.status !== 'Running' || inst.ipv4 || Date.now() > until) break;
      await new Promise((r) => setTimeout(r, 500));
      instances = await ctx.runtime.list();
    }
    const now = instances.find((i) => i.name === id.legacy_container)?.ipv4;
    for (const dial of s.from) {
      const m = /^(\d+\.\d+\.\d+\.\d+):(\d+)$/.exec(dial);
      if (!m || !now || m[1] === now) continue;
      const to = `${now}:${m[2]}`;
      ctx.emit({ kind: 'output', line: `${instanceRef(ctx.runbook, id.legacy_container)} came back with ${now} (was ${m[1]}): ${s.site} ${dial} → ${to}` });
      const site = p.sites.find((x) => x.replace(/^https?:\/\//, '').replace(/:\d+$/, '').toLowerCase() === host) ?? host;
      const r = await repoint({ caddyfilePath: p.caddyfile, sites: [{ host: site, legacy: [dial], container: id.legacy_container }], newUpstream: to, mixed: p.mixed, admin: p.admin, backupLabel: `${p.label}-reresolve`, ...(p.binary ? { caddyBinary: p.binary } : {}) });
      if (!r.confirmed) throw new ActionError(`${s.site}: restored, but the live config does not dial ${id.legacy_container}'s new address ${to}`);
      notes.push(`${s.site} ${dial} → ${to}`);
    }
  }
  return notes.length ? `legacy addresses re-resolved (the restored file dialled addresses the containers no longer have): ${notes.join(', ')}` : null;
}

/** The Caddyfile on disk and the live config, each compared with the repoint's backup. */
async function againstBackup(p: ReturnType<typeof proxyOf>, backupPath: string): Promise<{ fileSame: boolean; liveSame: boolean }> {
  const backup = readFileSync(backupPath);
  const fileSame = readFileSync(p.caddyfile).equals(backup);
  const [expected, live] = await Promise.all([adaptText(backup.toString('utf8'), p.caddyfile, p.binary), getConfig(p.admin)]);
  return { fileSame, liveSame: configDifferences(expected.config, live.config).length === 0 };
}
