// Safe repoint of Caddy site upstreams: edit → diff → semantic check → backup → atomic write → validate →
// concurrent-change check → reload → confirm through the admin API. Any failure after the write restores the
// backup, reloads and confirms the old config is live again before reporting.
import { readFileSync } from 'node:fs';
import { adapt, adaptText, adminAddress, getConfig, reload, validate } from '../adapters/caddy.ts';
import { unifiedDiff } from './diff.ts';
import { CaddyfileEditError, repointUpstreams, type MixedPolicy, type SiteMove, type UpstreamChange } from './edit.ts';
import { ownershipOf, writeBackup, writeFileAtomic } from './files.ts';
import { configDifferences, unintendedDifferences } from './semantic.ts';
import { addHold, hasHoldLines, holdState, removeHold, withoutHold } from './hold.ts';
import { CaddyfileSyntaxError } from './lexer.ts';

export type RepointPhase = 'plan' | 'check' | 'backup' | 'write' | 'validate' | 'reload' | 'confirm' | 'revert' | 'done';
export interface RepointProgress {
  phase: RepointPhase;
  message: string;
  /** On 'write': the backup just taken (the caller journals it before the file is written). */
  backupPath?: string;
}

export class RepointError extends Error {
  override name = 'RepointError';
  constructor(
    message: string,
    /** true: the old config is confirmed live again; false: the revert itself failed; null: nothing was changed. */
    readonly reverted: boolean | null = null,
    /** For a refused edit: the 1-based line and the fix. */
    readonly line: number | null = null,
    readonly fix: string | null = null,
  ) {
    super(message);
  }
}

export interface RepointPlan {
  oldText: string;
  newText: string;
  changes: UpstreamChange[];
  diff: string;
}

interface PlanOptions {
  caddyfilePath: string;
  /** The sites to repoint, each with the dials of its legacy container: only those dials move. */
  sites: SiteMove[];
  newUpstream: string;
  mixed?: MixedPolicy;
  caddyBinary?: string;
  /** Hold mode: the sites' reverse_proxy also gets the hold settings (lb_try_duration of this long, …). */
  hold?: string;
}

const hostsOf = (sites: SiteMove[]) => sites.map((s) => s.host);

const list = (items: string[]) => items.map((i) => `  - ${i}`).join('\n');

/** The intended change is live (or in `config`): the legacy dials moved and, in hold mode, every handler holds. */
function notIntended(oldConfig: unknown, newConfig: unknown, o: PlanOptions): string[] {
  const hosts = hostsOf(o.sites);
  const strip = (c: unknown) => (o.hold ? withoutHold(c, hosts) : c);
  const out = unintendedDifferences(strip(oldConfig), strip(newConfig), o.sites, o.newUpstream, o.mixed);
  if (o.hold) {
    const { held, total } = holdState(newConfig, hosts);
    if (held < total) out.push(`hold: ${total - held} of ${total} reverse_proxy handler(s) of ${hosts.join(', ')} have no lb_try_duration`);
  }
  return out;
}

async function prepare(o: PlanOptions) {
  const raw = readFileSync(o.caddyfilePath);
  const oldText = raw.toString('utf8');
  let text;
  let changes;
  try {
    // A file that already holds (an interrupted attempt) is edited from its form without the hold lines.
    const base = o.hold && hasHoldLines(oldText) ? removeHold(oldText) : oldText;
    const edit = repointUpstreams(base, o.sites, o.newUpstream, { mixed: o.mixed ?? 'refuse' });
    text = o.hold ? addHold(edit.text, hostsOf(o.sites), o.hold) : edit.text;
    changes = edit.changes;
  } catch (err) {
    if (err instanceof CaddyfileEditError) throw new RepointError(`${o.caddyfilePath}${err.line ? `:${err.line}` : ''}: ${err.message}${err.fix ? `\nfix: ${err.fix}` : ''}`, null, err.line, err.fix);
    if (err instanceof CaddyfileSyntaxError) throw new RepointError(`${o.caddyfilePath}:${err.line}: ${err.message}`, null, err.line);
    throw err;
  }
  const plan: RepointPlan = { oldText, newText: text, changes, diff: unifiedDiff(o.caddyfilePath, oldText, text) };
  // Both adapts at once: each is a caddy process, and a repoint runs inside the outage window.
  const changed = plan.newText !== plan.oldText;
  const [adaptedOld, adaptedNew] = await Promise.all([adapt(o.caddyfilePath, o.caddyBinary), changed ? adaptText(plan.newText, o.caddyfilePath, o.caddyBinary) : null]);
  const oldConfig = adaptedOld.config;
  if (adaptedNew) {
    const extra = notIntended(oldConfig, adaptedNew.config, o);
    if (extra.length) throw new RepointError(`${o.caddyfilePath}: refusing the edit: caddy adapt shows changes beyond the intended upstreams${o.hold ? ' and hold settings' : ''}:\n${list(extra)}`);
  }
  return { plan, raw, oldConfig };
}

/** The edit, its diff and the semantic check, without writing anything (used by `plan` and the diff view). */
export async function planRepoint(o: PlanOptions): Promise<RepointPlan> {
  return (await prepare(o)).plan;
}

export interface RepointOptions extends PlanOptions {
  admin: string;
  backupLabel: string;
  now?: () => Date;
  onProgress?: (p: RepointProgress) => void;
}

export interface RepointResult {
  changes: UpstreamChange[];
  diff: string;
  /** null when nothing needed to change. */
  backupPath: string | null;
  /** The admin API shows every site dialling the new upstream. */
  confirmed: boolean;
}

const sameLive = (a: { config: unknown; etag?: string }, b: { config: unknown; etag?: string }) =>
  a.etag && b.etag ? a.etag === b.etag : configDifferences(a.config, b.config).length === 0;

export async function repoint(o: RepointOptions): Promise<RepointResult> {
  const progress = (phase: RepointPhase, message: string, backupPath?: string) => o.onProgress?.({ phase, message, ...(backupPath ? { backupPath } : {}) });
  const path = o.caddyfilePath;
  adminAddress(o.admin);
  progress('plan', `reading the live config and planning the edit of ${path}`);
  const before = await getConfig(o.admin);
  const { plan, raw, oldConfig } = await prepare(o);

  progress('check', 'comparing the live config with the Caddyfile on disk');
  const drift = configDifferences(oldConfig, before.config);
  if (drift.length) {
    throw new RepointError(`${path}: refusing to reload: the live Caddy config differs from this file (edited without reload, or changed through the admin API), so a reload would also apply:\n${list(drift)}`);
  }
  if (plan.newText === plan.oldText) {
    const extra = notIntended(before.config, before.config, o);
    progress('done', `${hostsOf(o.sites).join(', ')} already point at ${o.newUpstream}; nothing to change`);
    return { changes: [], diff: '', backupPath: null, confirmed: extra.length === 0 };
  }

  const r = await writeReloadConfirm(o, raw, plan.newText, before, `${plan.changes.length} upstream change(s)${o.hold ? ' + hold settings' : ''}`, (after) => notIntended(before.config, after, o));
  progress('done', `${hostsOf(o.sites).join(', ')}: legacy dials now ${o.newUpstream}${o.hold ? ` (holding requests up to ${o.hold})` : ''}; backup ${r.backupPath}`);
  return { changes: plan.changes, diff: plan.diff, backupPath: r.backupPath, confirmed: true };
}

interface WriteOptions {
  caddyfilePath: string;
  admin: string;
  backupLabel: string;
  caddyBinary?: string;
  now?: () => Date;
  onProgress?: (p: RepointProgress) => void;
}

/**
 * Backup, atomic write, validate, concurrent-change check, reload, confirm (`wrong(liveAfter)` lists what is not
 * as intended). Any failure after the write restores the backup, reloads and confirms the old config is live.
 */
async function writeReloadConfirm(o: WriteOptions, raw: Buffer, newText: string, before: { config: unknown; etag?: string }, what: string, wrong: (after: unknown) => string[]): Promise<{ backupPath: string }> {
  const progress = (phase: RepointPhase, message: string, backupPath?: string) => o.onProgress?.({ phase, message, ...(backupPath ? { backupPath } : {}) });
  const path = o.caddyfilePath;
  progress('backup', `backing up ${path}`);
  const owner = ownershipOf(path);
  const backupPath = writeBackup(path, o.backupLabel, raw, (o.now ?? (() => new Date()))());
  if (!readFileSync(path).equals(raw)) throw new RepointError(`${path} changed while the edit was being planned (someone else is editing it); nothing was written. Backup of the version read: ${backupPath}`);

  progress('write', `writing ${path} (${what})`, backupPath);
  writeFileAtomic(path, Buffer.from(newText, 'utf8'), owner);

  const restoreFile = () => writeFileAtomic(path, raw, owner);
  const revert = async (failure: string): Promise<never> => {
    progress('revert', `${failure}; restoring ${backupPath} and reloading`);
    try {
      restoreFile();
      await reload(path, o.admin, o.caddyBinary);
      const live = await getConfig(o.admin);
      const left = configDifferences(before.config, live.config);
      if (left.length) throw new Error(`after the revert the live config still differs from before:\n${list(left)}`);
    } catch (err) {
      throw new RepointError(
        `${failure}. REVERT FAILED: ${(err as Error).message}\n` +
          `The live Caddy config may still be the new one. Do now: cp -p ${backupPath} ${path} && caddy reload --adapter caddyfile --config ${path} --address ${adminAddress(o.admin).address}`,
        false,
      );
    }
    throw new RepointError(`${failure}. Reverted: ${path} restored from ${backupPath}, reloaded, and the old config is confirmed live again.`, true);
  };

  progress('validate', `caddy validate ${path}`);
  try {
    await validate(path, o.caddyBinary);
  } catch (err) {
    return revert((err as Error).message);
  }

  const justBefore = await getConfig(o.admin).catch((err: Error) => revert(err.message));
  if (!sameLive(before, justBefore)) {
    restoreFile();
    const changed = configDifferences(before.config, justBefore.config);
    throw new RepointError(
      `${path}: the live Caddy config changed while the ${what.startsWith('hold') ? 'edit' : 'repoint'} was running (someone else changed it${before.etag ? `; ETag ${before.etag} → ${justBefore.etag}` : ''}):\n${list(changed)}\n` +
        `Not reloaded, so their change stays live; ${path} is restored to what it was (backup ${backupPath}). Re-run the step once the other change is settled.`,
      null,
    );
  }

  progress('reload', `caddy reload (admin ${o.admin})`);
  try {
    await reload(path, o.admin, o.caddyBinary);
  } catch (err) {
    return revert((err as Error).message);
  }

  progress('confirm', 'confirming the new config through the admin API');
  let after;
  try {
    after = await getConfig(o.admin);
  } catch (err) {
    return revert(`confirmation failed: ${(err as Error).message}`);
  }
  const bad = wrong(after.config);
  if (bad.length) return revert(`confirmation failed: the live config after the reload is not the intended change:\n${list(bad)}`);
  return { backupPath };
}

export interface ReleaseOptions extends WriteOptions {
  /** The sites whose hold settings come out. */
  hosts: string[];
}

export interface ReleaseResult {
  /** null when there was no hold to take out. */
  backupPath: string | null;
  diff: string;
}

/**
 * Hold mode's last reload: the hold lines come out of the Caddyfile (only the hold settings of `hosts` change,
 * checked with caddy adapt), then validate, reload, confirm. The caller makes sure nothing is held first: any
 * reload fails the requests Caddy is holding.
 */
export async function releaseHold(o: ReleaseOptions): Promise<ReleaseResult> {
  const progress = (phase: RepointPhase, message: string) => o.onProgress?.({ phase, message });
  const path = o.caddyfilePath;
  adminAddress(o.admin);
  progress('plan', `reading the live config and planning the removal of the hold from ${path}`);
  const before = await getConfig(o.admin);
  const raw = readFileSync(path);
  const oldText = raw.toString('utf8');
  const newText = removeHold(oldText);
  const [adaptedOld, adaptedNew] = await Promise.all([adapt(path, o.caddyBinary), newText !== oldText ? adaptText(newText, path, o.caddyBinary) : null]);
  progress('check', 'comparing the live config with the Caddyfile on disk');
  const drift = configDifferences(adaptedOld.config, before.config);
  if (drift.length) throw new RepointError(`${path}: refusing to reload: the live Caddy config differs from this file (edited without reload, or changed through the admin API), so a reload would also apply:\n${list(drift)}`);
  const expected = withoutHold(before.config, o.hosts);
  if (!adaptedNew) {
    const left = holdState(before.config, o.hosts).held;
    if (left) throw new RepointError(`${path} has no hold lines (${'#cutover:hold'}), but the live config still holds requests in ${left} handler(s) of ${o.hosts.join(', ')}: take lb_try_duration out by hand`);
    progress('done', `${o.hosts.join(', ')} hold nothing; nothing to change`);
    return { backupPath: null, diff: '' };
  }
  const wrong = (c: unknown) => beyondHold(expected, c, o.hosts, 'released');
  const extra = wrong(adaptedNew.config);
  if (extra.length) throw new RepointError(`${path}: refusing the edit: caddy adapt shows changes beyond the hold settings of ${o.hosts.join(', ')}:\n${list(extra)}`);
  const r = await writeReloadConfirm(o, raw, newText, before, 'hold settings removed', wrong);
  progress('done', `${o.hosts.join(', ')}: hold settings removed; backup ${r.backupPath}`);
  return { backupPath: r.backupPath, diff: unifiedDiff(path, oldText, newText) };
}

/**
 * What `config` changes beyond the hold settings of `hosts`: against `expected` (a config already without them)
 * it is compared without them too, so a dial_timeout of the operator's own transport, which addHold leaves alone,
 * compares equal; and every handler of `hosts` not in the hold state wanted.
 */
function beyondHold(expected: unknown, config: unknown, hosts: string[], want: 'held' | 'released'): string[] {
  const out = configDifferences(expected, withoutHold(config, hosts));
  const { held, total } = holdState(config, hosts);
  if (want === 'held' && held < total) out.push(`hold: ${total - held} of ${total} handler(s) of ${hosts.join(', ')} do not hold`);
  if (want === 'released' && held) out.push(`hold: ${held} handler(s) of ${hosts.join(', ')} still hold requests (lb_try_duration)`);
  return out;
}

/** Puts the hold settings into `hosts` of the Caddyfile text `from` (a backup) and makes that live: the mirror of releaseHold. */
export async function holdFrom(o: ReleaseOptions & { fromText: string; duration: string }): Promise<{ backupPath: string | null }> {
  const path = o.caddyfilePath;
  adminAddress(o.admin);
  const before = await getConfig(o.admin);
  const raw = readFileSync(path);
  let newText;
  try {
    newText = addHold(hasHoldLines(o.fromText) ? removeHold(o.fromText) : o.fromText, o.hosts, o.duration);
  } catch (err) {
    if (err instanceof CaddyfileSyntaxError) throw new RepointError(`${path}:${err.line}: ${err.message}`, null, err.line);
    throw err;
  }
  const [fromConfig, adaptedNew] = await Promise.all([adaptText(o.fromText, path, o.caddyBinary), adaptText(newText, path, o.caddyBinary)]);
  const expected = withoutHold(fromConfig.config, o.hosts);
  const wrong = (c: unknown) => beyondHold(expected, c, o.hosts, 'held');
  const extra = wrong(adaptedNew.config);
  if (extra.length) throw new RepointError(`${path}: refusing the edit: caddy adapt shows changes beyond the hold settings:\n${list(extra)}`);
  if (raw.toString('utf8') === newText && !wrong(before.config).length) return { backupPath: null };
  return writeReloadConfirm(o, raw, newText, before, 'hold settings added', wrong);
}

export interface RestoreOptions {
  caddyfilePath: string;
  backupPath: string;
  admin: string;
  caddyBinary?: string;
  onProgress?: (p: RepointProgress) => void;
}

/**
 * Rollback of a repoint: the Caddyfile becomes byte-identical to the backup (atomically, keeping the current
 * owner and mode), then validate, reload, and confirm the live config is the backup's.
 */
export async function restoreCaddyfile(o: RestoreOptions): Promise<{ confirmed: boolean }> {
  const progress = (phase: RepointPhase, message: string) => o.onProgress?.({ phase, message });
  const path = o.caddyfilePath;
  adminAddress(o.admin);
  const data = readFileSync(o.backupPath);
  progress('write', `restoring ${path} from ${o.backupPath}`);
  let owner;
  try {
    owner = ownershipOf(path);
  } catch {
    owner = { mode: 0o644, uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
  }
  writeFileAtomic(path, data, owner);
  progress('validate', `caddy validate ${path}`);
  await validate(path, o.caddyBinary);
  progress('reload', `caddy reload (admin ${o.admin})`);
  await reload(path, o.admin, o.caddyBinary);
  progress('confirm', 'confirming the restored config through the admin API');
  const [expected, live] = await Promise.all([adapt(path, o.caddyBinary), getConfig(o.admin)]);
  const left = configDifferences(expected.config, live.config);
  if (left.length) throw new RepointError(`${path} restored from ${o.backupPath} and reloaded, but the live config differs from it:\n${list(left)}`, false);
  progress('done', `${path} restored from ${o.backupPath}; live config confirmed`);
  return { confirmed: true };
}
