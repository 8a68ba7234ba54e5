// The "recent" token rows a panel refresh shows besides the baseline's: the N most recently seen and the N
// newest (a token created after the baseline shows even before its device is seen). posta's schema has no
// index on last_seen_at, so finding the most recently seen is a full scan (~5–7 ms at 100k rows). A cache
// per DB location keeps what the last refresh found; the next refresh reads only those rows by rowid, the
// rows added since (`rowid > high-water mark`) and one slice of SWEEP_ROWS rowids of the table, all on the
// rowid b-tree. The slice moves on each refresh, so an old token outside the baseline and the recent rows
// that is used again shows within ⌈rows / SWEEP_ROWS⌉ refreshes (7 at 100k rows); a full scan happens only
// on the first refresh or when a tracked row is gone or replaced. Baseline tokens are read through their
// index on every refresh, so survival and "seen again" never depend on this cache.
import type Database from 'better-sqlite3';
import { hashToken } from './baseline.ts';

/** Rowids of the table each cached refresh sweeps for rows seen again (~1 ms at 16k). */
export const SWEEP_ROWS = 16_384;

export interface RecentRow {
  rid: number;
  device: string;
  secret: string;
  createdAt: string | null;
  lastSeenAt: string | null;
}

interface Entry {
  /** rowid → hash of the token held there when last read (a changed hash means the row was replaced). */
  tracked: Map<number, string>;
  /** Highest rowid of the table at the last refresh; rows above it are new. */
  hwm: number;
  /** First rowid of the slice the next refresh sweeps. */
  sweep: number;
}

/** Per-process memory of the last refresh, keyed by where the DB came from (container:path + table). */
export class RecentTokenCache {
  private readonly entries = new Map<string, Entry>();
  /** Full scans done, for the bench and tests. */
  fullScans = 0;
  constructor(readonly sweepRows = SWEEP_ROWS) {}
  get(key: string): Entry | undefined {
    return this.entries.get(key);
  }
  set(key: string, e: Entry): void {
    this.entries.set(key, e);
  }
}

export interface RecentColumns {
  table: string;
  /** `"name" AS device, …` as checks/tokens.ts selects them. */
  cols: string;
  lastSeen: string;
}

/** The N most recently seen and N newest rows: from the cache, the new rows and one sweep slice while the cache holds; else a full scan. */
export function recentRows(db: Database.Database, c: RecentColumns, n: number, cache: RecentTokenCache | undefined, key: string): RecentRow[] {
  const sel = `SELECT rowid AS rid, ${c.cols} FROM "${c.table}"`;
  const hwm = ((db.prepare(`SELECT max(rowid) AS rid FROM "${c.table}"`).get() as { rid: number | null }).rid ?? 0);
  const prev = cache?.get(key);
  let candidates: RecentRow[] | null = null;
  let sweep = 0;
  if (prev && cache && hwm >= prev.hwm) {
    const ids = [...prev.tracked.keys()];
    const known = ids.length ? (db.prepare(`${sel} WHERE rowid IN (${ids.map(() => '?').join(',')})`).all(...ids) as RecentRow[]) : [];
    // A tracked row gone or holding another token: the set is no longer the top of the table.
    if (known.length === ids.length && known.every((r) => prev.tracked.get(r.rid) === hashToken(r.secret))) {
      const slice = db.prepare(`${sel} WHERE rowid >= ? AND rowid < ? ORDER BY "${c.lastSeen}" DESC LIMIT ?`).all(prev.sweep, prev.sweep + cache.sweepRows, n) as RecentRow[];
      candidates = known.concat(db.prepare(`${sel} WHERE rowid > ?`).all(prev.hwm) as RecentRow[], slice);
      sweep = prev.sweep + cache.sweepRows > hwm ? 0 : prev.sweep + cache.sweepRows;
    }
  }
  if (!candidates) {
    if (cache) cache.fullScans++;
    candidates = (db.prepare(`${sel} ORDER BY "${c.lastSeen}" DESC LIMIT ?`).all(n) as RecentRow[]).concat(db.prepare(`${sel} ORDER BY rowid DESC LIMIT ?`).all(n) as RecentRow[]);
  }
  const picked = pick(candidates, n);
  cache?.set(key, { tracked: new Map(picked.map((r) => [r.rid, hashToken(r.secret)])), hwm, sweep });
  return picked;
}

/** Union of the N most recently seen and the N newest (highest rowid) of the candidates. */
export function pick(rows: RecentRow[], n: number): RecentRow[] {
  const byRid = new Map(rows.map((r) => [r.rid, r]));
  const all = [...byRid.values()];
  const seen = all
    .filter((r) => r.lastSeenAt !== null)
    .sort((a, b) => (a.lastSeenAt! < b.lastSeenAt! ? 1 : a.lastSeenAt! > b.lastSeenAt! ? -1 : b.rid - a.rid))
    .slice(0, n);
  const newest = [...all].sort((a, b) => b.rid - a.rid).slice(0, n);
  return [...new Map([...seen, ...newest].map((r) => [r.rid, r])).values()];
}
