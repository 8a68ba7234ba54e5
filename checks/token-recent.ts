// The "recent" token rows a panel refresh shows besides the baseline's: the N most recently seen and the N
// newest (a token created after the baseline shows even before its device is seen). posta's schema has no
// index on last_seen_at, so finding the most recently seen is a full scan (~5–7 ms at 100k rows). A cache
// per DB location keeps what the last refresh found; the next refresh reads only those rows by rowid and
// the rows added since (`rowid > high-water mark`, the rowid b-tree), and rescans when anything it knew
// changed identity or RESCAN_MS passed. What it cannot see between rescans: an old token that is neither
// in the baseline nor among the recent rows being used again (it shows at the next rescan). Baseline tokens
// are read through their index on every refresh, so survival and "seen again" never depend on this cache.
import type Database from 'better-sqlite3';
import { hashToken } from './baseline.ts';

/** A full rescan at least this often, so an old untracked token seen again appears within this long. */
export const RESCAN_MS = 30_000;

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
  scannedAt: number;
}

/** Per-process memory of the last refresh, keyed by where the DB came from (container:path + table). */
export class RecentTokenCache {
  private readonly entries = new Map<string, Entry>();
  /** Full scans done, for the bench and tests. */
  fullScans = 0;
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

/** The N most recently seen and N newest rows, from the cache plus new rows when it is still valid. */
export function recentRows(db: Database.Database, c: RecentColumns, n: number, cache: RecentTokenCache | undefined, key: string, now: number): RecentRow[] {
  const sel = `SELECT rowid AS rid, ${c.cols} FROM "${c.table}"`;
  const hwm = ((db.prepare(`SELECT max(rowid) AS rid FROM "${c.table}"`).get() as { rid: number | null }).rid ?? 0);
  const prev = cache?.get(key);
  let candidates: RecentRow[] | null = null;
  if (prev && now - prev.scannedAt < RESCAN_MS && hwm >= prev.hwm) {
    const ids = [...prev.tracked.keys()];
    const known = ids.length ? (db.prepare(`${sel} WHERE rowid IN (${ids.map(() => '?').join(',')})`).all(...ids) as RecentRow[]) : [];
    // A tracked row gone or holding another token: the set is no longer the top of the table.
    if (known.length === ids.length && known.every((r) => prev.tracked.get(r.rid) === hashToken(r.secret))) {
      candidates = known.concat(db.prepare(`${sel} WHERE rowid > ?`).all(prev.hwm) as RecentRow[]);
    }
  }
  let scannedAt = prev?.scannedAt ?? now;
  if (!candidates) {
    if (cache) cache.fullScans++;
    scannedAt = now;
    candidates = (db.prepare(`${sel} ORDER BY "${c.lastSeen}" DESC LIMIT ?`).all(n) as RecentRow[]).concat(db.prepare(`${sel} ORDER BY rowid DESC LIMIT ?`).all(n) as RecentRow[]);
  }
  const picked = pick(candidates, n);
  cache?.set(key, { tracked: new Map(picked.map((r) => [r.rid, hashToken(r.secret)])), hwm, scannedAt });
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
