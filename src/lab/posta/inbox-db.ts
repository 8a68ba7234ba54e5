// inbox.db: posta's per-identity SQLite store. Schema v2 is what single-tenant posta (and seeding) creates;
// the multi-tenant daemon migrates it to v3 on first open (adds the `tenant` table naming the identity).
import { openDatabase, type Database } from '../../sqlite.ts';
import { existsSync } from 'node:fs';
import { PostaError } from './errors.ts';

export const LEGACY_SCHEMA_VERSION = 2;
export const MULTI_TENANT_SCHEMA_VERSION = 3;

const SCHEMA_V2 = `
CREATE TABLE auth_tokens (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  token TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  last_seen_at TEXT
);
CREATE TABLE messages (
  id INTEGER PRIMARY KEY,
  sender TEXT NOT NULL,
  body TEXT NOT NULL,
  received_at TEXT NOT NULL,
  read INTEGER NOT NULL DEFAULT 0
);
PRAGMA user_version = 2;
`;

const MIGRATE_V2_TO_V3 = `
CREATE TABLE tenant (slug TEXT PRIMARY KEY, migrated_at TEXT NOT NULL);
PRAGMA user_version = 3;
`;

export type InboxDb = Database;

/** Creates a fresh v2 inbox at `path` (which must not exist yet), in WAL mode. */
export function createInboxV2(path: string): InboxDb {
  const db = openDatabase(path);
  db.pragma('journal_mode = WAL');
  db.exec(SCHEMA_V2);
  return db;
}

/** Single-tenant open: creates a v2 inbox when none exists; refuses any other version. */
export function openLegacyInbox(path: string): { db: InboxDb; created: boolean } {
  if (!existsSync(path)) return { db: createInboxV2(path), created: true };
  const db = openExisting(path);
  const version = schemaVersion(db, path);
  if (version !== LEGACY_SCHEMA_VERSION) {
    db.close();
    const why = version === MULTI_TENANT_SCHEMA_VERSION ? ' (it was migrated by the multi-tenant daemon; single-tenant posta-server reads v2 only)' : '';
    throw new PostaError(`inbox ${path} is at schema v${version}, expected v${LEGACY_SCHEMA_VERSION}${why}`);
  }
  return { db, created: false };
}

/** Multi-tenant open: the inbox must exist; v2 is migrated to v3 in one transaction. */
export function openTenantInbox(path: string, slug: string): { db: InboxDb; migratedFrom: number | null } {
  if (!existsSync(path)) throw new PostaError(`inbox ${path} does not exist (identity ${slug})`);
  const db = openExisting(path);
  const version = schemaVersion(db, path);
  if (version === MULTI_TENANT_SCHEMA_VERSION) return { db, migratedFrom: null };
  if (version !== LEGACY_SCHEMA_VERSION) {
    db.close();
    throw new PostaError(`inbox ${path} is at schema v${version}; multi-tenant posta-server migrates v2 and reads v3 (identity ${slug})`);
  }
  db.transaction(() => {
    db.exec(MIGRATE_V2_TO_V3);
    db.prepare('INSERT INTO tenant (slug, migrated_at) VALUES (?, ?)').run(slug, new Date().toISOString());
  })();
  return { db, migratedFrom: LEGACY_SCHEMA_VERSION };
}

function openExisting(path: string): InboxDb {
  let db: InboxDb | undefined;
  try {
    db = openDatabase(path, { fileMustExist: true });
    db.pragma('journal_mode = WAL');
    // Catches a truncated or damaged copy at start, not at the first request (cheap on an inbox this size).
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new Error(String(check));
    return db;
  } catch (err) {
    db?.close();
    throw new PostaError(`corrupt inbox ${path}: ${(err as Error).message}`);
  }
}

function schemaVersion(db: InboxDb, path: string): number {
  const version = db.pragma('user_version', { simple: true }) as number;
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('auth_tokens', 'messages')").all();
  if (version === 0 || tables.length !== 2) {
    db.close();
    throw new PostaError(`corrupt inbox ${path}: not a posta inbox (user_version ${version}, ${tables.length}/2 expected tables)`);
  }
  return version;
}

export interface TokenRow {
  id: number;
  name: string;
}

/** Finds the token's row and marks it seen now; null when no row holds this token. */
export function authenticate(db: InboxDb, token: string): TokenRow | null {
  const row = db.prepare('SELECT id, name FROM auth_tokens WHERE token = ?').get(token) as TokenRow | undefined;
  if (!row) return null;
  db.prepare('UPDATE auth_tokens SET last_seen_at = ? WHERE id = ?').run(new Date().toISOString(), row.id);
  return row;
}

export function messageCount(db: InboxDb): number {
  return (db.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n;
}

/** Stores a delivered message; returns its row id. */
export function insertMessage(db: InboxDb, sender: string, body: string): number {
  return Number(db.prepare('INSERT INTO messages (sender, body, received_at, read) VALUES (?, ?, ?, 0)').run(sender, body, new Date().toISOString()).lastInsertRowid);
}
