// The journal: one SQLite file per runbook state dir. Writers are drivers holding the lease; readers
// (journal, report, watch, status) open it read-only and never block the writer (WAL).
import { openDatabase, type Database } from '../sqlite.ts';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Snapshot } from '../../checks/types.ts';
import { isStepFailureCode, type StepState } from '../engine/types.ts';
import { systemClock, type Clock } from '../ports.ts';
import { currentHolder, describeHolder } from './holder.ts';
import { assertCurrent, migrate } from './migrations.ts';
import { fingerprintSecret, maskSecret, Redactor } from './redact.ts';
import type {
  BaselineRecord,
  ClientOutage,
  EventKind,
  JournalEvent,
  KeyBaseline,
  RunOutcome,
  RunRecord,
  RunStart,
  StepEventInput,
  StepRecord,
  TokenBaseline,
  WaiverRecord,
} from './types.ts';

export const JOURNAL_FILE = 'journal.sqlite';
/** Bytes of step output kept: the head and the tail, with a marker in between. */
export const OUTPUT_LIMIT = 16 * 1024;

export interface OpenJournalOptions {
  stateDir: string;
  readonly?: boolean;
  clock?: Clock;
  env?: NodeJS.ProcessEnv;
}

export class JournalMissingError extends Error {
  constructor(readonly file: string) {
    super(`no journal at ${file}: nothing has run for this runbook yet (or pass --state DIR)`);
    this.name = 'JournalMissingError';
  }
}

/** The journal file is empty or not a SQLite database: named as such, with the fix (never "migrate"). */
export class JournalBrokenError extends Error {
  constructor(
    readonly file: string,
    why: string,
  ) {
    super(
      `${file} is ${why}: it is not a journal cutover can read, and its history is not in it. ` +
        `Move it aside and keep it for diagnosis: mv ${file} ${file}.broken-$(date -u +%Y%m%dT%H%M%SZ) ` +
        `(also any ${file}-wal and ${file}-shm next to it); the next driver command then starts a new journal. ` +
        'Check the live state with cutover status before driving again.',
    );
    this.name = 'JournalBrokenError';
  }
}

function brokenWhy(file: string, err: unknown): string | null {
  const code = (err as { code?: string }).code;
  if (code === 'SQLITE_NOTADB') return 'not a SQLite database (corrupt or overwritten)';
  if (code === 'SQLITE_CORRUPT') return `corrupt (${(err as Error).message})`;
  return null;
}

/** A write failed for lack of storage: disk full, quota, I/O error, read-only file system. */
export function isStorageError(err: unknown): boolean {
  const code = String((err as { code?: unknown } | null)?.code ?? '');
  return /^SQLITE_(FULL|IOERR|READONLY)/.test(code) || ['ENOSPC', 'EIO', 'EROFS', 'EDQUOT'].includes(code);
}

/**
 * Space set aside next to the journal while a driver holds it: when a write fails because the disk is full it
 * is deleted, so the lease release and the events held in memory still find room when the driver closes.
 */
export const RESERVE_FILE = '.journal-reserve';
const RESERVE_BYTES = 1024 * 1024;

function ensureReserve(stateDir: string): void {
  const file = join(stateDir, RESERVE_FILE);
  try {
    if (existsSync(file) && statSync(file).size >= RESERVE_BYTES) return;
    writeFileSync(file, Buffer.alloc(RESERVE_BYTES), { mode: 0o600 });
  } catch {
    // Already too full for it: the write failure path copes without (the lease's marker file).
    rmSync(file, { force: true });
  }
}

export function openJournal(opts: OpenJournalOptions): Journal {
  const file = join(opts.stateDir, JOURNAL_FILE);
  // A journal that exists with zero bytes lost its history (truncated, or a full disk when it was created);
  // one created a moment ago is another process opening a new journal.
  if (existsSync(file) && !existsSync(file + '-wal')) {
    const st = statSync(file);
    if (st.size === 0 && Date.now() - st.mtimeMs > 10_000) throw new JournalBrokenError(file, 'empty (0 bytes)');
  }
  try {
    return openJournalFile(opts, file);
  } catch (err) {
    const why = brokenWhy(file, err);
    if (why) throw new JournalBrokenError(file, why);
    throw err;
  }
}

function openJournalFile(opts: OpenJournalOptions, file: string): Journal {
  if (opts.readonly) {
    if (!existsSync(file)) throw new JournalMissingError(file);
    const db = openDatabase(file, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    try {
      assertCurrent(db, file);
    } catch (err) {
      db.close();
      throw err;
    }
    return new Journal(db, file, true, opts.clock ?? systemClock, opts.env ?? process.env);
  }
  mkdirSync(opts.stateDir, { recursive: true, mode: 0o700 });
  chmodSync(opts.stateDir, 0o700);
  // Create the file 0600 before SQLite does: SQLite gives the -wal/-shm files the main file's mode.
  closeSync(openSync(file, 'a', 0o600));
  chmodSync(file, 0o600);
  const db = openDatabase(file);
  db.pragma('busy_timeout = 5000');
  enableWal(db);
  db.pragma('foreign_keys = ON');
  migrate(db, file);
  for (const side of ['-wal', '-shm']) if (existsSync(file + side)) chmodSync(file + side, 0o600);
  ensureReserve(opts.stateDir);
  return new Journal(db, file, false, opts.clock ?? systemClock, opts.env ?? process.env);
}

/**
 * Switching to WAL needs a moment alone with the file, and SQLite answers SQLITE_BUSY at once (without the
 * busy handler) while another process is opening the same new journal; retry for a bounded time.
 */
function enableWal(db: Database): void {
  const deadline = Date.now() + 5000;
  for (;;) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
  }
}

type Row = Record<string, unknown>;

export class Journal {
  readonly redactor = new Redactor();
  /**
   * Set when a write failed for lack of storage (disk full, I/O error). From then on the driver goes on from
   * memory: events and run updates are held here, read back by events()/run()/runs(), and written by
   * saveUnsaved() once there is room again (close). Drivers check it after every step.
   */
  failure: Error | null = null;
  /** Told once, when the first write fails. */
  onStorageFailure?: (err: Error) => void;
  private unsaved: JournalEvent[] = [];
  private runPatches = new Map<number, Row>();
  private nextMemoryId = 0;

  constructor(
    /** For the journal's own modules (lease, follow); other code uses the methods. */
    readonly db: Database,
    readonly file: string,
    readonly readonly: boolean,
    readonly clock: Clock,
    readonly env: NodeJS.ProcessEnv,
  ) {}

  close(): void {
    this.db.close();
  }

  /** Drops an event held in memory (one that described a step the driver then did not start). */
  forget(id: number): void {
    this.unsaved = this.unsaved.filter((e) => e.id !== id);
  }

  /** Events held in memory since a write failed (not on disk yet). */
  unsavedEvents(): readonly JournalEvent[] {
    return this.unsaved;
  }

  /** A write outside the journal's own methods (the lease) failed for lack of storage: degrade as they do. */
  storageFailed(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    this.nextMemoryId = this.lastEventIdOnDisk() + 1;
    // Room for the lease release and the events held in memory.
    rmSync(join(dirname(this.file), RESERVE_FILE), { force: true });
    this.onStorageFailure?.(err);
  }

  /** Runs a write; when it fails for lack of storage, the journal degrades and `memory` keeps the change. */
  private write(disk: () => void, memory: () => void): void {
    if (this.failure) return memory();
    try {
      disk();
    } catch (err) {
      if (!isStorageError(err)) throw err;
      this.storageFailed(err as Error);
      memory();
    }
  }

  private patchRun(runId: number, patch: Row): void {
    this.runPatches.set(runId, { ...this.runPatches.get(runId), ...patch });
  }

  private patched(row: Row | undefined): Row | undefined {
    if (!row) return row;
    const p = this.runPatches.get(Number(row.id));
    return p ? { ...row, ...p } : row;
  }

  /**
   * After a storage failure: writes what was held in memory (run updates, events) in one transaction once
   * there is room again. Returns how many events were saved; throws when it still cannot write.
   */
  saveUnsaved(): number {
    if (!this.unsaved.length && !this.runPatches.size) return 0;
    const events = this.unsaved;
    const COLUMNS = new Set(['pid', 'ended_at', 'outcome', 'outage_started_at', 'outage_ended_at', 'client_outage']);
    this.db.transaction(() => {
      for (const [id, p] of this.runPatches) {
        for (const [col, v] of Object.entries(p)) if (COLUMNS.has(col)) this.db.prepare(`UPDATE runs SET ${col} = ? WHERE id = ?`).run(v as never, id);
      }
      for (const e of events) {
        this.db
          .prepare(
            `INSERT INTO events (run_id, at, kind, step_key, state, action, title, command, exit_code, output, changed, backup_path, error, detail)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(e.runId, e.at, e.kind, e.stepKey, e.state, e.action, e.title, e.command, e.exitCode, e.output, e.changed === null ? null : JSON.stringify(e.changed), e.backupPath, e.error, e.detail === null ? null : JSON.stringify(e.detail));
      }
    })();
    this.unsaved = [];
    this.runPatches.clear();
    return events.length;
  }

  /** Values (token secrets read by the driver) to scrub from everything written from now on. */
  registerSecrets(...secrets: string[]): void {
    this.redactor.add(...secrets);
  }

  // ── runs ──────────────────────────────────────────────────────────────────────────────────────────

  startRun(input: RunStart): number {
    const holder = currentHolder(this.env);
    const at = input.at ?? this.clock.now();
    const operator = input.operator ?? describeHolder(holder);
    const id = Number(
      this.db
        .prepare(
          `INSERT INTO runs (runbook_path, runbook_name, runbook_sha256, runbook_text, host, operator, ssh_client, mode, pid, started_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(input.runbookPath, input.runbookName, input.runbookSha256, input.runbookText, input.host, operator, holder.sshClient, input.mode, holder.pid, at)
        .lastInsertRowid,
    );
    this.event(id, 'run', { state: 'started', at, detail: { operator, mode: input.mode, pid: holder.pid } });
    return id;
  }

  /** Marks that a driver picked an unfinished run up again (resume), and who. */
  resumeRun(runId: number, at = this.clock.now()): void {
    const holder = currentHolder(this.env);
    this.write(() => this.db.prepare('UPDATE runs SET pid = ? WHERE id = ?').run(holder.pid, runId), () => this.patchRun(runId, { pid: holder.pid }));
    this.event(runId, 'run', { state: 'resumed', at, detail: { operator: describeHolder(holder), pid: holder.pid } });
  }

  endRun(runId: number, outcome: RunOutcome, at = this.clock.now()): void {
    this.write(() => this.db.prepare('UPDATE runs SET ended_at = ?, outcome = ? WHERE id = ?').run(at, outcome, runId), () => this.patchRun(runId, { ended_at: at, outcome }));
    this.event(runId, 'run', { state: 'ended', at, detail: { outcome } });
  }

  /**
   * Ends a run that cannot be resumed or rolled back on the world as it is (rebuilt, recreated): outcome
   * 'abandoned', with who and why. Nothing in the world is touched.
   */
  abandonRun(runId: number, reason: string, who?: string, at = this.clock.now()): void {
    const by = who ?? describeHolder(currentHolder(this.env));
    this.event(runId, 'note', { at, state: 'abandoned', detail: { who: by, text: `abandoned: ${reason}`, reason } });
    this.endRun(runId, 'abandoned', at);
  }

  runs(): RunRecord[] {
    return (this.db.prepare('SELECT * FROM runs ORDER BY id').all() as Row[]).map((r) => toRun(this.patched(r)!));
  }

  run(id: number): RunRecord | null {
    const row = this.patched(this.db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as Row | undefined);
    return row ? toRun(row) : null;
  }

  /** The newest run that never ended (its driver died or lost its session), or null. */
  unfinishedRun(): RunRecord | null {
    return [...this.runs()].reverse().find((r) => r.endedAt === null) ?? null;
  }

  latestRun(mode?: RunRecord['mode']): RunRecord | null {
    const row = this.patched((mode
      ? this.db.prepare('SELECT * FROM runs WHERE mode = ? ORDER BY id DESC LIMIT 1').get(mode)
      : this.db.prepare('SELECT * FROM runs ORDER BY id DESC LIMIT 1').get()) as Row | undefined);
    return row ? toRun(row) : null;
  }

  // ── steps ─────────────────────────────────────────────────────────────────────────────────────────

  recordStep(runId: number, e: StepEventInput): number {
    return this.event(runId, 'step', {
      at: e.at,
      stepKey: e.stepKey,
      state: e.state,
      action: e.action,
      title: e.title,
      command: e.command,
      exitCode: e.exitCode,
      output: e.output === undefined ? undefined : truncateOutput(e.output),
      changed: e.changed,
      backupPath: e.backupPath,
      error: e.error,
      ...(e.code ? { detail: { code: e.code } } : {}),
    });
  }

  /**
   * Intent before effect: what a step is about to change (the file, its backup path, the previous value),
   * written before the step touches anything, so undo and resume find it even when the driver dies mid-write.
   */
  recordIntent(runId: number, stepKey: string, intent: Record<string, unknown>, at = this.clock.now()): number {
    return this.event(runId, 'intent', { at, stepKey, changed: intent });
  }

  /** The intents journaled for one step of a run, oldest first (the first one describes the world before it). */
  intents(runId: number, stepKey: string): Record<string, unknown>[] {
    const disk = (this.db.prepare("SELECT changed FROM events WHERE run_id = ? AND kind = 'intent' AND step_key = ? ORDER BY id").all(runId, stepKey) as Row[]).map((r) =>
      r.changed ? (JSON.parse(String(r.changed)) as Record<string, unknown>) : {},
    );
    const held = this.unsaved.filter((e) => e.runId === runId && e.kind === 'intent' && e.stepKey === stepKey).map((e) => (e.changed ?? {}) as Record<string, unknown>);
    return [...disk, ...held];
  }

  stepStates(runId: number): Map<string, StepRecord> {
    return foldSteps(this.events(runId).filter((e) => e.kind === 'step'));
  }

  // ── outage ────────────────────────────────────────────────────────────────────────────────────────

  outageOpened(runId: number, at = this.clock.now()): void {
    const open = this.run(runId)?.outage.startedAt ?? null;
    this.write(() => this.db.prepare('UPDATE runs SET outage_started_at = COALESCE(outage_started_at, ?) WHERE id = ?').run(at, runId), () => this.patchRun(runId, { outage_started_at: open ?? at }));
    this.event(runId, 'outage', { state: 'opened', at });
  }

  outageClosed(runId: number, at = this.clock.now()): void {
    this.write(() => this.db.prepare('UPDATE runs SET outage_ended_at = ? WHERE id = ?').run(at, runId), () => this.patchRun(runId, { outage_ended_at: at }));
    this.event(runId, 'outage', { state: 'closed', at });
  }

  recordClientOutage(runId: number, outage: ClientOutage, at = this.clock.now()): void {
    this.write(() => this.db.prepare('UPDATE runs SET client_outage = ? WHERE id = ?').run(JSON.stringify(outage), runId), () => this.patchRun(runId, { client_outage: JSON.stringify(outage) }));
    this.event(runId, 'outage', { state: 'client', at, detail: outage });
  }

  // ── baselines, snapshots, waivers, notes ──────────────────────────────────────────────────────────

  recordKeyBaseline(runId: number, k: KeyBaseline, at = this.clock.now()): void {
    const masked = k.publicKey ? `${k.publicKey.slice(0, 10)}…` : '';
    // Kept in the baseline file as well: lost here only when the disk is full.
    this.write(
      () => this.db.prepare('INSERT INTO baselines (run_id, kind, identity, name, fingerprint, masked, at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(runId, 'key', k.identity, k.name ?? 'keys.json', k.fingerprint, masked, at),
      () => {},
    );
  }

  recordTokenBaseline(runId: number, t: TokenBaseline, at = this.clock.now()): void {
    if (t.token) this.registerSecrets(t.token);
    const fingerprint = t.token ? fingerprintSecret(t.token) : '';
    const masked = t.token ? maskSecret(t.token) : this.redactor.apply(t.tokenMasked ?? '…');
    this.write(
      () =>
        this.db
          .prepare('INSERT INTO baselines (run_id, kind, identity, name, fingerprint, masked, created_at, last_seen_at, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
          .run(runId, 'token', t.identity, t.device, fingerprint, masked, t.createdAt ?? null, t.lastSeenAt ?? null, at),
      () => {},
    );
  }

  baselines(runId: number): BaselineRecord[] {
    return (this.db.prepare('SELECT * FROM baselines WHERE run_id = ? ORDER BY id').all(runId) as Row[]).map((r) => ({
      kind: r.kind as 'key' | 'token',
      identity: String(r.identity),
      name: String(r.name),
      fingerprint: String(r.fingerprint),
      masked: String(r.masked),
      createdAt: (r.created_at as string | null) ?? null,
      lastSeenAt: (r.last_seen_at as string | null) ?? null,
      at: Number(r.at),
    }));
  }

  /** A checks/types.ts Snapshot, e.g. the one verify took at the end of a run. */
  recordSnapshot(runId: number | null, source: string, snapshot: Snapshot, at = this.clock.now()): void {
    this.write(
      () => this.db.prepare('INSERT INTO snapshots (run_id, at, source, ok, json) VALUES (?, ?, ?, ?, ?)').run(runId, at, source, snapshot.ok === null ? null : Number(snapshot.ok), this.redactor.json(snapshot)),
      () => {},
    );
  }

  latestSnapshot(runId: number, source?: string): { at: number; source: string; snapshot: Snapshot } | null {
    const row = (source
      ? this.db.prepare('SELECT * FROM snapshots WHERE run_id = ? AND source = ? ORDER BY id DESC LIMIT 1').get(runId, source)
      : this.db.prepare('SELECT * FROM snapshots WHERE run_id = ? ORDER BY id DESC LIMIT 1').get(runId)) as Row | undefined;
    return row ? { at: Number(row.at), source: String(row.source), snapshot: JSON.parse(String(row.json)) as Snapshot } : null;
  }

  /** A gate passed on a person's word (e.g. the stability window): who, why, when. */
  recordWaiver(w: { runId?: number | null; gate: string; who?: string; reason: string; at?: number }): number {
    const who = w.who ?? describeHolder(currentHolder(this.env));
    const at = w.at ?? this.clock.now();
    const id = Number(
      this.db.prepare('INSERT INTO waivers (run_id, gate, who, reason, at) VALUES (?, ?, ?, ?, ?)').run(w.runId ?? null, w.gate, who, this.redactor.apply(w.reason), at)
        .lastInsertRowid,
    );
    this.event(w.runId ?? null, 'waiver', { state: w.gate, at, detail: { who, reason: w.reason } });
    return id;
  }

  waivers(runId?: number): WaiverRecord[] {
    const rows = (runId === undefined
      ? this.db.prepare('SELECT * FROM waivers ORDER BY id').all()
      : this.db.prepare('SELECT * FROM waivers WHERE run_id = ? ORDER BY id').all(runId)) as Row[];
    return rows.map((r) => ({ id: Number(r.id), runId: (r.run_id as number | null) ?? null, gate: String(r.gate), who: String(r.who), reason: String(r.reason), at: Number(r.at) }));
  }

  addNote(runId: number, text: string, who?: string, at = this.clock.now()): void {
    this.event(runId, 'note', { at, detail: { who: who ?? describeHolder(currentHolder(this.env)), text } });
  }

  // ── events ────────────────────────────────────────────────────────────────────────────────────────

  events(runId: number): JournalEvent[] {
    const disk = (this.db.prepare('SELECT * FROM events WHERE run_id = ? ORDER BY id').all(runId) as Row[]).map(toEvent);
    return this.unsaved.length ? [...disk, ...this.unsaved.filter((e) => e.runId === runId)] : disk;
  }

  /** The follower feed: every event after `afterId`, oldest first. */
  eventsAfter(afterId: number, limit = 1000): JournalEvent[] {
    const disk = (this.db.prepare('SELECT * FROM events WHERE id > ? ORDER BY id LIMIT ?').all(afterId, limit) as Row[]).map(toEvent);
    return this.unsaved.length ? [...disk, ...this.unsaved.filter((e) => e.id > afterId)].slice(0, limit) : disk;
  }

  lastEventId(): number {
    return this.unsaved.length ? this.unsaved[this.unsaved.length - 1]!.id : this.lastEventIdOnDisk();
  }

  private lastEventIdOnDisk(): number {
    return Number((this.db.prepare('SELECT COALESCE(MAX(id), 0) AS id FROM events').get() as Row).id);
  }

  /** Appends one event; every text and JSON field is scrubbed of known secrets first. */
  event(
    runId: number | null,
    kind: EventKind,
    // A step event's fields (any of them: other kinds use some), a state that is not only a step's, and detail.
    f: Partial<Omit<StepEventInput, 'state'>> & { state?: string; detail?: unknown },
  ): number {
    const r = this.redactor;
    const v = {
      runId,
      at: f.at ?? this.clock.now(),
      kind,
      stepKey: f.stepKey ?? null,
      state: f.state ?? null,
      action: f.action ?? null,
      title: r.apply(f.title) ?? null,
      command: r.apply(f.command) ?? null,
      exitCode: f.exitCode ?? null,
      output: r.apply(f.output) ?? null,
      changed: r.json(f.changed) ?? null,
      backupPath: f.backupPath ?? null,
      error: r.apply(f.error) ?? null,
      detail: r.json(f.detail) ?? null,
    };
    let id = 0;
    this.write(
      () => {
        id = Number(
          this.db
            .prepare(
              `INSERT INTO events (run_id, at, kind, step_key, state, action, title, command, exit_code, output, changed, backup_path, error, detail)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
            )
            .run(v.runId, v.at, v.kind, v.stepKey, v.state, v.action, v.title, v.command, v.exitCode, v.output, v.changed, v.backupPath, v.error, v.detail).lastInsertRowid,
        );
      },
      () => {
        id = this.nextMemoryId++;
        const { changed, detail, ...rest } = v;
        this.unsaved.push({ ...rest, id, changed: changed ? JSON.parse(changed) : null, detail: detail ? JSON.parse(detail) : null });
      },
    );
    return id;
  }
}

export function truncateOutput(text: string, limit = OUTPUT_LIMIT): string {
  if (text.length <= limit) return text;
  const head = Math.floor(limit / 4);
  const tail = limit - head;
  return `${text.slice(0, head)}\n… (${text.length - limit} characters cut) …\n${text.slice(-tail)}`;
}

const TERMINAL: ReadonlySet<StepState> = new Set(['succeeded', 'failed', 'skipped']);

/** Folds step events (oldest first) into one record per step key, in first-seen order. */
export function foldSteps(events: JournalEvent[]): Map<string, StepRecord> {
  const steps = new Map<string, StepRecord>();
  for (const e of events) {
    if (!e.stepKey || !e.state) continue;
    const state = e.state as StepState;
    let s = steps.get(e.stepKey);
    if (!s) {
      s = { key: e.stepKey, state, action: null, title: null, startedAt: null, endedAt: null, durationMs: null, attempts: 0, command: null, exitCode: null, output: null, changed: null, backupPath: null, error: null, failureCode: null, rolledBack: null };
      steps.set(e.stepKey, s);
    }
    if (state === 'rolled-back') {
      s.state = state;
      s.rolledBack = { at: e.at, changed: e.changed ?? null, error: e.error };
      continue;
    }
    if (state === 'running') {
      // A new attempt: what the previous attempt left behind no longer describes the step.
      Object.assign(s, { attempts: s.attempts + 1, startedAt: e.at, endedAt: null, durationMs: null, exitCode: null, output: null, error: null, failureCode: null, rolledBack: null });
    }
    s.state = state;
    s.action = e.action ?? s.action;
    s.title = e.title ?? s.title;
    s.command = e.command ?? s.command;
    s.exitCode = e.exitCode ?? s.exitCode;
    s.output = e.output ?? s.output;
    s.changed = e.changed ?? s.changed;
    s.backupPath = e.backupPath ?? s.backupPath;
    s.error = e.error ?? s.error;
    const code = (e.detail as { code?: unknown } | null)?.code;
    if (state === 'failed' && isStepFailureCode(code)) s.failureCode = code;
    if (TERMINAL.has(state)) {
      s.endedAt = e.at;
      s.durationMs = s.startedAt === null ? null : e.at - s.startedAt;
    }
  }
  return steps;
}

function toRun(r: Row): RunRecord {
  const started = (r.outage_started_at as number | null) ?? null;
  const ended = (r.outage_ended_at as number | null) ?? null;
  return {
    id: Number(r.id),
    runbookPath: String(r.runbook_path),
    runbookName: String(r.runbook_name),
    runbookSha256: String(r.runbook_sha256),
    runbookText: String(r.runbook_text),
    host: String(r.host),
    operator: String(r.operator),
    sshClient: (r.ssh_client as string | null) ?? null,
    mode: r.mode as RunRecord['mode'],
    pid: Number(r.pid),
    startedAt: Number(r.started_at),
    endedAt: (r.ended_at as number | null) ?? null,
    outcome: (r.outcome as RunOutcome | null) ?? null,
    outage: { startedAt: started, endedAt: ended, ms: started !== null && ended !== null ? ended - started : null },
    clientOutage: r.client_outage ? (JSON.parse(String(r.client_outage)) as ClientOutage) : null,
  };
}

function toEvent(r: Row): JournalEvent {
  return {
    id: Number(r.id),
    runId: (r.run_id as number | null) ?? null,
    at: Number(r.at),
    kind: r.kind as EventKind,
    stepKey: (r.step_key as string | null) ?? null,
    state: (r.state as string | null) ?? null,
    action: (r.action as string | null) ?? null,
    title: (r.title as string | null) ?? null,
    command: (r.command as string | null) ?? null,
    exitCode: (r.exit_code as number | null) ?? null,
    output: (r.output as string | null) ?? null,
    changed: r.changed ? JSON.parse(String(r.changed)) : null,
    backupPath: (r.backup_path as string | null) ?? null,
    error: (r.error as string | null) ?? null,
    detail: r.detail ? JSON.parse(String(r.detail)) : null,
  };
}
