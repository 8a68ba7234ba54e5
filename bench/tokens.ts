// Token panel refresh: what the panel does on every refresh once the DB is pulled into its private copy
// (the scoped read of checks/snapshot.ts: the baseline's tokens + the recent rows from checks/token-recent.ts
// with its cache and periodic rescans, then the survival verdict) over a session of refreshes on a table of
// 100k rows that changes between them, side by side with the same session on a lab-sized table (the two
// devices of a real identity) and with the uncached refresh. The whole readTokenDb and the plans are noted.
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { evaluateTokens, queryTokenDb, readTokenDb, scopedTokenSql, type TokenReadScope } from '../checks/tokens.ts';
import { RecentTokenCache, SWEEP_ROWS } from '../checks/token-recent.ts';
import { performance } from 'node:perf_hooks';
import { hashToken, maskToken, type IdentityBaseline } from '../checks/baseline.ts';
import { createInboxV2 } from '../src/lab/posta/inbox-db.ts';
import type { Runtime } from '../src/ports.ts';
import { figure, median, timed, type BenchContext, type Figure } from './lib.ts';

const ROWS = 100_000;
/** As checks/snapshot.ts asks for it. */
const RECENT = 8;

/** Only pullFile is used: a "container" whose files are host paths. */
const hostRuntime = { pullFile: (_c: string, remote: string, local: string) => copyFile(remote, local) } as unknown as Runtime;

function seedDb(path: string, rows: number): IdentityBaseline {
  const db = createInboxV2(path);
  const now = Date.now();
  const insert = db.prepare('INSERT INTO auth_tokens (name, token, created_at, last_seen_at) VALUES (?, ?, ?, ?)');
  const kept: { device: string; token: string; lastSeenAt: string }[] = [];
  db.transaction(() => {
    for (let i = 0; i < rows; i++) {
      const device = i === 0 ? 'tui-dev' : i === 1 ? 'phone' : `device-${i}`;
      const token = `pt_${randomBytes(18).toString('base64url')}`;
      const lastSeenAt = new Date(now - i * 1000).toISOString();
      insert.run(device, token, new Date(now - 90 * 86_400_000).toISOString(), i % 3 === 2 ? null : lastSeenAt);
      if (i < 2) kept.push({ device, token, lastSeenAt });
    }
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  // The baseline a real identity has: its two active devices.
  return {
    values: {},
    schemaVersion: 2,
    tokens: kept.map((k) => ({ device: k.device, tokenHash: hashToken(k.token), tokenMasked: maskToken(k.token), createdAt: null, lastSeenAt: k.lastSeenAt })),
  };
}

/** The cockpit's default panel interval: what a session of refreshes looks like in time. */
const INTERVAL_MS = 2_000;

interface Session {
  ms: number[];
  fullScans: number;
  items: number;
}

/**
 * A cockpit session: before every refresh the table changes as posta's does while devices are live (a new
 * token is created, the active device and one random old device are seen), then the panel refreshes on its
 * copy with the refresh's clock INTERVAL_MS later. Only the refresh is timed. With a cache the panel keeps
 * what it found between refreshes (and sweeps a slice of the table each time); without one every refresh scans.
 */
function session(path: string, baseline: IdentityBaseline, refreshes: number, cache: RecentTokenCache | undefined): Session {
  const writer = new Database(path);
  const insert = writer.prepare('INSERT INTO auth_tokens (name, token, created_at, last_seen_at) VALUES (?, ?, ?, NULL)');
  const seen = writer.prepare('UPDATE auth_tokens SET last_seen_at = ? WHERE rowid = ?');
  const rows = (writer.prepare('SELECT max(rowid) AS n FROM auth_tokens').get() as { n: number }).n;
  const t0 = Date.now();
  const out: Session = { ms: [], fullScans: 0, items: 0 };
  try {
    for (let i = 0; i < refreshes; i++) {
      const now = t0 + i * INTERVAL_MS;
      const device = `new-device-${i}`;
      insert.run(device, `pt_${randomBytes(18).toString('base64url')}`, new Date(now).toISOString());
      seen.run(new Date(now).toISOString(), 1);
      seen.run(new Date(now).toISOString(), 1 + Math.floor(Math.random() * rows));
      writer.pragma('wal_checkpoint(TRUNCATE)');
      const scope: TokenReadScope = { baseline, recent: RECENT, ...(cache ? { cache } : {}) };
      const t = performance.now();
      const read = queryTokenDb(path, undefined, scope);
      const items = evaluateTokens({ identity: 'bench', phase: 'before', read: { container: 'posta', path, ...read }, baseline, baselineRecordedAt: new Date(t0).toISOString(), now });
      out.ms.push(performance.now() - t);
      // Honesty guard: the panel must show the token created just before this refresh, and the baseline's.
      if (!items.some((x) => x.device === device)) throw new Error(`token panel bench: refresh ${i} does not show ${device}`);
      if (items.some((x) => x.survived === false)) throw new Error(`token panel bench: refresh ${i} lost a baseline token`);
      out.items = items.length;
    }
  } finally {
    writer.close();
  }
  out.fullScans = cache?.fullScans ?? refreshes;
  return out;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

export async function tokenPanel(ctx: BenchContext): Promise<Figure[]> {
  const dir = join(ctx.tmp, 'tokens');
  await mkdir(dir, { recursive: true });
  const big = join(dir, 'big.db');
  const small = join(dir, 'small.db');
  const bigBaseline = seedDb(big, ROWS);
  const smallBaseline = seedDb(small, 2);
  // 2 minutes of cockpit time: 61 refreshes, of which the first scans the whole table.
  const refreshes = ctx.quick ? 3 : 61;
  session(big, bigBaseline, 2, new RecentTokenCache()); // warm the page cache and the JIT once for both
  session(small, smallBaseline, 2, new RecentTokenCache());
  const cached = session(big, bigBaseline, refreshes, new RecentTokenCache());
  const uncached = session(big, bigBaseline, ctx.quick ? 1 : 21, undefined);
  const smallCached = session(small, smallBaseline, refreshes, new RecentTokenCache());
  const pullCache = new RecentTokenCache();
  const pulls: number[] = [];
  for (let i = 0; i < (ctx.quick ? 1 : 5); i++) pulls.push((await timed(() => readTokenDb(hostRuntime, 'posta', big, undefined, { baseline: bigBaseline, recent: RECENT, cache: pullCache }))).ms);
  const db = new Database(big, { readonly: true });
  const explain = (sqls: string[]) => sqls.map((sql) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join(', ')).join(' | ');
  const sql = scopedTokenSql();
  const plan = `every refresh: ${explain(sql.refresh)}; rescan: ${explain(sql.rescan)}`;
  db.close();
  return [
    figure({
      name: 'token panel refresh, 100k rows',
      value: mean(cached.ms),
      unit: 'ms',
      baseline: mean(smallCached.ms),
      baselineOf: 'same refresh, 2 rows',
      goal: '≤ 5 ms',
      check: (v) => v <= 5 && Math.max(...cached.ms.slice(1)) <= 5,
      note:
        `mean of ${refreshes} refreshes ${INTERVAL_MS / 1000} s apart on the copy while the table changes (new token + 2 devices seen before each), ${cached.items} panel items; ` +
        `median ${median(cached.ms).toFixed(2)} ms, max after the first ${Math.max(...cached.ms.slice(1)).toFixed(2)} ms; first refresh (full scan) ${cached.ms[0]!.toFixed(2)} ms, ${cached.fullScans} full scan(s) in all; a token used again shows within ${Math.ceil(ROWS / SWEEP_ROWS)} refreshes (sweep of ${SWEEP_ROWS} rowids each); ` +
        `without the cache (full scan every refresh, as before) median ${median(uncached.ms).toFixed(2)} ms; ` +
        `with the pull (copy of a ${(statSync(big).size / 1024 ** 2).toFixed(0)} MiB DB + -wal/-shm) ${median(pulls).toFixed(1)} ms; plans: ${plan}`,
    }),
  ];
}
