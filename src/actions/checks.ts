// Executors that need the proxy or the checks: proxy.repoint, proxy.restore, smoke, tokens.survival,
// baseline, backup. Thin wrappers over src/caddyfile/repoint.ts, checks/* and src/backup.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { adapt, adaptText, getConfig } from '../adapters/caddy.ts';
import { configDifferences } from '../caddyfile/semantic.ts';
import { crashPoint } from '../crash-point.ts';
import { sha256Hex } from './files.ts';
import { basename, dirname, join } from 'node:path';
import type { ActionContext, ActionExecutor, PreviewContext } from './types.ts';
import { ActionError, NoAddressError } from './types.ts';
import type { ResolvedStep } from '../engine/types.ts';
import { planRepoint } from '../caddyfile/repoint.ts';
import { analyzeRepoint } from '../caddyfile/edit.ts';
import { unifiedDiff } from '../caddyfile/diff.ts';
import { upstreamFor } from '../preflight/rules.ts';
import { str, strList } from './params.ts';
import type { Runbook } from '../runbook/schema.ts';
import { repoint, restoreCaddyfile, RepointError } from '../caddyfile/repoint.ts';
import { legacyMoves } from '../caddyfile/legacy.ts';
import type { BaselineStore } from '../../checks/baseline.ts';
import { baselineSource, fingerprint } from '../../checks/baseline.ts';
import { recordBaseline } from '../../checks/baseline-record.ts';
import { derivePhase } from '../../checks/containers.ts';
import { runSmoke } from '../../checks/smoke.ts';
import { evaluateTokens, pickToken, readTokenDb, tokenDbLocation } from '../../checks/tokens.ts';
import type { TokenItem } from '../../checks/types.ts';
import { backupFiles } from '../backup/backup.ts';
import { parseClass } from '../backup/class-map.ts';
import { sleep } from './inside.ts';
import { instanceRef } from '../runbook/instance-ref.ts';

/** What the check executors need beyond the runtime ports; the runner provides it. */
export interface CheckContext extends ActionContext {
  env?: Record<string, string | undefined>;
  baselines?: BaselineStore;
  /** Token secrets read during the step: scrubbed from everything the journal writes. */
  registerSecret?(secret: string): void;
  /** The journal run the step belongs to (the baseline names it: "baseline, run #1"). */
  runId?: number;
}

const envOf = (ctx: CheckContext) => ctx.env ?? {};

export function proxyOf(runbook: Runbook) {
  const p = runbook.proxy;
  if (!p) throw new ActionError('the runbook has no [proxy] section');
  return { caddyfile: p.caddyfile, admin: p.admin, sites: p.sites, label: p.backup_label ?? runbook.runbook.name, binary: p.binary, mixed: p.mixed_upstreams ?? 'refuse' };
}

/** Caddyfile backups of this label next to the Caddyfile, newest first. */
export function caddyBackups(caddyfile: string, label: string): { path: string; mtimeMs: number }[] {
  const dir = dirname(caddyfile);
  const prefix = `${basename(caddyfile)}.bak.${label}-`;
  return readdirSync(dir)
    .filter((n) => n.startsWith(prefix))
    .map((n) => ({ path: join(dir, n), mtimeMs: statSync(join(dir, n)).mtimeMs }))
    .sort((a, b) => b.mtimeMs - a.mtimeMs || b.path.localeCompare(a.path));
}

async function loadBaseline(ctx: CheckContext, required: boolean) {
  const b = ctx.baselines ? await ctx.baselines.load() : null;
  if (!b && required) throw new ActionError('no baseline recorded: the baseline step (or cutover status --baseline) must run before the cutover');
  return b;
}

export const proxyRepoint: ActionExecutor = {
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
  async undo(_step, changed, ctx) {
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
    const head = NOT_CREATED.replace('target', `"${err.container}"`);
    return stop ? `${head}\npreflight blocker: ${stop.message}\nfix: ${stop.fix}` : `${head}\n${unifiedDiff(proxy.caddyfile, readFileSync(proxy.caddyfile, 'utf8'), edit.text)}`;
  }
  const plan = await planRepoint({ caddyfilePath: proxy.caddyfile, sites: moves, newUpstream: upstream, mixed: proxy.mixed_upstreams ?? 'refuse', ...(proxy.binary ? { caddyBinary: proxy.binary } : {}), ...(proxy.hold ? { hold: proxy.hold } : {}) });
  return plan.diff || `(nothing to change: ${sites.join(', ')} already dial ${upstream})`;
}

/** How long the re-resolve waits for a legacy container the rollback started to get an address. */
const ADDRESS_WAIT_MS = 30_000;

/**
 * Before a Caddyfile edit the driver died in is run again: written but not reloaded (the file and the live
 * config disagree), the re-run would refuse the drift, so the interrupted edit is taken back first (from the
 * journaled backup). Reloaded (they agree) or never written: nothing to do.
 */
export async function recoverUnreloaded(intent: Record<string, unknown>, ctx: ActionContext, what: string): Promise<string | null> {
  const p = proxyOf(ctx.runbook);
  const backupPath = typeof intent.backupPath === 'string' ? intent.backupPath : null;
  if (!backupPath) return null;
  const [onDisk, live] = await Promise.all([adapt(p.caddyfile, p.binary), getConfig(p.admin)]);
  if (!configDifferences(onDisk.config, live.config).length) return null;
  await restoreFrom(ctx, backupPath);
  return `${p.caddyfile} was written by the interrupted ${what} but never reloaded: restored from ${backupPath} before running it again`;
}

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

export async function restoreFrom(ctx: ActionContext, backupPath: string) {
  const p = proxyOf(ctx.runbook);
  ctx.emit({ kind: 'output', line: `restore ${p.caddyfile} from ${backupPath} (an in-process copy, mode kept), then caddy validate + reload` });
  await restoreCaddyfile({
    caddyfilePath: p.caddyfile,
    backupPath,
    admin: p.admin,
    ...(p.binary ? { caddyBinary: p.binary } : {}),
    onProgress: (e) => ctx.emit({ kind: 'progress', message: `${e.phase}: ${e.message}` }),
  });
  return { summary: `${p.caddyfile} restored from ${backupPath}, reloaded, live config confirmed`, changed: { caddyfile: p.caddyfile, backupPath } };
}

export const proxyRestore: ActionExecutor = {
  async run(_step, ctx) {
    const p = proxyOf(ctx.runbook);
    const latest = caddyBackups(p.caddyfile, p.label)[0];
    if (!latest) throw new ActionError(`no backup ${p.caddyfile}.bak.${p.label}-* to restore from`);
    return restoreFrom(ctx, latest.path);
  },
};

export const smoke: ActionExecutor = {
  async run(step, ctx: CheckContext) {
    const vantage = step.params.vantage === 'public' ? 'public' : 'local';
    const via = step.params.via === 'legacy' ? 'legacy' : 'target';
    const phase = via === 'target' ? 'after' : 'before';
    const instances = await ctx.runtime.list();
    const baseline = await loadBaseline(ctx, false);
    const env = envOf(ctx);
    const checks = Array.isArray(step.params.checks) ? (step.params.checks as string[]) : undefined;
    const identities = Array.isArray(step.params.identities) ? (step.params.identities as string[]) : undefined;
    const items = await runSmoke(ctx.runbook, ctx.http, {
      phase,
      instances,
      baseline,
      env,
      vantages: [vantage],
      via,
      ...(checks ? { checks } : {}),
      ...(identities ? { identities } : {}),
      tokenFor: async (identity) => {
        const where = tokenDbLocation(ctx.runbook, identity, phase, env);
        const read = await readTokenDb(ctx.runtime, where.container, where.path, ctx.runbook.tokens);
        const row = pickToken(read.rows);
        if (!row) throw new Error(`no device token in ${where.container}:${where.path}`);
        ctx.registerSecret?.(row.secret);
        return row.secret;
      },
      onItem: (i) => ctx.emit({ kind: 'output', line: `${i.ok ? '✓' : '✗'} ${i.identity} ${i.check} (${i.vantage}): ${i.actual}` }),
    });
    if (!items.length) throw new ActionError(`smoke: no checks matched (checks ${checks?.join(', ') ?? 'all'}, identities ${identities?.join(', ') ?? 'all'})`);
    const failed = items.filter((i) => !i.ok);
    if (failed.length) throw new ActionError(`smoke ${vantage} failed for ${[...new Set(failed.map((f) => f.identity))].join(', ')}:\n  ${failed.map((f) => f.why ?? `${f.identity} ${f.check}: ${f.actual}`).join('\n  ')}`, { vantage, items });
    const ids = new Set(items.map((i) => i.identity)).size;
    return { summary: `${items.length} ${vantage} checks ok for ${ids} identit${ids === 1 ? 'y' : 'ies'}`, changed: { vantage, items } };
  },
};

/** Active devices need a moment after the cutover to call again; survival is re-read until then. */
const SURVIVAL_WAIT_MS = 6_000;

export const tokensSurvival: ActionExecutor = {
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

export const baseline: ActionExecutor = {
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

export const backup: ActionExecutor = {
  async run(step, ctx) {
    const container = await str(step, ctx, 'container');
    const paths = await strList(step, ctx, 'paths');
    const cls = parseClass(String(step.params.class ?? 'S'), `${step.key}.class`);
    ctx.emit({ kind: 'output', line: `back up ${container}: ${paths.join(' ')} → ${ctx.backupDir} (in-process, as cutover backup does)` });
    let res;
    try {
      res = await backupFiles({
        runtime: ctx.runtime,
        container,
        paths,
        dir: ctx.backupDir,
        module: container,
        class: cls,
        onProgress: (p) => ctx.emit({ kind: 'progress', message: `${p.phase} ${p.bytes} B`, done: p.bytes, ...(p.totalBytes ? { total: p.totalBytes } : {}) }),
      });
    } catch (err) {
      throw new ActionError(`backup of ${container}: ${(err as Error).message}`);
    }
    const file = res.manifest.files[0];
    if (!file) throw new ActionError(`backup of ${container}: the manifest lists no file`);
    const archive = join(dirname(res.manifestPath), file.name);
    ctx.emit({ kind: 'output', line: `${archive} ${file.size} B sha256 ${file.sha256.slice(0, 12)}…` });
    return {
      summary: `${container}: ${paths.length} path(s) → ${archive} (${file.size} B)`,
      changed: { container, paths, archive, size: file.size, sha256: file.sha256, manifest: res.manifestPath },
      backupPath: archive,
    };
  },
};
