// Backups kept per run, and how long: the backups under STATE/backups are the only copies a run keeps (its
// scratch copies under STATE/work are removed once their push is verified). A run's backups are the ones its
// journal names; they are kept while the run can still be rolled back, and `cutover journal --prune` removes
// the others (journaled first, with the files).
import { existsSync, readdirSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import { describeHolder, currentHolder } from './holder.ts';
import { runChanges } from './changes.ts';
import type { ActionCatalog } from '../runbook/catalog.ts';
import type { Journal } from './journal.ts';
import type { RunRecord } from './types.ts';

export interface RunBackups {
  runId: number;
  /** Files under STATE/backups the run's journal names, with their size now (null: gone). */
  files: { path: string; bytes: number | null }[];
  /** Bytes still on disk. */
  bytes: number;
  /** kept: needed while the run can be rolled back (or its archive is the only copy); prunable; none: no backup on disk. */
  retention: 'kept' | 'prunable' | 'none';
  why: string;
}

/** Every absolute path under `dir` that a JSON value mentions. */
function pathsUnder(value: unknown, dir: string, out: Set<string>): void {
  if (typeof value === 'string') {
    if (value.startsWith(dir + sep)) out.add(value);
  } else if (Array.isArray(value)) {
    for (const v of value) pathsUnder(v, dir, out);
  } else if (value && typeof value === 'object') {
    for (const v of Object.values(value)) pathsUnder(v, dir, out);
  }
}

export function backupsDir(stateDir: string): string {
  return join(stateDir, 'backups');
}

/** The backup files one run's journal names (archives, manifests, pre-change copies), sorted. */
export function runBackupFiles(journal: Journal, runId: number, stateDir: string): string[] {
  const dir = backupsDir(stateDir);
  const out = new Set<string>();
  for (const e of journal.events(runId)) {
    if (e.kind === 'note' && e.state === 'pruned') continue;
    pathsUnder([e.backupPath, e.changed, e.detail], dir, out);
  }
  // A run's own folder of pre-change copies (file.write), named after its work dir.
  const own = join(dir, `run-${runId}`);
  if (existsSync(own)) for (const f of walk(own)) out.add(f);
  return [...out].sort();
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

/** Why a run's backups must stay, or null when they may be pruned (with why in `prunable`). */
function keepReason(journal: Journal, r: RunRecord, runs: RunRecord[], catalog: ActionCatalog): { keep: string | null; prunable: string } {
  if (r.endedAt === null) return { keep: 'unfinished: resume it or roll it back first', prunable: '' };
  if (r.mode === 'decommission') return { keep: 'its archives are the only copy of what it deleted: remove them by hand when you are sure', prunable: '' };
  if (r.outcome === 'rolled-back') return { keep: null, prunable: 'rolled back' };
  if (r.outcome === 'abandoned') return { keep: null, prunable: 'abandoned' };
  if (!runChanges(journal, r.id, catalog).length) return { keep: null, prunable: 'changed nothing' };
  const decommissioned = runs.find((x) => x.id > r.id && x.mode === 'decommission' && x.outcome === 'succeeded');
  if (decommissioned) return { keep: null, prunable: `the legacy side was decommissioned by run #${decommissioned.id}` };
  return { keep: `can still be rolled back (cutover rollback --run ${r.id})`, prunable: '' };
}

export function runRetention(journal: Journal, stateDir: string, catalog: ActionCatalog, runs = journal.runs()): RunBackups[] {
  return runs.map((r) => {
    const files = runBackupFiles(journal, r.id, stateDir).map((path) => ({ path, bytes: existsSync(path) ? statSync(path).size : null }));
    const present = files.filter((f) => f.bytes !== null);
    const bytes = present.reduce((n, f) => n + f.bytes!, 0);
    const { keep, prunable } = keepReason(journal, r, runs, catalog);
    if (!present.length) return { runId: r.id, files, bytes, retention: 'none', why: files.length ? 'pruned' : 'no backups' };
    return keep ? { runId: r.id, files, bytes, retention: 'kept', why: keep } : { runId: r.id, files, bytes, retention: 'prunable', why: prunable };
  });
}

export interface PruneResult {
  pruned: RunBackups[];
  kept: RunBackups[];
}

/**
 * Removes the backups of runs that can no longer be rolled back (ended longer ago than `olderThanMs` when
 * given). Each run's prune is journaled with its files before they are removed. `dryRun` only reports.
 */
export function pruneBackups(journal: Journal, stateDir: string, catalog: ActionCatalog, opts: { olderThanMs?: number; dryRun?: boolean } = {}): PruneResult {
  const now = journal.clock.now();
  const runs = journal.runs();
  const pruned: RunBackups[] = [];
  const kept: RunBackups[] = [];
  for (const b of runRetention(journal, stateDir, catalog, runs)) {
    if (b.retention === 'none') continue;
    const r = runs.find((x) => x.id === b.runId)!;
    if (b.retention === 'kept') {
      kept.push(b);
      continue;
    }
    if (opts.olderThanMs !== undefined && (r.endedAt === null || now - r.endedAt < opts.olderThanMs)) {
      kept.push({ ...b, retention: 'kept', why: `ended less than --older-than ago (${b.why})` });
      continue;
    }
    pruned.push(b);
    if (opts.dryRun) continue;
    const files = b.files.filter((f) => f.bytes !== null);
    journal.event(r.id, 'note', { state: 'pruned', detail: { who: describeHolder(currentHolder(journal.env)), text: `backups pruned (${b.why}): ${files.length} file(s), ${b.bytes} B`, files: files.map((f) => f.path) } });
    for (const f of files) rmSync(f.path, { force: true });
    removeEmptyDirs(join(backupsDir(stateDir), `run-${r.id}`));
    rmSync(join(stateDir, 'work', `run-${r.id}`), { recursive: true, force: true });
  }
  return { pruned, kept };
}

function removeEmptyDirs(dir: string): void {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) removeEmptyDirs(p);
  }
  if (!readdirSync(dir).length) rmdirSync(dir);
}
