// Tokens: the device token rows of each identity's DB, read read-only from a private copy pulled out of the
// container (with -wal/-shm), and the survival verdict against the baseline. Probe here, evaluation pure.
import { openDatabase, type Database } from '../src/sqlite.ts';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Runtime } from '../src/ports.ts';
import type { IdentityDecl, Runbook } from '../src/runbook/schema.ts';
import type { TokenItem } from './types.ts';
import { hashToken, maskToken, type IdentityBaseline } from './baseline.ts';
import { renderForIdentity, type Phase, servingContainer } from './context.ts';
import { recentRows, type RecentTokenCache } from './token-recent.ts';

export interface TokenRow {
  device: string;
  /** The secret: stays in memory for hashing and for the authenticated smoke call, never printed. */
  secret: string;
  createdAt: string | null;
  lastSeenAt: string | null;
}

export interface TokenDbRead {
  container: string;
  /** How the container is named to the operator when that is not the bare name (REMOTE:NAME, runtime.remote). */
  shownAs?: string;
  path: string;
  schemaVersion: number;
  rows: TokenRow[];
}

type TokensConfig = NonNullable<Runbook['tokens']>;
const DEFAULT_TOKENS: TokensConfig = {
  db: '{{identity.data_dir}}/inbox.db',
  table: 'auth_tokens',
  name_column: 'name',
  token_column: 'token',
  created_column: 'created_at',
  last_seen_column: 'last_seen_at',
};

/** Which DB holds an identity's tokens in a phase: the legacy DB before, [tokens].db in the target after. */
export function tokenDbLocation(runbook: Runbook, identity: IdentityDecl, phase: Phase, env: Record<string, string | undefined>): { container: string; path: string } {
  const container = servingContainer(runbook, identity, phase);
  if (container === identity.legacy_container) return { container, path: identity.legacy_db };
  return { container, path: renderForIdentity((runbook.tokens ?? DEFAULT_TOKENS).db, runbook, identity, env) };
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * What a panel refresh reads instead of the whole table: the baseline's tokens (found by their masked
 * prefix through the token column's UNIQUE index, then matched by hash) and the recent rows (the most
 * recently seen and the newest, checks/token-recent.ts). Keeps a refresh cheap on a table of 100k rows
 * (bench: token panel refresh).
 */
export interface TokenReadScope {
  baseline: IdentityBaseline | null;
  /** How many most recently seen, and how many newest, rows to read besides the baseline's. */
  recent: number;
  /** What the last refresh of the same DB found; without it every refresh scans for the recent rows. */
  cache?: RecentTokenCache;
  /** Key of the DB in the cache (where it was pulled from); readTokenDb sets it. */
  cacheKey?: string;
}

/**
 * Pulls the DB (and its -wal/-shm when present) into a private 0700 temp dir, reads it read-only, removes the copy.
 * `shown`: the container as messages name it (REMOTE:NAME with runtime.remote); the runtime gets the bare name.
 */
export async function readTokenDb(runtime: Runtime, container: string, path: string, cfg: TokensConfig = DEFAULT_TOKENS, scope?: TokenReadScope, shown = container): Promise<TokenDbRead> {
  for (const col of [cfg.table, cfg.name_column, cfg.token_column, cfg.created_column, cfg.last_seen_column]) {
    if (!IDENT.test(col)) throw new Error(`[tokens]: "${col}" is not a plain SQL identifier`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'cutover-tokens-'));
  try {
    const local = join(dir, 'db.sqlite');
    try {
      await runtime.pullFile(container, path, local);
    } catch (err) {
      throw new Error(`cannot read ${shown}:${path}: ${firstLine((err as Error).message)}`);
    }
    for (const suffix of ['-wal', '-shm']) await runtime.pullFile(container, path + suffix, local + suffix).catch(() => undefined);
    // A -wal without its -shm cannot be opened read-only; a lone -shm is useless. Keep the copy consistent.
    const hasWal = await exists(local + '-wal');
    if (hasWal && !(await exists(local + '-shm'))) await rm(local + '-wal', { force: true });
    try {
      const keyed = scope ? { ...scope, cacheKey: `${container}:${path}` } : undefined;
      return { container, ...(shown !== container ? { shownAs: shown } : {}), path, ...queryTokenDb(local, cfg, keyed) };
    } catch (err) {
      throw new Error(`${shown}:${path}: ${(err as Error).message}`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Reads a local (private) copy read-only: every row, or with a scope only the rows a refresh needs. */
export function queryTokenDb(file: string, cfg: TokensConfig = DEFAULT_TOKENS, scope?: TokenReadScope): { schemaVersion: number; rows: TokenRow[] } {
  const db = openDatabase(file, { readonly: true, fileMustExist: true });
  // The copy is private and read-only: mapping it spares a read() per page on a scan (~7 → ~5 ms at 100k rows).
  db.pragma('mmap_size = 268435456');
  try {
    const schemaVersion = db.pragma('user_version', { simple: true }) as number;
    const cols = `"${cfg.name_column}" AS device, "${cfg.token_column}" AS secret, "${cfg.created_column}" AS createdAt, "${cfg.last_seen_column}" AS lastSeenAt`;
    const prefixes = scope?.baseline?.tokens.map((t) => (t.tokenMasked.endsWith('…') ? t.tokenMasked.slice(0, -1) : '')) ?? [];
    // A baseline token masked down to nothing cannot be searched for: read everything, as without a scope.
    if (!scope || prefixes.some((p) => p === '')) {
      return { schemaVersion, rows: db.prepare(`SELECT ${cols} FROM "${cfg.table}" ORDER BY "${cfg.name_column}"`).all() as TokenRow[] };
    }
    const wanted = new Set(scope.baseline?.tokens.map((t) => t.tokenHash));
    const bySecret = new Map<string, TokenRow>();
    const byPrefix = db.prepare(`SELECT ${cols} FROM "${cfg.table}" WHERE "${cfg.token_column}" >= ? AND "${cfg.token_column}" < ?`);
    for (const prefix of new Set(prefixes)) {
      for (const row of byPrefix.all(prefix, prefix + '\u{10FFFF}') as TokenRow[]) if (wanted.has(hashToken(row.secret))) bySecret.set(row.secret, row);
    }
    if (scope.recent > 0) {
      const key = `${scope.cacheKey ?? file}|${cfg.table}`;
      for (const { rid: _rid, ...row } of recentRows(db, { table: cfg.table, cols, lastSeen: cfg.last_seen_column }, scope.recent, scope.cache, key)) bySecret.set(row.secret, row);
    }
    const rows = [...bySecret.values()].sort((a, b) => (a.device < b.device ? -1 : a.device > b.device ? 1 : 0));
    return { schemaVersion, rows };
  } finally {
    db.close();
  }
}

/** The statements a scoped refresh runs, for EXPLAIN QUERY PLAN (bench): every refresh, then a rescan's. */
export function scopedTokenSql(cfg: TokensConfig = DEFAULT_TOKENS): { refresh: string[]; rescan: string[] } {
  const cols = `rowid, "${cfg.name_column}", "${cfg.token_column}", "${cfg.created_column}", "${cfg.last_seen_column}"`;
  return {
    refresh: [
      `SELECT ${cols} FROM "${cfg.table}" WHERE "${cfg.token_column}" >= 'a' AND "${cfg.token_column}" < 'b'`,
      `SELECT max(rowid) FROM "${cfg.table}"`,
      `SELECT ${cols} FROM "${cfg.table}" WHERE rowid IN (1, 2)`,
      `SELECT ${cols} FROM "${cfg.table}" WHERE rowid > 1`,
      `SELECT ${cols} FROM "${cfg.table}" WHERE rowid >= 1 AND rowid < 16385 ORDER BY "${cfg.last_seen_column}" DESC LIMIT 8`,
    ],
    rescan: [`SELECT ${cols} FROM "${cfg.table}" ORDER BY "${cfg.last_seen_column}" DESC LIMIT 8`, `SELECT ${cols} FROM "${cfg.table}" ORDER BY rowid DESC LIMIT 8`],
  };
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

function firstLine(s: string): string {
  return s.split('\n').find((l) => l.trim() !== '') ?? s;
}

/** A device counts as active when the baseline saw it within this long before the baseline was taken. */
export const ACTIVE_WINDOW_MS = 24 * 3_600_000;

export interface TokenEvaluationInput {
  identity: string;
  phase: Phase;
  read: TokenDbRead | { error: string };
  baseline: IdentityBaseline | null;
  baselineRecordedAt: string | null;
  now: number;
  /** Where the baseline's expectation comes from, for problem lines (checks/baseline.ts baselineSource). */
  baselineSource?: string;
}

/** Rows for the panel plus the survival verdict: every baseline token present; active devices seen again after. */
export function evaluateTokens(input: TokenEvaluationInput): TokenItem[] {
  const { identity, read, baseline } = input;
  if ('error' in read) {
    return [{ identity, device: '—', tokenMasked: '', createdAt: null, lastSeenAt: null, survived: null, schemaVersion: null, ok: null, expected: 'token DB readable', actual: read.error, why: `${identity}: ${read.error}` }];
  }
  const byHash = new Map(baseline?.tokens.map((t) => [t.tokenHash, t]) ?? []);
  const source = input.baselineSource ?? 'baseline';
  const items: TokenItem[] = read.rows.map((row) => {
    const hash = hashToken(row.secret);
    const before = byHash.get(hash);
    byHash.delete(hash);
    const base = { identity, device: row.device, tokenMasked: maskToken(row.secret), createdAt: row.createdAt, lastSeenAt: row.lastSeenAt, schemaVersion: read.schemaVersion };
    const seen = row.lastSeenAt ? `last seen ${row.lastSeenAt}` : 'never seen';
    if (!baseline) return { ...base, survived: null, ok: true, expected: 'token present', actual: seen };
    if (!before) return { ...base, survived: null, ok: true, expected: 'token present', actual: `${seen} (new since the baseline)` };
    const mustAdvance = input.phase === 'after' && isActive(before, input.baselineRecordedAt);
    if (mustAdvance && !advanced(before.lastSeenAt, row.lastSeenAt)) {
      const actual = `last_seen_at ${row.lastSeenAt ?? 'never'} not advanced since the baseline (${before.lastSeenAt})`;
      const why = `${identity}/${row.device}: last_seen_at: expected after ${before.lastSeenAt} (${source}), got ${row.lastSeenAt ?? 'never'}`;
      return { ...base, survived: true, ok: false, expected: 'active device seen again after the cutover', actual, why };
    }
    const expected = mustAdvance ? 'survived, seen again after the cutover' : 'survived';
    return { ...base, survived: true, ok: true, expected, actual: `survived, ${seen}` };
  });
  for (const lost of byHash.values()) {
    const actual = `missing from ${read.shownAs ?? read.container}:${read.path}`;
    items.push({
      identity,
      device: lost.device,
      tokenMasked: lost.tokenMasked,
      createdAt: lost.createdAt,
      lastSeenAt: lost.lastSeenAt,
      survived: false,
      schemaVersion: read.schemaVersion,
      ok: false,
      expected: 'token from the baseline still present',
      actual,
      why: `${identity}/${lost.device} (${lost.tokenMasked}): expected present (${source}), got ${actual}`,
    });
  }
  if (items.length === 0) {
    items.push({ identity, device: '—', tokenMasked: '', createdAt: null, lastSeenAt: null, survived: null, schemaVersion: read.schemaVersion, ok: true, expected: 'token rows', actual: 'no device tokens' });
  }
  return items;
}

function isActive(t: { lastSeenAt: string | null }, recordedAt: string | null): boolean {
  if (!t.lastSeenAt || !recordedAt) return false;
  return Date.parse(recordedAt) - Date.parse(t.lastSeenAt) <= ACTIVE_WINDOW_MS;
}

function advanced(before: string | null, now: string | null): boolean {
  if (!now) return false;
  if (!before) return true;
  return Date.parse(now) > Date.parse(before);
}

/** The most recently seen device token, for the authenticated smoke call. */
export function pickToken(rows: TokenRow[]): TokenRow | null {
  return [...rows].sort((a, b) => (b.lastSeenAt ?? '').localeCompare(a.lastSeenAt ?? ''))[0] ?? null;
}
