// What the proxy and check actions share: the context the runner gives them (baselines, the journal run), the
// runbook's [proxy] settings, the Caddyfile backups, restoring one (proxy.restore, the repoint's undo) and taking
// back an edit the driver died in before it was reloaded (proxy.repoint, proxy.release).
import { readdirSync, statSync } from 'node:fs';
import { adapt, getConfig } from '../adapters/caddy.ts';
import { configDifferences } from '../caddyfile/semantic.ts';
import { basename, dirname, join } from 'node:path';
import type { ActionContext } from './types.ts';
import { ActionError } from './types.ts';
import type { Runbook } from '../runbook/schema.ts';
import { restoreCaddyfile } from '../caddyfile/repoint.ts';
import type { BaselineStore } from '../../checks/baseline.ts';

/** What the check executors need beyond the runtime ports; the runner provides it. */
export interface CheckContext extends ActionContext {
  env?: Record<string, string | undefined>;
  baselines?: BaselineStore;
  /** Token secrets read during the step: scrubbed from everything the journal writes. */
  registerSecret?(secret: string): void;
  /** The journal run the step belongs to (the baseline names it: "baseline, run #1"). */
  runId?: number;
}

export const envOf = (ctx: CheckContext) => ctx.env ?? {};

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

export async function loadBaseline(ctx: CheckContext, required: boolean) {
  const b = ctx.baselines ? await ctx.baselines.load() : null;
  if (!b && required) throw new ActionError('no baseline recorded: the baseline step (or cutover status --baseline) must run before the cutover');
  return b;
}

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
