// Writes the target took after the cutover copied its databases. Before a rollback undoes anything, each copied
// SQLite database in the target is compared with what the copy step journaled (rows and max rowid per table);
// if one diverged, the rollback stops unless the operator chose: --copy-back (the target's rows carried back
// into the legacy database, legacy daemon stopped meanwhile, a backup of the legacy file first, size + sha256 +
// integrity_check verified) or --discard-new-writes (the loss named, with the counts, in the journal and the report).
// Databases are read by pulling them into a private (0700) scratch dir, removed afterwards.
import { copyFile, chmod, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { tableStats, type TableStats } from '../actions/copy.ts';
import { installFile, sha256Hex } from '../actions/files.ts';
import { execChecked, exists, serviceRunning, serviceSwitch, statFile } from '../actions/inside.ts';
import type { ActionContext } from '../actions/types.ts';
import { compareTables, countsText, type CopiedDbPlace, type DivergedDb, type NewWritesChoice } from '../engine/rollback.ts';
import { openDatabase } from '../sqlite.ts';
import type { RollbackHost, RunHooks } from './types.ts';

type Loose = Record<string, unknown>;

/** One copied database to look at: where it came from, where it landed, what the copy saw. */
interface CopiedDb extends CopiedDbPlace {
  service: string;
  tables: Record<string, TableStats> | null;
}

export interface NewWritesCheck {
  /** How many copied databases were compared. */
  checked: number;
  diverged: DivergedDb[];
  /** Databases that could not be read (the rollback refuses without a choice, as for a divergence). */
  problems: { identity: string; why: string }[];
}

export interface CopyBackResult {
  identity: string;
  ok: boolean;
  summary: string;
  backupPath?: string;
}

/** The sqlite copies this run made that are still in place (their step succeeded and was not undone). */
function copiedDbs(run: RollbackHost): CopiedDb[] {
  const out: CopiedDb[] = [];
  for (const [key, rec] of run.steps()) {
    if (rec.action !== 'copy' || rec.state !== 'succeeded') continue;
    const c = (rec.changed ?? {}) as Loose;
    const sqlite = c.sqlite as { tables?: Record<string, TableStats> } | undefined;
    if (!sqlite) continue;
    const step = run.plan.find((s) => s.key === key);
    const from = String(c.fromContainer ?? '');
    out.push({
      identity: run.runbook.identities.find((i) => i.legacy_container === from)?.slug ?? key,
      stepKey: key,
      legacyContainer: from,
      legacyPath: String(c.from ?? ''),
      target: String(c.toContainer ?? ''),
      targetPath: String(c.to ?? ''),
      service: typeof step?.params.source_service === 'string' ? step.params.source_service : 'posta',
      tables: sqlite.tables ?? null,
    });
  }
  // A file copied twice (hold mode's copy ahead, then the final copy) is compared with the later copy only.
  const index = (d: CopiedDb) => run.plan.findIndex((s) => s.key === d.stepKey);
  return out.filter((d) => !out.some((o) => o !== d && o.target === d.target && o.targetPath === d.targetPath && index(o) > index(d)));
}

/** Pulls a database (and its -wal, so committed writes not yet checkpointed count) into `dir` as `name`. */
async function pullDb(ctx: ActionContext, container: string, path: string, dir: string, name: string): Promise<string> {
  const local = join(dir, name);
  await ctx.runtime.pullFile(container, path, local);
  const wal = await ctx.runtime.exec(container, ['test', '-s', `${path}-wal`]);
  if (wal.exitCode === 0) await ctx.runtime.pullFile(container, `${path}-wal`, `${local}-wal`);
  for (const f of [local, `${local}-wal`]) await chmod(f, 0o600).catch(() => undefined);
  return local;
}

/** Rows and max rowid per table of a local copy; the copy is opened read-write (it is scratch) so its WAL is read. */
function statsOf(local: string): Record<string, TableStats> {
  const db = openDatabase(local, { fileMustExist: true });
  try {
    return tableStats(db);
  } finally {
    db.close();
  }
}

async function scratch(ctx: ActionContext, prefix: string): Promise<string> {
  const dir = await mkdtemp(join(ctx.workDir, prefix));
  await chmod(dir, 0o700);
  return dir;
}

/** Compares every copied database in the target with what its copy step journaled. Changes nothing. */
export async function checkNewWrites(run: RollbackHost, hooks?: RunHooks): Promise<NewWritesCheck> {
  const dbs = copiedDbs(run);
  const res: NewWritesCheck = { checked: 0, diverged: [], problems: [] };
  if (!dbs.length) return res;
  const ctx = run.context('rollback:new-writes', hooks, [], []);
  const dir = await scratch(ctx, 'new-writes-');
  try {
    for (const d of dbs) {
      try {
        // The target (or its copy) is gone: it holds no writes to carry back, and none to lose.
        if (!(await ctx.runtime.get(d.target)) || !(await exists(ctx, d.target, d.targetPath))) continue;
        // Journals from before the copy recorded its tables: the legacy file is what was copied (its daemon is stopped).
        const then = d.tables ?? statsOf(await pullDb(ctx, d.legacyContainer, d.legacyPath, dir, `${d.identity}-legacy.db`));
        const now = statsOf(await pullDb(ctx, d.target, d.targetPath, dir, `${d.identity}-target.db`));
        res.checked++;
        const deltas = compareTables(then, now);
        if (deltas.length) res.diverged.push({ identity: d.identity, stepKey: d.stepKey, legacyContainer: d.legacyContainer, legacyPath: d.legacyPath, target: d.target, targetPath: d.targetPath, deltas });
      } catch (err) {
        res.problems.push({ identity: d.identity, why: `${d.target}:${d.targetPath}: cannot compare with the copy: ${(err as Error).message.split('\n')[0]}` });
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return res;
}

/** Journals what was found and decided (note state 'rollback-new-writes'), for `journal` and the report. */
export function journalNewWrites(run: RollbackHost, c: NewWritesCheck, decision: 'refused' | NewWritesChoice, outcomes: Map<string, string> = new Map()): void {
  const what = decision === 'refused' ? 'rollback refused: the target took writes since the copy (--copy-back or --discard-new-writes)' : decision === 'copy-back' ? 'copied back into the legacy containers' : 'DISCARDED by the operator (--discard-new-writes)';
  const identities = [
    ...c.diverged.map((d) => ({ identity: d.identity, counts: countsText(d.deltas), outcome: outcomes.get(d.identity) ?? what })),
    ...c.problems.map((p) => ({ identity: p.identity, counts: 'not compared', outcome: `${p.why}; ${outcomes.get(p.identity) ?? what}` })),
  ];
  const text = `new writes in the target since the copy: ${what}\n${identities.map((i) => `  ${i.identity}: ${i.counts} — ${i.outcome}`).join('\n')}`;
  run.journal.event(run.runId, 'note', { state: 'rollback-new-writes', detail: { who: run.record().operator, text, decision: decision === 'refused' ? 'refused' : decision === 'copy-back' ? 'copied back' : 'discarded', identities } });
}

/**
 * The target's rows back into the legacy database, in the legacy's schema: every table of the legacy file gets the
 * target's rows (the columns both have), tables only the target has (a migration's) stay out, the legacy file's
 * user_version stays (posta's single-tenant daemon reads v2; the multi-tenant one migrated its copy to v3).
 */
function carryRows(legacyLocal: string, targetLocal: string): Record<string, TableStats> {
  const db = openDatabase(legacyLocal, { fileMustExist: true });
  try {
    db.pragma('foreign_keys = OFF');
    db.prepare('ATTACH DATABASE ? AS t').run(targetLocal);
    const q = (n: string) => `"${n.replaceAll('"', '""')}"`;
    const tables = (db.prepare("SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[]).map((r) => r.name);
    const inTarget = new Set((db.prepare("SELECT name FROM t.sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name));
    db.transaction(() => {
      for (const table of tables) {
        if (!inTarget.has(table)) continue;
        const cols = (db.prepare(`PRAGMA main.table_info(${q(table)})`).all() as { name: string }[]).map((c) => c.name);
        const theirs = new Set((db.prepare(`PRAGMA t.table_info(${q(table)})`).all() as { name: string }[]).map((c) => c.name));
        const both = cols.filter((c) => theirs.has(c)).map(q).join(', ');
        db.exec(`DELETE FROM main.${q(table)}; INSERT INTO main.${q(table)} (${both}) SELECT ${both} FROM t.${q(table)};`);
      }
    })();
    db.exec('DETACH DATABASE t');
    const check = (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('; ');
    if (check !== 'ok') throw new Error(`integrity_check of the carried-back database says ${check}`);
    db.pragma('wal_checkpoint(TRUNCATE)');
    return tableStats(db);
  } finally {
    db.close();
  }
}

/**
 * --copy-back for one diverged database, after the undos (the target daemon stopped, the legacy container up):
 * the legacy daemon stopped, its file backed up (0600), the target's rows carried into a copy of it, pushed
 * (size + sha256 + mode verified), integrity_check ok, the legacy daemon started again. Journaled step by step.
 */
export async function copyBack(run: RollbackHost, d: DivergedDb, hooks?: RunHooks): Promise<CopyBackResult> {
  const key = `rollback:copy-back[${d.identity}]`;
  const service = copiedDbs(run).find((x) => x.stepKey === d.stepKey)?.service ?? 'posta';
  const ctx = run.context(key, hooks, [], []);
  const dir = await scratch(ctx, 'copy-back-');
  try {
    if (await serviceRunning(ctx, d.target, service)) throw new Error(`${d.target}: ${service} still runs, it could take more writes: stop it first (cutover rollback stops it when the run started it)`);
    const facts = await statFile(ctx, d.legacyContainer, d.legacyPath);
    if (!facts) throw new Error(`${d.legacyContainer}:${d.legacyPath} does not exist`);
    const { wasRunning } = await serviceSwitch(ctx, d.legacyContainer, service, 'stop');
    // The legacy file as it is, kept before anything replaces it (0600, under the run's backups).
    const legacyLocal = await pullDb(ctx, d.legacyContainer, d.legacyPath, dir, 'legacy.db');
    const backupDir = join(ctx.backupDir, `run-${run.runId}`, `copy-back-${d.identity}-${Date.now()}`);
    await mkdir(backupDir, { recursive: true, mode: 0o700 });
    const backupPath = join(backupDir, 'inbox.db');
    await copyFile(legacyLocal, backupPath);
    await chmod(backupPath, 0o600);
    await copyFile(`${legacyLocal}-wal`, `${backupPath}-wal`).then(() => chmod(`${backupPath}-wal`, 0o600)).catch(() => undefined);
    const backupSha = sha256Hex(await readFile(backupPath));
    ctx.intend?.({ container: d.legacyContainer, path: d.legacyPath, backupPath, backupSha256: backupSha });
    ctx.emit({ kind: 'output', line: `backup of ${d.legacyContainer}:${d.legacyPath} → ${backupPath} (sha256 ${backupSha.slice(0, 12)}…)` });

    const targetLocal = await pullDb(ctx, d.target, d.targetPath, dir, 'target.db');
    const want = statsOf(targetLocal);
    const got = carryRows(legacyLocal, targetLocal);
    const short = compareTables(Object.fromEntries(Object.entries(want).filter(([t]) => t in got)), got);
    if (short.length) throw new Error(`the carried-back copy does not hold the target's rows: ${countsText(short)}`);
    // A stale -wal/-shm next to the new file would be replayed over it: removed first (the daemon is stopped).
    await execChecked(ctx, d.legacyContainer, ['rm', '-f', `${d.legacyPath}-wal`, `${d.legacyPath}-shm`]);
    const landed = await installFile(ctx, d.legacyContainer, legacyLocal, d.legacyPath, facts.mode, `${facts.uid}:${facts.gid}`);
    if (wasRunning) await serviceSwitch(ctx, d.legacyContainer, service, 'start');
    const rows = Object.entries(got).filter(([t]) => t in want).map(([t, v]) => `${t} ${v.rows}`).join(', ');
    const summary = `${d.target}:${d.targetPath} → ${d.legacyContainer}:${d.legacyPath}: ${landed.size} B sha256 ${landed.sha256.slice(0, 12)}… ok, integrity ok, ${rows} row(s); legacy file backed up at ${backupPath}${wasRunning ? `; ${service} started again` : ''}`;
    run.journal.addNote(run.runId, `copy-back of ${d.identity}: ${summary}`);
    return { identity: d.identity, ok: true, summary, backupPath };
  } catch (err) {
    const msg = run.journal.redactor.apply((err as Error).message)!;
    run.journal.addNote(run.runId, `copy-back of ${d.identity} FAILED: ${msg}`);
    return { identity: d.identity, ok: false, summary: msg };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
