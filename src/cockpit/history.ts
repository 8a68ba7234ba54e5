// The verification history for the cockpit's strip (watch): reads the journal's recorded verify runs every
// interval and hands the screen a view when they changed. Read-only; a missing or older journal shows nothing.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openJournal, JOURNAL_FILE } from '../journal/index.ts';
import { latestVerificationId } from '../journal/verifications.ts';
import { loadHistory } from '../actions/decommission-inputs.ts';
import { historyLine } from '../../checks/history.ts';
import type { CockpitStore } from '../../screens/state/store.ts';
import type { HistoryStripView } from '../../screens/state/types.ts';

export function readHistoryView(stateDir: string, identities: readonly string[], now = Date.now(), unchangedSince?: string): { key: string; view: HistoryStripView | null } | null {
  if (!existsSync(join(stateDir, JOURNAL_FILE))) return { key: '', view: null };
  let j;
  try {
    j = openJournal({ stateDir, readonly: true });
  } catch {
    return { key: '', view: null };
  }
  try {
    // Nothing new recorded: keep the view (a long history is not re-read every poll).
    if (unchangedSince !== undefined && unchangedSince.startsWith(`${latestVerificationId(j)}:`)) return null;
    const h = loadHistory(j, now);
    if (!h.runs.length) return { key: '', view: null };
    const order = [...identities, ...h.summary.strips.map((r) => r.identity).filter((i) => !identities.includes(i))];
    const rows = order.map((identity) => h.summary.strips.find((r) => r.identity === identity)).filter((r) => r !== undefined);
    const view = { line: historyLine(h.summary), rows: rows.map((r) => ({ identity: r.identity, cells: r.cells.map((c) => c.cell) })) };
    return { key: `${h.runs[h.runs.length - 1]!.id}:${h.runs.length}`, view };
  } catch {
    return { key: '', view: null };
  } finally {
    j.close();
  }
}

/** Polls every intervalMs (and once now); dispatches { type: 'history' } only when the runs changed. */
export function followHistory(store: CockpitStore, stateDir: string, identities: readonly string[], intervalMs = 5000): { stop(): void } {
  let last: string | null = null;
  const poll = () => {
    const next = readHistoryView(stateDir, identities, Date.now(), last ?? undefined);
    if (!next || next.key === last) return;
    last = next.key;
    store.dispatch({ type: 'history', view: next.view });
  };
  poll();
  const timer = setInterval(poll, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
