// What a rollback journaled beyond its undos (notes with state 'rollback-proofs' / 'rollback-new-writes'),
// read back for the report. Pure over the run's events.
import { proofLines, type LegacyProof } from '../engine/rollback.ts';
import type { JournalEvent } from '../journal/types.ts';

/** What the rollback journaled beyond its undos: the legacy proofs and the decision about new writes. */
export interface RollbackRecords {
  /** The latest rollback attempt's proofs (a later attempt replaces an INCOMPLETE one). */
  proofs: { at: number; proofs: LegacyProof[] } | null;
  /** New writes found in the target at rollback time and what was done with them. */
  newWrites: { at: number; decision: string; text: string; identities: { identity: string; counts: string; outcome: string }[] }[];
}

/** Reads the rollback's notes (state 'rollback-proofs' / 'rollback-new-writes') from a run's events. */
export function rollbackRecords(events: JournalEvent[]): RollbackRecords {
  let proofs: RollbackRecords['proofs'] = null;
  const newWrites: RollbackRecords['newWrites'] = [];
  for (const e of events) {
    if (e.kind !== 'note') continue;
    const d = (e.detail ?? {}) as { proofs?: LegacyProof[]; decision?: string; text?: string; identities?: RollbackRecords['newWrites'][number]['identities'] };
    if (e.state === 'rollback-proofs' && Array.isArray(d.proofs)) proofs = { at: e.at, proofs: d.proofs };
    if (e.state === 'rollback-new-writes') newWrites.push({ at: e.at, decision: String(d.decision ?? '?'), text: String(d.text ?? ''), identities: Array.isArray(d.identities) ? d.identities : [] });
  }
  return { proofs, newWrites };
}


/** `cutover journal --run N`: what the rollback decided about new writes and how it was proven, as text. */
export function rollbackRecordLines(r: RollbackRecords): string[] {
  const lines: string[] = [];
  for (const w of r.newWrites) lines.push(...w.text.split('\n'));
  if (r.proofs) lines.push(`legacy path after the rollback${r.proofs.proofs.every((p) => p.ok !== false) ? '' : ' (NOT proven: INCOMPLETE)'}:`, ...proofLines(r.proofs.proofs).map((l) => `  ${l}`));
  return lines;
}
