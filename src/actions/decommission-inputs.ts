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
    const r = cutoverRun(other, since, l.self);
    return r ? describe(r, other.file) : null;
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
    recordWaiver: (w) => {
      if (!o.journal) throw new Error('no journal to record the waiver in');
      o.journal.recordWaiver({ runId: o.runId, gate: w.gate, who: w.who, reason: w.reason, at: w.at });
    },
  };
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
