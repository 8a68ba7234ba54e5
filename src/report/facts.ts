// The journal reduced to what expectations need (src/engine/expect.ts): the latest cutover run's steps and
// outcome, and the containers a decommission deleted. Read-only; no journal means nothing was done here.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { worldOf, type JournalFacts } from '../engine/expect.ts';
import { JOURNAL_FILE, openJournal } from '../journal/index.ts';
import type { Journal } from '../journal/journal.ts';
import { isDecommissionRun } from './data.ts';

const containerOf = (changed: unknown): string | null => {
  const c = (changed as { container?: unknown } | null)?.container;
  return typeof c === 'string' ? c : null;
};

/** From an open journal; `planned` is the number of steps the runbook resolves to (for "k of N"). */
export function journalFacts(journal: Journal, planned: number): JournalFacts {
  const runs = journal.runs();
  const deleted = new Map<string, { runId: number; archive: string | null; at: number }>();
  for (const r of runs) {
    if (!isDecommissionRun(r)) continue;
    for (const st of journal.stepStates(r.id).values()) {
      const c = st.changed as { container?: unknown; deleted?: unknown; archive?: unknown } | null;
      if (st.action === 'container.delete' && st.state === 'succeeded' && c && typeof c.container === 'string' && c.deleted !== false) {
        deleted.set(c.container, { runId: r.id, archive: typeof c.archive === 'string' ? c.archive : null, at: st.endedAt ?? r.startedAt });
      }
    }
  }
  // An abandoned run no longer describes the world (it was rebuilt under it): expectations come from the runs before it.
  const run = [...runs].reverse().find((r) => (r.mode === 'apply' || r.mode === 'run') && !isDecommissionRun(r) && r.outcome !== 'abandoned');
  const cutover = run
    ? {
        runId: run.id,
        startedAt: run.startedAt,
        outcome: run.outcome === 'abandoned' ? null : run.outcome,
        planned,
        steps: [...journal.stepStates(run.id).values()].map((s) => ({ key: s.key, action: s.action, state: s.state, container: containerOf(s.changed) ?? containerOf(s.rolledBack?.changed) ?? containerFromKey(s.key) })),
        rollingBack: rollbackOpen(journal, run.id),
      }
    : null;
  return { cutover, deleted };
}

/** The run's rollback started (src/runner/rollback.ts notes "rollback: N step(s) to undo") and did not end since. */
function rollbackOpen(journal: Journal, runId: number): boolean {
  let open = false;
  for (const e of journal.events(runId)) {
    if (e.kind === 'note' && /^rollback: \d+ step/.test(String((e.detail as { text?: unknown } | null)?.text ?? ''))) open = true;
    else if (e.kind === 'run' && e.state === 'ended') open = false;
  }
  return open;
}

/** `stop-legacy-containers[arne-msg]` → arne-msg (for steps that have not recorded what they changed yet). */
function containerFromKey(key: string): string | null {
  return /\[([a-z0-9][a-z0-9-]*)\]$/.exec(key)?.[1] ?? null;
}

/** From a state directory; null when there is no journal there (nothing was run with this state). */
export function readJournalFacts(stateDir: string, planned: number): JournalFacts | null {
  if (!existsSync(join(stateDir, JOURNAL_FILE))) return null;
  let j: Journal;
  try {
    j = openJournal({ stateDir, readonly: true });
  } catch {
    return null;
  }
  try {
    return journalFacts(j, planned);
  } finally {
    j.close();
  }
}

/**
 * For `verify`, which judges the state after the cutover whatever the journal says: the run counts only once it
 * is done (its stops make "running again" autostart's doing); deletions by a decommission always count.
 */
export function factsForVerify(f: JournalFacts | null): JournalFacts | null {
  if (!f) return null;
  const kind = worldOf(f).kind;
  return kind === 'after' || kind === 'decommissioned' ? f : { cutover: null, deleted: f.deleted };
}
