// One driver per runbook target: a lease row with a heartbeat. Readers never take it.
import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, openSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { currentHolder, describeHolder, pidAlive } from './holder.ts';
import { isStorageError, type Journal } from './journal.ts';

/**
 * When the journal cannot be written (disk full even after its reserve was freed, an I/O error), a driver
 * releases its lease by creating this empty file (an inode, no data blocks) next to the journal; the lease
 * row it names counts as released, and the next driver removes both.
 */
export function releaseMarker(journal: Journal, holderId: string): string {
  return join(dirname(journal.file), `lease-released.${holderId}`);
}

/** A lease whose heartbeat is older than this is stale (its driver is gone or hung). */
export const STALE_MS = 15_000;
export const HEARTBEAT_MS = 3_000;

export interface LeaseHolder {
  user: string;
  pid: number;
  host: string;
  tty: string | null;
  runId: number | null;
  startedAt: number;
  heartbeatAt: number;
}

export interface LeaseOptions {
  /** What is being driven; one journal serves one runbook, so the default fits. */
  target?: string;
  /** Take over a stale lease (never a live one); recorded in the journal. */
  takeOver?: boolean;
  runId?: number;
  staleMs?: number;
  /** Heartbeat interval (unref'd); 0 = no automatic heartbeat. */
  heartbeatMs?: number;
  /** Called once when a heartbeat finds the lease is no longer ours. */
  onLost?: () => void;
}

export interface Lease {
  readonly target: string;
  readonly holder: LeaseHolder;
  /** True once a heartbeat found the row gone or owned by someone else: stop driving. */
  readonly lost: boolean;
  /** Refreshes heartbeatAt; false when the lease was lost. */
  heartbeat(): boolean;
  /** Links the lease to the run it drives (so a takeover is recorded in that run). */
  attachRun(runId: number): void;
  release(): void;
}

export class LockHeldError extends Error {
  constructor(
    readonly holder: LeaseHolder,
    /** Why the lease may be taken over, or null while its holder is alive. */
    readonly staleReason: string | null,
    now: number,
  ) {
    const who = `${holder.user} (pid ${holder.pid} on ${holder.host}${holder.tty ? `, ${holder.tty}` : ''})`;
    const since = `since ${new Date(holder.startedAt).toISOString()}, last heartbeat ${Math.round((now - holder.heartbeatAt) / 1000)}s ago`;
    super(
      staleReason
        ? `driver lease held by ${who} ${since}, but it looks stale (${staleReason}); take it over with --take-over`
        : `another driver is running: ${who} ${since}; follow it read-only with cutover watch`,
    );
    this.name = 'LockHeldError';
  }
}

const heldHere = new Set<string>();

export function acquireLease(journal: Journal, opts: LeaseOptions = {}): Lease {
  const target = opts.target ?? 'driver';
  const staleMs = opts.staleMs ?? STALE_MS;
  const me = currentHolder(journal.env);
  const holderId = randomUUID();
  const db = journal.db;

  const holder = db
    .transaction((): LeaseHolder => {
      const now = journal.clock.now();
      const row = db.prepare('SELECT * FROM lease WHERE target = ?').get(target) as Record<string, unknown> | undefined;
      if (row && existsSync(releaseMarker(journal, String(row.holder_id)))) {
        // Released by its driver when the journal could not be written: the row is stale by its own word.
        db.prepare('DELETE FROM lease WHERE target = ?').run(target);
        journal.event(toHolder(row).runId, 'lease', { state: 'released', at: now, detail: { by: 'marker file (the journal could not be written when its driver released it)' } });
        rmSync(releaseMarker(journal, String(row.holder_id)), { force: true });
      } else if (row) {
        const current = toHolder(row);
        const reason = staleReason(current, String(row.holder_id), me.host, now, staleMs);
        if (!reason || !opts.takeOver) throw new LockHeldError(current, reason, now);
        db.prepare('DELETE FROM lease WHERE target = ?').run(target);
        journal.event(current.runId, 'lease', {
          state: 'taken-over',
          at: now,
          detail: { from: current, reason, by: describeHolder(me), pid: me.pid, host: me.host },
        });
      }
      db.prepare('INSERT INTO lease (target, holder_id, user, pid, host, tty, run_id, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)').run(
        target,
        holderId,
        me.user,
        me.pid,
        me.host,
        me.tty,
        opts.runId ?? null,
        now,
        now,
      );
      journal.event(opts.runId ?? null, 'lease', { state: 'acquired', at: now, detail: { user: me.user, pid: me.pid, host: me.host, tty: me.tty, sshClient: me.sshClient, by: describeHolder(me) } });
      return { user: me.user, pid: me.pid, host: me.host, tty: me.tty, runId: opts.runId ?? null, startedAt: now, heartbeatAt: now };
    })
    .immediate();
  heldHere.add(holderId);

  let lost = false;
  let timer: NodeJS.Timeout | undefined;
  const stop = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
    heldHere.delete(holderId);
  };
  const lease: Lease = {
    target,
    holder,
    get lost() {
      return lost;
    },
    heartbeat() {
      if (lost) return false;
      const now = journal.clock.now();
      const changes = db.prepare('UPDATE lease SET heartbeat_at = ? WHERE target = ? AND holder_id = ?').run(now, target, holderId).changes;
      if (changes === 0) {
        lost = true;
        stop();
        opts.onLost?.();
        return false;
      }
      holder.heartbeatAt = now;
      return true;
    },
    attachRun(runId) {
      db.prepare('UPDATE lease SET run_id = ? WHERE target = ? AND holder_id = ?').run(runId, target, holderId);
      holder.runId = runId;
    },
    release() {
      stop();
      if (lost) return;
      const remove = () => db.prepare('DELETE FROM lease WHERE target = ? AND holder_id = ?').run(target, holderId).changes;
      let changes: number;
      try {
        changes = remove();
      } catch (err) {
        if (!isStorageError(err)) throw err;
        // The journal degrades (its reserve is freed): one more try, then the marker file.
        journal.storageFailed(err as Error);
        try {
          changes = remove();
        } catch (again) {
          if (!isStorageError(again)) throw again;
          closeSync(openSync(releaseMarker(journal, holderId), 'w', 0o600));
          journal.event(holder.runId, 'lease', { state: 'released', detail: { user: me.user, pid: me.pid, marker: releaseMarker(journal, holderId) } });
          return;
        }
      }
      if (changes) journal.event(holder.runId, 'lease', { state: 'released', detail: { user: me.user, pid: me.pid } });
    },
  };
  const every = opts.heartbeatMs ?? HEARTBEAT_MS;
  if (every > 0) {
    timer = setInterval(() => {
      try {
        lease.heartbeat();
      } catch {
        // A busy database skips one beat; the stale bound is several beats long.
      }
    }, every);
    timer.unref();
  }
  return lease;
}

/** The current lease holder, for readers (watch's header, journal); null when nobody drives. */
export function leaseHolder(journal: Journal, target = 'driver'): LeaseHolder | null {
  const row = journal.db.prepare('SELECT * FROM lease WHERE target = ?').get(target) as Record<string, unknown> | undefined;
  return row && !existsSync(releaseMarker(journal, String(row.holder_id))) ? toHolder(row) : null;
}

/**
 * The refusal acquireLease would throw right now, without taking anything (null when it would succeed): lets
 * `cutover run` refuse a second driver before it draws a screen.
 */
export function leaseRefusal(journal: Journal, opts: { target?: string; takeOver?: boolean; staleMs?: number } = {}): LockHeldError | null {
  const row = journal.db.prepare('SELECT * FROM lease WHERE target = ?').get(opts.target ?? 'driver') as Record<string, unknown> | undefined;
  if (!row || existsSync(releaseMarker(journal, String(row.holder_id)))) return null;
  const now = journal.clock.now();
  const current = toHolder(row);
  const reason = staleReason(current, String(row.holder_id), currentHolder(journal.env).host, now, opts.staleMs ?? STALE_MS);
  return reason && opts.takeOver ? null : new LockHeldError(current, reason, now);
}

function staleReason(h: LeaseHolder, holderId: string, myHost: string, now: number, staleMs: number): string | null {
  if (heldHere.has(holderId)) return null;
  const age = now - h.heartbeatAt;
  if (age > staleMs) return `no heartbeat for ${Math.round(age / 1000)}s`;
  if (h.host === myHost && (h.pid === process.pid || !pidAlive(h.pid))) return `pid ${h.pid} is gone`;
  return null;
}

function toHolder(r: Record<string, unknown>): LeaseHolder {
  return {
    user: String(r.user),
    pid: Number(r.pid),
    host: String(r.host),
    tty: (r.tty as string | null) ?? null,
    runId: (r.run_id as number | null) ?? null,
    startedAt: Number(r.started_at),
    heartbeatAt: Number(r.heartbeat_at),
  };
}
