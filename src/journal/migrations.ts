// The journal's schema, versioned through SQLite's user_version: MIGRATIONS[i] takes version i to i+1.
// Append new migrations; never edit a released one.
import type Database from 'better-sqlite3';

export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    runbook_path TEXT NOT NULL,
    runbook_name TEXT NOT NULL,
    runbook_sha256 TEXT NOT NULL,
    runbook_text TEXT NOT NULL,
    host TEXT NOT NULL,
    operator TEXT NOT NULL,
    ssh_client TEXT,
    mode TEXT NOT NULL,
    pid INTEGER NOT NULL,
    started_at INTEGER NOT NULL,
    ended_at INTEGER,
    outcome TEXT,
    outage_started_at INTEGER,
    outage_ended_at INTEGER,
    client_outage TEXT
  );
  -- Every state change, in order: the follower feed reads this table by id.
  CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id INTEGER REFERENCES runs(id),
    at INTEGER NOT NULL,
    kind TEXT NOT NULL,
    step_key TEXT,
    state TEXT,
    action TEXT,
    title TEXT,
    command TEXT,
    exit_code INTEGER,
    output TEXT,
    changed TEXT,
    backup_path TEXT,
    error TEXT,
    detail TEXT
  );
  CREATE INDEX events_run ON events(run_id, id);
  CREATE TABLE baselines (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id INTEGER NOT NULL REFERENCES runs(id),
    kind TEXT NOT NULL CHECK (kind IN ('key', 'token')),
    identity TEXT NOT NULL,
    name TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    masked TEXT NOT NULL,
    created_at TEXT,
    last_seen_at TEXT,
    at INTEGER NOT NULL
  );
  CREATE TABLE snapshots (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id INTEGER REFERENCES runs(id),
    at INTEGER NOT NULL,
    source TEXT NOT NULL,
    ok INTEGER,
    json TEXT NOT NULL
  );
  CREATE TABLE waivers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id INTEGER REFERENCES runs(id),
    gate TEXT NOT NULL,
    who TEXT NOT NULL,
    reason TEXT NOT NULL,
    at INTEGER NOT NULL
  );
  CREATE TABLE lease (
    target TEXT PRIMARY KEY,
    holder_id TEXT NOT NULL,
    user TEXT NOT NULL,
    pid INTEGER NOT NULL,
    host TEXT NOT NULL,
    tty TEXT,
    run_id INTEGER,
    started_at INTEGER NOT NULL,
    heartbeat_at INTEGER NOT NULL
  );
  `,
  // v2: the verification history (issue 21): one row per scheduled/recorded `cutover verify` run, with
  // per-check and per-token rows (src/journal/verifications.ts).
  `
  CREATE TABLE verifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    runbook_name TEXT NOT NULL,
    at INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL,
    interval_ms INTEGER NOT NULL,
    ok INTEGER,
    error TEXT,
    phase TEXT,
    criteria TEXT NOT NULL,
    restarts TEXT,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL
  );
  CREATE INDEX verifications_at ON verifications(runbook_name, at);
  CREATE TABLE verification_checks (
    verification_id INTEGER NOT NULL REFERENCES verifications(id),
    identity TEXT NOT NULL,
    check_name TEXT NOT NULL,
    vantage TEXT NOT NULL,
    ok INTEGER,
    status INTEGER,
    latency_ms INTEGER,
    said TEXT NOT NULL
  );
  CREATE INDEX verification_checks_run ON verification_checks(verification_id);
  CREATE TABLE verification_tokens (
    verification_id INTEGER NOT NULL REFERENCES verifications(id),
    identity TEXT NOT NULL,
    device TEXT NOT NULL,
    ok INTEGER,
    last_seen_at TEXT,
    said TEXT NOT NULL
  );
  CREATE INDEX verification_tokens_run ON verification_tokens(verification_id);
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Brings the database to SCHEMA_VERSION; each migration is one transaction. */
export function migrate(db: Database.Database, file: string): void {
  // The version is read inside each write transaction, so two processes opening a new journal at once
  // never run the same migration twice.
  const step = db.transaction((): boolean => {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new Error(`${file}: journal schema v${version} is newer than this cutover understands (v${SCHEMA_VERSION}); upgrade cutover`);
    }
    if (version === SCHEMA_VERSION) return false;
    db.exec(MIGRATIONS[version]!);
    db.pragma(`user_version = ${version + 1}`);
    return true;
  });
  while (step.immediate());
}

/** For read-only openers: they cannot migrate, so they accept only the current version. */
export function assertCurrent(db: Database.Database, file: string): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  const tables = (db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name IN ('runs', 'events')").get() as { n: number }).n;
  if (version === 0 && tables === 0) {
    const e = new Error(`${file} holds no journal (no runs, no events: an empty database). Move it aside and keep it for diagnosis: mv ${file} ${file}.broken-$(date -u +%Y%m%dT%H%M%SZ); the next driver command then starts a new journal`);
    throw Object.assign(e, { code: 'CUTOVER_EMPTY_JOURNAL' });
  }
  if (version !== SCHEMA_VERSION) {
    throw new Error(`${file}: journal schema v${version}, this cutover reads v${SCHEMA_VERSION}; run a driver command (apply) once to migrate it`);
  }
}
