// The preflight as a gate for drivers (apply, the cockpit): run it before the first step of a new run, and
// refuse while a blocker stands. Skipped when an unfinished run already has steps behind it (a resume: the
// outage window may be open, and the legacy path is down on purpose).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadRunbook } from '../runbook/load.ts';
import { runbookStateDir } from '../paths.ts';
import { openJournal } from '../journal/journal.ts';
import { blockers, formatPreflight, runPreflight, RUNBOOK_CODES, type PreflightItem } from '../preflight/index.ts';

export interface GateResult {
  report: string;
  /** Set while a blocker stands: exit 2 when every blocker is about the runbook file, else 1. */
  refusal: { message: string; code: 1 | 2 } | null;
  items: PreflightItem[];
}

/**
 * True when the runbook's journal holds an unfinished run past the point preflight guards: its outage window
 * opened, or one of its destructive steps started.
 */
function pastPreflight(stateDir: string, env: NodeJS.ProcessEnv, destructive: Set<string>): boolean {
  if (!existsSync(join(stateDir, 'journal.sqlite'))) return false;
  const journal = openJournal({ stateDir, env, readonly: true });
  try {
    const run = journal.unfinishedRun();
    if (!run) return false;
    if (run.outage.startedAt !== null) return true;
    return [...journal.stepStates(run.id)].some(([key, s]) => destructive.has(key) && s.state !== 'pending');
  } finally {
    journal.close();
  }
}

/** null: nothing to check (invalid runbook — reported elsewhere — or a run already past its first destructive step). */
export async function windowPreflight(file: string, env: NodeJS.ProcessEnv, state?: string): Promise<GateResult | null> {
  const loaded = loadRunbook(file, { env });
  if (!loaded.runbook || !loaded.steps) return null;
  const stateDir = runbookStateDir(loaded.runbook, env, state);
  if (pastPreflight(stateDir, env, new Set(loaded.steps.filter((s) => s.destructive || s.irreversible).map((s) => s.key)))) return null;
  const pre = await runPreflight({ runbook: loaded.runbook, steps: loaded.steps, file, text: loaded.text, env, stateDir });
  const stop = blockers(pre);
  if (!stop.length) return { report: pre.items.length ? formatPreflight(pre) : '', refusal: null, items: pre.items };
  const code = stop.every((b) => RUNBOOK_CODES.has(b.code)) ? 2 : 1;
  return {
    report: formatPreflight(pre),
    refusal: { message: `preflight: ${stop.length} blocker(s) stand; refusing to open the outage window (nothing was stopped or written). Fix them, then check with cutover plan ${file}`, code },
    items: pre.items,
  };
}
