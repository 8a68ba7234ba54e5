// The exact rollback procedure for a report: the engine's rollback plan over what the journal says was
// done, each undo spelled out as the command an operator would type (values from the recorded `changed`).
import { proofLines, rollbackPlan, type RollbackEntry } from '../engine/rollback.ts';
import type { StepRecord } from '../journal/types.ts';
import type { RollbackRecords } from './rollback-records.ts';
import { utcTime } from './format.ts';
import type { RunSection } from './data.ts';
import { instanceRef } from '../runbook/instance-ref.ts';
import { descriptorOf, type ActionCatalog } from '../runbook/catalog.ts';

export interface RollbackProcedure {
  /** One shell line (or short instruction) per undo, newest first. */
  steps: { key: string; title: string; commands: string[] }[];
  /** What stays changed and why (rollback = "none"). */
  notUndone: { key: string; title: string; reason: string }[];
  /** Why no procedure could be derived, if so. */
  problem: string | null;
}

export function rollbackProcedure(s: RunSection): RollbackProcedure {
  if (!s.plan) return { steps: [], notUndone: [], problem: s.planProblem };
  const records = new Map(s.steps.map((r) => [r.key, r]));
  const states = Object.fromEntries(s.steps.map((r) => [r.key, r.state]));
  const plan = rollbackPlan(s.plan, states);
  const steps: RollbackProcedure['steps'] = [];
  const notUndone: RollbackProcedure['notUndone'] = [];
  const ref = (name: string) => instanceRef({ runtime: { remote: s.runbook.remote } }, name);
  for (const entry of plan.entries) {
    const title = records.get(entry.step.key)?.title ?? entry.step.title;
    if (entry.undo.kind === 'none') {
      notUndone.push({ key: entry.step.key, title, reason: entry.undo.reason });
      continue;
    }
    steps.push({ key: entry.step.key, title: entry.partial ? `${title} (failed: may be partly applied)` : title, commands: undoCommands(entry, records.get(entry.step.key), s.catalog, ref) });
  }
  return { steps, notUndone, problem: null };
}

/**
 * The commands an operator types to undo one plan entry, from its journaled record. `ref` names an instance as
 * `incus` is typed (`REMOTE:NAME` with runtime.remote; the bare name by default).
 */
export function undoCommands(entry: RollbackEntry, record: StepRecord | undefined, catalog: ActionCatalog, ref: (name: string) => string = (n) => n): string[] {
  const undo = entry.undo;
  if (undo.kind === 'step') return stepCommand(catalog, undo.action, undo.params, ref);
  const changed = (record?.changed as Record<string, unknown> | null | undefined) ?? null;
  const own = descriptorOf(catalog, entry.step.action)?.undo;
  return own?.kind === 'auto' ? own.byHand(changed, entry.step, ref) : [`cutover rollback undoes ${entry.step.action} for ${entry.step.key}`];
}

/** The command of a rollback step, as its action's descriptor spells it. */
function stepCommand(catalog: ActionCatalog, action: string, p: Record<string, unknown>, ref: (name: string) => string): string[] {
  return descriptorOf(catalog, action)?.byHand?.(p, ref) ?? [`${action} ${JSON.stringify(p)}`];
}

/** The report's section on how the rollback was proven (and what became of writes the target took). */
export function rollbackEvidence(s: RunSection): string[] {
  const r: RollbackRecords | undefined = s.rollbackRecords;
  if (!r || (!r.proofs && !r.newWrites.length)) return [];
  const lines = ['### Rollback: the legacy path', ''];
  for (const w of r.newWrites) {
    lines.push(`New writes in the target since the copy (${utcTime(w.at)}): **${w.decision}**.`, '');
    for (const i of w.identities) lines.push(`- ${i.identity}: ${i.counts} — ${i.outcome}`);
    lines.push('');
  }
  if (r.proofs) {
    const held = r.proofs.proofs.every((p) => p.ok !== false);
    lines.push(held ? `Proven after the rollback (${utcTime(r.proofs.at)}):` : `**Not proven** after the rollback (${utcTime(r.proofs.at)}): the rollback is INCOMPLETE.`, '');
    for (const l of proofLines(r.proofs.proofs)) lines.push(l.startsWith('    ') ? `  - ${l.trim()}` : `- ${l}`);
    lines.push('');
  }
  return lines;
}
