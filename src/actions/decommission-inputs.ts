// What drivers (apply, the cockpit) and `cutover review` hand the decommission gates: when the cutover
// ended (--cutover-at, else the journal of the runbook the gate names in `since`), and the waiver.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openJournal, JOURNAL_FILE } from '../journal/index.ts';
import type { Journal } from '../journal/journal.ts';
import type { RunRecord } from '../journal/types.ts';
import { defaultStateDir } from '../paths.ts';
import { isDecommissionRun } from '../report/data.ts';
import type { DecommissionInputs } from './types.ts';
import type { CutoverEnd } from './stability.ts';
import { verificationRuns, verifiedRunbooks } from '../journal/verifications.ts';
import { summarizeHistory, type HistorySummary, type VerificationRun } from '../../checks/history.ts';

/** "2026-05-10T00:45Z", "2026-05-10 00:45:51Z", "2026-05-10" (midnight UTC); no zone = UTC. */
export function parseCutoverAt(text: string): number {
  const t = text.trim();
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?\s*(Z|[+-]\d{2}:?\d{2})?$/.exec(t);
  const ms = m ? Date.parse(`${m[1]}T${m[2] ?? '00:00'}${m[2] && m[2].length === 5 ? ':00' : ''}${m[3] ? (m[3].length === 5 ? `${m[3].slice(0, 3)}:${m[3].slice(3)}` : m[3]) : 'Z'}`) : NaN;
  if (Number.isNaN(ms)) throw new Error(`--cutover-at "${text}" is not a time like 2026-05-10T00:45Z (UTC unless a zone is given)`);
  return ms;
}

/** The latest succeeded cutover run (apply/run) in a journal: of runbook `since`, else of any other runbook than `self`. */
export function cutoverRun(journal: Journal, since: string | undefined, self: string): RunRecord | null {
  const runs = journal
    .runs()
    .filter((r) => (r.mode === 'apply' || r.mode === 'run') && r.outcome === 'succeeded' && r.endedAt !== null)
    .filter((r) => (since ? r.runbookName === since : r.runbookName !== self && !isDecommissionRun(r)));
  return runs.sort((a, b) => a.endedAt! - b.endedAt!).pop() ?? null;
}

export interface CutoverEndLookup {
  /** The journal the driver already has open (may be null for readers without one). */
  journal: Journal | null;
  /** The runbook being driven (its name is never its own cutover). */
  self: string;
  env: Record<string, string | undefined>;
  /** --cutover-at, already parsed. */
  cutoverAt?: number;
}

/** --cutover-at wins; else this journal, else the `since` runbook's own journal in its default state dir. */
export function findCutoverEnd(l: CutoverEndLookup, since: string | undefined): CutoverEnd | null {
  if (l.cutoverAt !== undefined) return { at: l.cutoverAt, source: '--cutover-at' };
  const describe = (r: RunRecord, file: string) => ({ at: r.endedAt!, source: `journal run #${r.id} of ${r.runbookName}, ${file}` });
  if (l.journal) {
    const r = cutoverRun(l.journal, since, l.self);
    if (r) return describe(r, l.journal.file);
  }
  if (!since) return null;
  return readSinceJournal(l, since, (other) => {
    const r = cutoverRun(other, since, l.self);
    return r ? describe(r, other.file) : null;
  });
}

/** Reads runbook `since`'s own journal (its default state dir, read-only) when it is another file than the driver's. */
function readSinceJournal<T>(l: CutoverEndLookup, since: string, read: (j: Journal) => T): T | null {
  let dir: string;
  try {
    dir = defaultStateDir(l.env, since);
  } catch {
    return null;
  }
  const file = join(dir, JOURNAL_FILE);
  if (l.journal?.file === file || !existsSync(file)) return null;
  const other = openJournal({ stateDir: dir, readonly: true });
  try {
    return read(other);
  } finally {
    other.close();
  }
}

export interface DecommissionOptions extends CutoverEndLookup {
  runId: number | null;
  /** --waive-window --reason "…" */
  waiver?: { who: string; reason: string };
  /** apply: --acknowledge-logs given (true) or not (false); the cockpit leaves it undefined and asks. */
  acknowledgeLogs?: boolean;
}

export function decommissionInputs(o: DecommissionOptions): DecommissionInputs {
  return {
    cutoverEnd: async (since) => findCutoverEnd(o, since),
    ...(o.waiver ? { waiver: o.waiver } : {}),
    ...(o.acknowledgeLogs !== undefined ? { acknowledgeLogs: o.acknowledgeLogs } : {}),
    verificationHistory: async (since, from, to) => verificationHistoryOf(o, since, from, to),
    recordWaiver: (w) => {
      if (!o.journal) throw new Error('no journal to record the waiver in');
      o.journal.recordWaiver({ runId: o.runId, gate: w.gate, who: w.who, reason: w.reason, at: w.at });
    },
  };
}

/** The verification history of runbook `since` (else the one other verified runbook) in the driver's journal, or in `since`'s own. */
export function verificationHistoryOf(o: CutoverEndLookup, since: string | undefined, from: number, to: number): HistorySummary | null {
  const read = (j: Journal) => {
    const name = since ?? verifiedRunbooks(j).filter((n) => n !== o.self)[0];
    return name === undefined ? null : verificationRuns(j, { runbook: name, from });
  };
  let runs = o.journal ? read(o.journal) : null;
  if (!runs?.length && since) runs = readSinceJournal(o, since, read) ?? runs;
  return runs === null && !o.journal ? null : summarizeHistory(runs ?? [], { from, to });
}

export interface VerificationHistory {
  runbook: string | null;
  /** Where the window starts: the recorded end of the cutover, else the first run. */
  window: { from: number; to: number; source: string };
  runs: VerificationRun[];
  summary: HistorySummary;
}

/** The history of the verified runbook in this journal, from its cutover's end (or its first run) to `now`. */
export function loadHistory(j: Journal, now = Date.now(), runbook?: string): VerificationHistory {
  const names = verifiedRunbooks(j);
  const name = runbook ?? (names.length === 1 ? names[0]! : (verificationRuns(j).pop()?.runbook ?? null));
  const runs = name === null ? [] : verificationRuns(j, { runbook: name });
  const cut = name === null ? null : cutoverRun(j, name, '');
  const from = cut ? cut.endedAt! : (runs[0]?.at ?? now);
  const source = cut ? `the end of cutover run #${cut.id}` : runs.length ? 'the first verification run (no recorded cutover end)' : 'now';
  return { runbook: name, window: { from, to: now, source }, runs, summary: summarizeHistory(runs, { from, to: now }) };
}

/** Containers a succeeded container.delete of a decommission run removed, per the journal (for verify). */
export function decommissionedContainers(journal: Journal): Map<string, { runId: number; at: number }> {
  const out = new Map<string, { runId: number; at: number }>();
  for (const r of journal.runs()) {
    if (!isDecommissionRun(r)) continue;
    for (const st of journal.stepStates(r.id).values()) {
      const c = st.changed as { container?: unknown; deleted?: unknown } | null;
      if (st.action === 'container.delete' && st.state === 'succeeded' && c && typeof c.container === 'string' && c.deleted !== false) out.set(c.container, { runId: r.id, at: st.endedAt ?? r.startedAt });
    }
  }
  return out;
}
