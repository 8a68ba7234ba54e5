// The rollback plan: derived from what actually happened, newest first. Succeeded steps are undone; a failed
// destructive step, or a failed step whose action undoes itself (rollback "auto": it journals its intent
// first and its undo decides from the world), is undone too: it may have partly applied. The runner and the
// cockpit's overlay both call this one function. Steps whose undo is "none" stay in the list,
// marked not undoable with the reason, so the operator sees what remains changed.
import type { ResolvedRollback, ResolvedStep } from './types.ts';
import { stateOf, type StepStates } from './transitions.ts';

/** Reason given to non-destructive steps without a rollback; the rollback plan leaves them out. */
export const NOTHING_TO_UNDO = 'not destructive: nothing to undo';

export interface RollbackEntry {
  step: ResolvedStep;
  undo: ResolvedRollback;
  /** The step failed: its effect may be partial. */
  partial: boolean;
}

export interface RollbackPlan {
  /** Reverse plan order. 'auto' entries are undone by the executor from the action's own record. */
  entries: RollbackEntry[];
  /** The entries with kind 'none', for the "stays changed" list. */
  notUndoable: RollbackEntry[];
}

export function rollbackPlan(plan: readonly ResolvedStep[], states: StepStates): RollbackPlan {
  const entries: RollbackEntry[] = [];
  for (const step of [...plan].reverse()) {
    const state = stateOf(states, step.key);
    const partial = state === 'failed';
    if (state !== 'succeeded' && !(partial && (step.destructive || step.rollback.kind === 'auto'))) continue;
    if (step.rollback.kind === 'none' && step.rollback.reason === NOTHING_TO_UNDO) continue;
    entries.push({ step, undo: step.rollback, partial });
  }
  return { entries, notUndoable: entries.filter((e) => e.undo.kind === 'none') };
}

// ── After the rollback: the three proofs of the legacy path (measured by src/runner/rollback-proofs.ts) ──

export type ProofId = 'local' | 'public' | 'dials';

export const PROOF_LABEL: Record<ProofId, string> = {
  local: '(a) local probes at each legacy container',
  public: '(b) public probes through the proxy',
  dials: '(c) live proxy dials = the recorded original',
};

export interface LegacyProof {
  id: ProofId;
  /** null: does not apply (the runbook has no smoke checks / no proxy). */
  ok: boolean | null;
  summary: string;
  /** Per identity (or site) what failed. */
  failures: { identity: string; why: string }[];
}

/** Whether the proofs allow "rolled back": every proof that applies holds. */
export const proofsHold = (proofs: LegacyProof[]) => proofs.every((p) => p.ok !== false);

/** One line per failing proof and identity, for the INCOMPLETE verdict. */
export function proofFailures(proofs: LegacyProof[]): string[] {
  return proofs.filter((p) => p.ok === false).map((p) => `${PROOF_LABEL[p.id]} failed for ${[...new Set(p.failures.map((f) => f.identity))].join(', ') || '?'}`);
}

/** The three proofs as the drivers print them: one line each, then one indented line per failure. */
export function proofLines(proofs: LegacyProof[]): string[] {
  const lines: string[] = [];
  for (const p of proofs) {
    lines.push(`${p.ok === null ? '·' : p.ok ? '✓' : '✗'} ${PROOF_LABEL[p.id]}: ${p.ok === null ? `n/a (${p.summary})` : p.ok ? p.summary : 'FAILED'}`);
    for (const f of p.failures) lines.push(`    ${f.identity}: ${f.why}`);
  }
  return lines;
}

/** Why a rollback is INCOMPLETE: failed undos, then each failing proof with the identities it failed for. */
export function incompleteReasons(o: { entries: { key: string; ok: boolean }[]; proofs: LegacyProof[]; newWrites?: { copyBack: { identity: string; ok: boolean }[] } | null }): string[] {
  return [...o.entries.filter((x) => !x.ok).map((x) => `undo of ${x.key} failed`), ...(o.newWrites?.copyBack ?? []).filter((c) => !c.ok).map((c) => `copy-back of ${c.identity} failed`), ...proofFailures(o.proofs)];
}

// ── Before the rollback: writes the target took since the copy (measured by src/runner/rollback-writes.ts) ──

/** What to do with writes the target's database took after the cutover copied it. */
export type NewWritesChoice = 'copy-back' | 'discard-new-writes';

export interface TableStatsLike {
  rows: number;
  maxRowid: number | null;
}

/** One table whose row count or max rowid moved since the copy. */
export interface TableDelta {
  table: string;
  rowsThen: number;
  rowsNow: number;
  maxRowidThen: number | null;
  maxRowidNow: number | null;
}

/** Where a copied database came from and where it landed. */
export interface CopiedDbPlace {
  identity: string;
  /** The copy step that carried it (e.g. copy-db[arne]). */
  stepKey: string;
  legacyContainer: string;
  legacyPath: string;
  target: string;
  targetPath: string;
}

/** One copied database that diverged from what was copied. */
export interface DivergedDb extends CopiedDbPlace {
  deltas: TableDelta[];
}

/**
 * Tables of the copy whose rows or max rowid differ now (a table deleted since counts as 0 rows). Tables the
 * target added after the copy (a schema migration, posta's v2 → v3 `tenant`) are not writes of the copied data.
 */
export function compareTables(then: Record<string, TableStatsLike>, now: Record<string, TableStatsLike>): TableDelta[] {
  const out: TableDelta[] = [];
  for (const [table, t] of Object.entries(then)) {
    const n = now[table] ?? { rows: 0, maxRowid: null };
    if (n.rows !== t.rows || n.maxRowid !== t.maxRowid) out.push({ table, rowsThen: t.rows, rowsNow: n.rows, maxRowidThen: t.maxRowid, maxRowidNow: n.maxRowid });
  }
  return out;
}

/** "messages 300 → 301 rows (+1, max rowid 300 → 301)" for each table that moved. */
export function countsText(deltas: TableDelta[]): string {
  return deltas
    .map((d) => {
      const diff = d.rowsNow - d.rowsThen;
      const rowid = d.maxRowidThen !== d.maxRowidNow ? `, max rowid ${d.maxRowidThen ?? '—'} → ${d.maxRowidNow ?? '—'}` : '';
      return `${d.table} ${d.rowsThen} → ${d.rowsNow} rows (${diff >= 0 ? '+' : ''}${diff}${rowid})`;
    })
    .join(', ');
}

/** One line per diverged database: "arne (posta:/var/lib/posta/arne/inbox.db): messages 300 → 301 rows (+1, …)". */
export function newWritesLines(c: { diverged: DivergedDb[]; problems: { identity: string; why: string }[] }): string[] {
  return [...c.diverged.map((d) => `${d.identity} (${d.target}:${d.targetPath}): ${countsText(d.deltas)}`), ...c.problems.map((p) => `${p.identity}: ${p.why}`)];
}
