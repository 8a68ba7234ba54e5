// copy: a file from one container to another (legacy → new) through a private temp dir, verified end to end: size
// and sha256 equal on both ends, mode and owner as declared. SQLite files only while the source daemon is stopped,
// with their -wal/-shm (or online through sqlite3 .backup), opened read-only afterwards for PRAGMA
// integrity_check.
import { z } from 'zod';
import { absPath, mode, owner, tmpl } from '../runbook/schema.ts';
import { container, ownerFlags, str as planStr } from '../runbook/plan-text.ts';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ActionContext, Action } from './types.ts';
import { ActionError } from './types.ts';
import { execChecked, fileFacts } from './inside.ts';
import { installFile, sha256Hex } from './files.ts';
import { bool, given, str } from './params.ts';
import { readFile } from 'node:fs/promises';
import { openDatabase, type Database } from '../sqlite.ts';

const SQLITE_SIDECARS = ['-wal', '-shm'];

export interface CopiedFile {
  from: string;
  to: string;
  size: number;
  sha256: string;
  mode: string;
  /** SQLite: rows and max rowid per table of the copy (the main file only). */
  tables?: Record<string, TableStats>;
}

/** Rows and the highest rowid of one table: what a later look at the copy compares against (new writes). */
export interface TableStats {
  rows: number;
  maxRowid: number | null;
}

/** Row count and max rowid of every user table (WITHOUT ROWID tables: count only). */
export function tableStats(db: Database): Record<string, TableStats> {
  const out: Record<string, TableStats> = {};
  const tables = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string; sql: string | null }[];
  for (const t of tables) {
    const q = `"${t.name.replaceAll('"', '""')}"`;
    const rowid = !/without\s+rowid/i.test(t.sql ?? '');
    const r = db.prepare(`SELECT count(*) AS n${rowid ? ', max(rowid) AS m' : ''} FROM ${q}`).get() as { n: number; m?: number | null };
    out[t.name] = { rows: r.n, maxRowid: rowid ? (r.m ?? null) : null };
  }
  return out;
}

/** PRAGMA integrity_check and the table stats of a local copy, opened read-only. */
async function integrityCheck(dbPath: string): Promise<{ verdict: string; tables: Record<string, TableStats> }> {
  const db = openDatabase(dbPath, { readonly: true, fileMustExist: true });
  try {
    const rows = db.pragma('integrity_check') as { integrity_check: string }[];
    return { verdict: rows.map((r) => r.integrity_check).join('; '), tables: tableStats(db) };
  } finally {
    db.close();
  }
}

async function pullVerified(ctx: ActionContext, container: string, path: string, local: string, sourceSha: string): Promise<{ size: number; sha256: string }> {
  await ctx.runtime.pullFile(container, path, local);
  return verifyPulled(container, path, local, sourceSha);
}

/** The pulled file's sha256 equals the source's. */
async function verifyPulled(container: string, path: string, local: string, sourceSha: string): Promise<{ size: number; sha256: string }> {
  const data = await readFile(local);
  const localSha = sha256Hex(data);
  if (localSha !== sourceSha) {
    throw new ActionError(`${container}:${path}: pulled copy differs (sha256 ${localSha.slice(0, 12)}… vs ${sourceSha.slice(0, 12)}… at the source, ${data.length} B)`);
  }
  return { size: (await stat(local)).size, sha256: sourceSha };
}

export const copy: Action = {
  params: z.strictObject({
    from_container: tmpl,
    from: absPath,
    to_container: tmpl,
    to: absPath,
    mode: mode.default('0600'),
    owner: owner.default('0:0'),
    /** SQLite file: copied with -wal/-shm, source daemon must be stopped, integrity_check after. */
    sqlite: z.boolean().default(false),
    /** SQLite only: copy while the source daemon runs, through `sqlite3 FROM .backup` in the source container (hold mode's copy ahead). */
    online: z.boolean().default(false),
    /** SQLite (not online): the daemon in from_container that must be stopped before the copy, and that a rollback's copy-back stops again. */
    source_service: z.string().min(1).default('posta'),
  }),
  example: { from_container: 'arne-msg', from: '/var/lib/posta/inbox.db', to_container: 'posta', to: '/var/lib/posta/arne/inbox.db', sqlite: true },
  doc: {
    keys: '`from_container`, `from`, `to_container`, `to`, `mode` (`0600`), `owner` (`0:0`), `sqlite` (false), `online` (false), `source_service` (`posta`)',
    does: "through a private temp dir; size + sha256 equal on both ends, mode and owner as declared; `sqlite = true`: the source daemon (`source_service` in `from_container`) must be stopped, -wal/-shm copied (a -wal/-shm left at the target by an earlier copy or a dry start is removed first), `PRAGMA integrity_check` after; `online = true` (with `sqlite`): the daemon keeps running and the copy is SQLite's online backup, `sqlite3 FROM \".backup TMP\"` inside the source container (needs the `sqlite3` CLI there: `apk add sqlite`), never a raw copy of a live file — hold mode's copy ahead",
  },
  plan: (p, rb) => {
    const from = container(p, rb, 'from_container');
    const to = container(p, rb, 'to_container');
    const files = p.sqlite && !p.online ? ['', '-wal', '-shm'] : [''];
    const online = p.sqlite && p.online ? [`incus exec ${from} -- sqlite3 ${planStr(p, 'from')} ".backup <tmp in ${from}>"   (online: the daemon keeps running)`] : [];
    return [
      ...online,
      ...files.map((sfx) => `incus file pull ${from}${planStr(p, 'from')}${sfx} <tmp>   ${sfx ? '(if present)' : ''}`.trimEnd()),
      ...files.map((sfx) => `incus file push <tmp> ${to}${planStr(p, 'to')}${sfx} --mode ${planStr(p, 'mode')} ${ownerFlags(planStr(p, 'owner'))}`),
      `verify size + sha256 + mode ${planStr(p, 'mode')} + owner ${planStr(p, 'owner')} of ${planStr(p, 'to')}`,
      ...(p.sqlite ? [`sqlite3 ${planStr(p, 'to')} 'PRAGMA integrity_check'${p.online ? '' : '   (source daemon must be stopped)'}`] : []),
    ];
  },
  undo: { kind: 'none', reason: 'the copy only adds to the target; the source is untouched, so the legacy side needs nothing back' },
  preflight: { checks: 'the source file can be read in its container (source-missing); the state dir and target have room for it (space-low)' },
  async run(step, ctx) {
    const fromContainer = await str(step, ctx, 'from_container');
    const from = await str(step, ctx, 'from');
    const toContainer = await str(step, ctx, 'to_container');
    const to = await str(step, ctx, 'to');
    const modeText = String(step.params.mode ?? '0600');
    const owner = String(step.params.owner ?? '0:0');
    const isSqlite = bool(step, 'sqlite', false);
    // Hold mode's copy ahead: SQLite's online backup inside the source container while its daemon runs (a
    // consistent snapshot, never a raw copy of a live file); the final copy after the stop brings it up to date.
    const online = isSqlite && bool(step, 'online', false);
    const snapshot = online ? `/tmp/.cutover-online-${randomBytes(6).toString('hex')}.db` : null;
    if (snapshot) await execChecked(ctx, fromContainer, ['sqlite3', from, `.backup '${snapshot}'`]);
    const read = snapshot ?? from;

    const copied: CopiedFile[] = [];
    let changed: { container: string; paths: string[] } = { container: toContainer, paths: [] };
    let dir: string | null = null;
    try {
      const service = isSqlite && !online ? (typeof step.params.source_service === 'string' ? await ctx.resolve(step.params.source_service) : 'posta') : undefined;
      const candidates = [read, ...(isSqlite && !online ? SQLITE_SIDECARS.map((s) => read + s) : [])];
      // Inside the outage window every exec counts: the source's facts (and the refusal of a live SQLite file)
      // and the pull of the main file into the private temp dir run at once (the pull is checked against the
      // source's sha256 below; nothing is installed when the facts refuse). A -wal/-shm left at the target by an
      // earlier copy or a dry start (it would be applied to the new file) goes in the exec that renames the
      // main file into place, right before the rename.
      const scratch = await mkdtemp(join(ctx.workDir, 'copy-'));
      dir = scratch;
      const [facts, pulled] = await Promise.allSettled([
        fileFacts(ctx, fromContainer, candidates, service ? { unlessRunning: service } : {}),
        ctx.runtime.pullFile(fromContainer, read, join(scratch, 'db')),
      ]);
      if (facts.status === 'rejected') throw facts.reason;
      const source = facts.value;
      if (!source.has(read)) throw new ActionError(`${fromContainer}:${from} does not exist`);
      if (pulled.status === 'rejected') throw pulled.reason;
      const suffixes = ['', ...SQLITE_SIDECARS.filter((s) => isSqlite && source.has(read + s))];

      for (const suffix of suffixes) {
        const local = join(scratch, `db${suffix}`);
        const got = suffix ? await pullVerified(ctx, fromContainer, read + suffix, local, source.get(read + suffix)!.sha256) : await verifyPulled(fromContainer, read, local, source.get(read)!.sha256);
        const stale = isSqlite && !suffix ? SQLITE_SIDECARS.map((x) => to + x) : [];
        const landed = await installFile(ctx, toContainer, local, to + suffix, modeText, owner, undefined, stale);
        if (landed.sha256 !== got.sha256) throw new ActionError(`${toContainer}:${to + suffix}: sha256 differs from the source`);
        copied.push({ from: from + suffix, to: to + suffix, size: landed.size, sha256: landed.sha256, mode: landed.mode });
      }
      changed = { container: toContainer, paths: copied.map((c) => c.to) };

      if (isSqlite) {
        // The local copy is byte-for-byte what landed (sha256 checked on both ends), so it is checked here
        // rather than pulled back from the target.
        const { verdict, tables } = await integrityCheck(join(scratch, 'db'));
        if (verdict !== 'ok') throw new ActionError(`${toContainer}:${to}: integrity_check says ${verdict}`, changed);
        ctx.emit({ kind: 'output', line: `${to} integrity_check ok${online ? ' (online backup while the daemon ran)' : ''}; ${Object.entries(tables).map(([t, v]) => `${t} ${v.rows} row(s)`).join(', ')}` });
        // Rows and max rowid per table as copied: a rollback compares the target with them (writes it took since).
        copied[0]!.tables = tables;
      }
    } finally {
      if (snapshot) await ctx.runtime.exec(fromContainer, ['rm', '-f', snapshot]).catch(() => undefined);
      // The scratch copy (a plaintext key, an inbox with full tokens) is not kept once the push is verified or
      // failed: the source is still in the legacy container, and the backup step keeps the only copy.
      if (dir) await rm(dir, { recursive: true, force: true });
    }
    const main = copied[0]!;
    return {
      summary: `${from} → ${toContainer}:${to} ${main.size} B ${main.mode} sha256 ok${copied.length > 1 ? ` (+${copied.length - 1} sidecar)` : ''}${isSqlite ? ', integrity ok' : ''}${online ? ' (online backup)' : ''}`,
      changed,
      details: { files: copied },
    };
  },
  /** CopiedFile in src/journal/events.ts: the main file's facts, its sidecars (-wal, -shm) after it. */
  report(step, { changed: c = {}, details }) {
    const d = (details ?? {}) as Record<string, unknown>;
    const files = Array.isArray(d.files) ? (d.files as Record<string, unknown>[]) : [];
    const main = files[0] ?? {};
    const sqlite = step.params.sqlite === true;
    return {
      fromContainer: given(step, 'from_container'),
      from: main.from ?? given(step, 'from'),
      toContainer: c.container,
      to: main.to ?? given(step, 'to'),
      size: main.size,
      sha256: main.sha256,
      mode: main.mode,
      owner: given(step, 'owner', '0:0'),
      ...(sqlite ? { sqlite: { integrity: 'ok', ...(main.tables ? { tables: main.tables } : {}) } } : {}),
      ...(files.length > 1 ? { sidecars: files.slice(1) } : {}),
    };
  },
};
