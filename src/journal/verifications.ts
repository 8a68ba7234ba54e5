// The verification history's tables (migration v2): scheduled `cutover verify` runs, each with its smoke
// checks (ok, status, latency) and device tokens (last seen). Writers: `cutover verify --every/--record`
// (no lease needed: the runs change nothing on the host). Readers: journal --verifications, the
// stability gate, review and the cockpit. The aggregation is pure, in checks/history.ts.
import { hostname } from 'node:os';
import type { Journal } from './journal.ts';
import type { NewVerificationRun, VerificationRun } from '../../checks/history.ts';

type Row = Record<string, unknown>;
const bool = (v: boolean | null) => (v === null ? null : v ? 1 : 0);
const fromBool = (v: unknown) => (v === null || v === undefined ? null : Number(v) === 1);

export function recordVerification(j: Journal, run: NewVerificationRun): number {
  const r = j.redactor;
  const write = j.db.transaction((): number => {
    const id = Number(
      j.db
        .prepare('INSERT INTO verifications (runbook_name, at, duration_ms, interval_ms, ok, error, phase, criteria, restarts, host, pid) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(run.runbook, run.at, Math.round(run.durationMs), Math.round(run.intervalMs), bool(run.ok), r.apply(run.error ?? undefined) ?? null, run.phase, r.json(run.criteria), run.restarts === null ? null : r.json(run.restarts), hostname(), process.pid).lastInsertRowid,
    );
    const check = j.db.prepare('INSERT INTO verification_checks (verification_id, identity, check_name, vantage, ok, status, latency_ms, said) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    for (const c of run.checks) check.run(id, c.identity, c.check, c.vantage, bool(c.ok), c.status, c.latencyMs === null ? null : Math.round(c.latencyMs), r.apply(c.said) ?? '');
    const token = j.db.prepare('INSERT INTO verification_tokens (verification_id, identity, device, ok, last_seen_at, said) VALUES (?, ?, ?, ?, ?, ?)');
    for (const t of run.tokens) token.run(id, t.identity, t.device, bool(t.ok), t.lastSeenAt, r.apply(t.said) ?? '');
    return id;
  });
  return write.immediate();
}

/** Runs in time order, optionally of one runbook and from a time on. */
export function verificationRuns(j: Journal, opts: { runbook?: string; from?: number } = {}): VerificationRun[] {
  const where: string[] = [];
  const args: unknown[] = [];
  if (opts.runbook !== undefined) (where.push('runbook_name = ?'), args.push(opts.runbook));
  if (opts.from !== undefined) (where.push('at >= ?'), args.push(opts.from));
  const sql = `SELECT * FROM verifications${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY at, id`;
  const rows = j.db.prepare(sql).all(...args) as Row[];
  if (!rows.length) return [];
  const ids = rows.map((x) => Number(x.id));
  const [lo, hi] = [Math.min(...ids), Math.max(...ids)];
  const checks = new Map<number, VerificationRun['checks']>();
  for (const c of j.db.prepare('SELECT * FROM verification_checks WHERE verification_id BETWEEN ? AND ? ORDER BY rowid').all(lo, hi) as Row[]) {
    const list = checks.get(Number(c.verification_id)) ?? [];
    list.push({ identity: String(c.identity), check: String(c.check_name), vantage: String(c.vantage), ok: fromBool(c.ok), status: c.status === null ? null : Number(c.status), latencyMs: c.latency_ms === null ? null : Number(c.latency_ms), said: String(c.said) });
    checks.set(Number(c.verification_id), list);
  }
  const tokens = new Map<number, VerificationRun['tokens']>();
  for (const t of j.db.prepare('SELECT * FROM verification_tokens WHERE verification_id BETWEEN ? AND ? ORDER BY rowid').all(lo, hi) as Row[]) {
    const list = tokens.get(Number(t.verification_id)) ?? [];
    list.push({ identity: String(t.identity), device: String(t.device), ok: fromBool(t.ok), lastSeenAt: t.last_seen_at === null ? null : String(t.last_seen_at), said: String(t.said) });
    tokens.set(Number(t.verification_id), list);
  }
  return rows.map((x) => ({
    id: Number(x.id),
    runbook: String(x.runbook_name),
    at: Number(x.at),
    durationMs: Number(x.duration_ms),
    intervalMs: Number(x.interval_ms),
    ok: fromBool(x.ok),
    error: x.error === null ? null : String(x.error),
    phase: x.phase === null ? null : String(x.phase),
    criteria: JSON.parse(String(x.criteria)) as VerificationRun['criteria'],
    checks: checks.get(Number(x.id)) ?? [],
    tokens: tokens.get(Number(x.id)) ?? [],
    restarts: x.restarts === null ? null : (JSON.parse(String(x.restarts)) as VerificationRun['restarts']),
  }));
}

/** Runbook names with recorded verifications (a decommission's gate looks for its cutover's). */
export function verifiedRunbooks(j: Journal): string[] {
  return (j.db.prepare('SELECT DISTINCT runbook_name AS n FROM verifications ORDER BY n').all() as Row[]).map((x) => String(x.n));
}

/** The newest run's id (0 without any): a cheap "has anything changed" for pollers. */
export function latestVerificationId(j: Journal): number {
  return Number((j.db.prepare('SELECT COALESCE(MAX(id), 0) AS id FROM verifications').get() as Row).id);
}
