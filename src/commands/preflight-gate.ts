// The preflight as a gate for drivers (apply, the cockpit): run it before the first step of a new run, and
// refuse while a blocker stands. Skipped when an unfinished run already has steps behind it (a resume: the
// outage window may be open, and the legacy path is down on purpose).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadRunbook } from '../runbook/load.ts';
import { CATALOG } from '../actions/index.ts';
import { runbookStateDir } from '../paths.ts';
import { openJournal } from '../journal/journal.ts';
import { planRange } from '../runner/policy.ts';
import type { ResolvedStep } from '../engine/types.ts';
import { failedWithWindowOpen } from '../journal/resume.ts';
import { blockers, formatPreflight, runPreflight, RUNBOOK_CODES, type LegacyDialer, type PreflightItem } from '../preflight/index.ts';

export interface GateResult {
  report: string;
  /** Set while a blocker stands: bad-input when every blocker is about the runbook file, else refused. */
  refusal: { message: string; outcome: 'bad-input' | 'refused' } | null;
  items: PreflightItem[];
  /** Sites outside proxy.sites that dial a legacy container (journaled for the report). */
  otherSites: LegacyDialer[];
}

/** The journal note prefix the report reads the other sites back from. */
export const OTHER_SITES_NOTE = 'preflight: other sites dialing a legacy container: ';

/** The note apply journals once the run is open: the other sites as JSON after the prefix. */
export const otherSitesNote = (list: LegacyDialer[]) => `${OTHER_SITES_NOTE}${JSON.stringify(list)}`;

/**
 * True when the runbook's journal holds an unfinished run past the point preflight guards (its outage window
 * opened, or one of its destructive steps started), or a failed run that left the window open.
 */
function pastPreflight(stateDir: string, env: NodeJS.ProcessEnv, destructive: Set<string>): boolean {
  if (!existsSync(join(stateDir, 'journal.sqlite'))) return false;
  const journal = openJournal({ stateDir, env, readonly: true });
  try {
    // A failed run that left the window open: the driver refuses it with its own fix (roll it back first).
    if (failedWithWindowOpen(journal.runs())) return true;
    const run = journal.unfinishedRun();
    if (!run) return false;
    if (run.outage.startedAt !== null) return true;
    return [...journal.stepStates(run.id)].some(([key, s]) => destructive.has(key) && s.state !== 'pending');
  } finally {
    journal.close();
  }
}

function stepsInRange(steps: ResolvedStep[], range: { from?: string | undefined; through?: string | undefined }): ResolvedStep[] {
  try {
    return planRange(steps, range.from, range.through);
  } catch {
    return steps; // an unknown --from/--through is reported by the driver with its own message
  }
}

/** null: nothing to check (invalid runbook — reported elsewhere — or a run already past its first destructive step). */
export async function windowPreflight(file: string, env: NodeJS.ProcessEnv, state?: string, range: { from?: string | undefined; through?: string | undefined } = {}): Promise<GateResult | null> {
  const loaded = loadRunbook(file, { catalog: CATALOG, env });
  if (!loaded.runbook || !loaded.steps) return null;
  // A slice without a destructive step (e.g. --through baseline) opens no window: nothing for preflight to guard.
  if (!stepsInRange(loaded.steps, range).some((s) => s.destructive || s.irreversible)) return null;
  const stateDir = runbookStateDir(loaded.runbook, env, state);
  if (pastPreflight(stateDir, env, new Set(loaded.steps.filter((s) => s.destructive || s.irreversible).map((s) => s.key)))) return null;
  const pre = await runPreflight({ runbook: loaded.runbook, steps: loaded.steps, file, text: loaded.text, env, stateDir });
  const stop = blockers(pre);
  if (!stop.length) return { report: pre.items.length ? formatPreflight(pre) : '', refusal: null, items: pre.items, otherSites: pre.otherSites };
  const outcome = stop.every((b) => RUNBOOK_CODES.has(b.code)) ? 'bad-input' : 'refused';
  return {
    report: formatPreflight(pre),
    refusal: { message: `preflight: ${stop.length} blocker(s) stand; refusing to open the outage window (nothing was stopped or written). Fix them, then check with cutover plan ${file}`, outcome },
    items: pre.items,
    otherSites: pre.otherSites,
  };
}

/** The report's section for the other sites the preflight found when the run started (from its journal note). */
export function otherSitesMarkdown(events: { kind: string; detail: unknown }[]): string {
  const note = events.find((e) => e.kind === 'note' && typeof (e.detail as { text?: unknown })?.text === 'string' && (e.detail as { text: string }).text.startsWith(OTHER_SITES_NOTE));
  if (!note) return '';
  let list: LegacyDialer[];
  try {
    list = JSON.parse((note.detail as { text: string }).text.slice(OTHER_SITES_NOTE.length)) as LegacyDialer[];
  } catch {
    return '';
  }
  const rows = list.map((o) => `- \`${o.host}\` dialled the legacy ${o.dials.map((d) => `\`${d}\``).join(', ')}: ${o.acknowledged ? 'acknowledged in `proxy.also_dials_legacy` (502 once the legacy daemon stopped)' : 'NOT acknowledged'}`);
  return `\n### Other sites that dial a legacy container\n\n${rows.length ? rows.join('\n') : 'None: no site outside `proxy.sites` dialled a legacy container when the run started (preflight).'}\n`;
}
