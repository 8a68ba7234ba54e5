// The verification history for the cockpit's strip (watch): reads the journal's recorded verify runs every
// interval and hands the screen a view when they changed. Read-only; a missing or older journal shows nothing.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openJournal, JOURNAL_FILE } from '../journal/index.ts';
import { loadHistory } from '../actions/decommission-inputs.ts';
import { historyLine } from '../../checks/history.ts';
import type { CockpitStore } from '../../screens/state/store.ts';
import type { HistoryStripView } from '../../screens/state/types.ts';

export function readHistoryView(stateDir: string, identities: readonly string[], now = Date.now()): { key: string; view: HistoryStripView | null } {
  if (!existsSync(join(stateDir, JOURNAL_FILE))) return { key: '', view: null };
  let j;
  try {
    j = openJournal({ stateDir, readonly: true });
  } catch {
    return { key: '', view: null };
  }
  try {
    const h = loadHistory(j, now);
    if (!h.runs.length) return { key: '', view: null };
    const order = [...identities, ...h.summary.strips.map((r) => r.identity).filter((i) => !identities.includes(i))];
    const rows = order.map((identity) => h.summary.strips.find((r) => r.identity === identity)).filter((r) => r !== undefined);
    const view = { line: historyLine(h.summary), rows: rows.map((r) => ({ identity: r.identity, cells: r.cells.map((c) => c.cell) })) };
    return { key: `${h.runs.length}:${h.runs[h.runs.length - 1]!.id}:${view.line}`, view };
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
    const { key, view } = readHistoryView(stateDir, identities);
    if (key === last) return;
    last = key;
    store.dispatch({ type: 'history', view });
  };
  poll();
  const timer = setInterval(poll, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
