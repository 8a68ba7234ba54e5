// Rollback of a run: the engine's plan (newest first) through the executors' undo, then the three proofs of
// the legacy path (rollback-proofs.ts). Best effort: a failed undo is journaled and the rest still runs.
import { actionOf } from '../actions/index.ts';
import { ActionError, type ActionResult } from '../actions/types.ts';
import type { ResolvedStep } from '../engine/types.ts';
import { undoRecord } from './changed.ts';
import { legacyProofs } from './rollback-proofs.ts';
import { proofsHold } from '../engine/rollback.ts';
import { commandsTo, withCommandLog } from './context.ts';
import { checkNewWrites, copyBack, journalNewWrites, type CopyBackResult } from './rollback-writes.ts';
import type { RollbackEntryOutcome, RollbackHost, RollbackOptions, RollbackOutcome, RunHooks } from './types.ts';

export async function runRollback(run: RollbackHost, hooks?: RunHooks, opts: RollbackOptions = {}): Promise<RollbackOutcome> {
  // Before anything is undone: did the target take writes since the copy? Then the operator chooses.
  const writes = await checkNewWrites(run, hooks);
  const diverged = writes.diverged.length + writes.problems.length > 0;
  if (diverged && !opts.newWrites) {
    journalNewWrites(run, writes, 'refused');
    return { ok: false, refused: 'new-writes', entries: [], smoke: null, proofs: [], newWrites: { decision: 'refused', ...writes, copyBack: [] } };
  }
  if (diverged && opts.newWrites === 'discard-new-writes') journalNewWrites(run, writes, 'discard-new-writes');
  const plan = run.rollbackPlan();
  const steps = run.steps();
  const entries: RollbackEntryOutcome[] = [];
  run.journal.addNote(run.runId, `rollback: ${plan.entries.length} step(s) to undo, newest first`);
  for (const e of plan.entries) {
    const key = e.step.key;
    if (e.undo.kind === 'none') {
      entries.push({ key, ok: true, result: 'kept', summary: `stays changed: ${e.undo.reason}` });
      continue;
    }
    const output: string[] = [];
    const commands: string[] = [];
    const ctx = run.context(key, hooks, output, commands);
    hooks?.onEvent?.({ kind: 'note', at: Date.now(), message: `undo ${e.step.index} ${key}` });
    try {
      let res: ActionResult;
      if (e.undo.kind === 'auto') {
        const undo = actionOf(e.step.action, run.actions)?.undo;
        if (undo?.kind !== 'auto') throw new ActionError(`${e.step.action} has no automatic undo`);
        const record = steps.get(key);
        // What the step recorded, overlaid with the first intent it journaled (written before it touched
        // anything, so it is there even when the driver died mid-write); the undo then decides from the world.
        const given = { ...(undoRecord(record?.changed) ?? {}), ...(run.firstIntent(key) ?? {}) };
        // A journal from before intents: a repoint the driver died in gets when it started, to find its backup.
        if (!Object.keys(given).length && e.partial && e.step.action === 'proxy.repoint') given.stepStartedAt = record?.startedAt ?? null;
        res = Object.keys(given).length ? await withCommandLog(commandsTo(ctx), () => undo.run(e.step, given, ctx)) : { summary: 'no change and no intent journaled: the step never touched anything, nothing to undo' };
      } else {
        const ex = actionOf(e.undo.action, run.actions);
        if (!ex) throw new ActionError(`no executor for the undo action "${e.undo.action}"`);
        const undoStep: ResolvedStep = { ...e.step, key: `${key}:undo`, action: e.undo.action, params: e.undo.params, destructive: false, irreversible: false, rollback: { kind: 'none', reason: 'an undo' }, verify: [] };
        delete undoStep.outage;
        res = await withCommandLog(commandsTo(ctx), () => ex.run(undoStep, ctx));
      }
      const at = Date.now();
      run.journal.recordStep(run.runId, { stepKey: key, state: 'rolled-back', at, command: commands.join('\n') || undefined, output: [...output, res.summary].join('\n'), changed: res.changed ?? null });
      hooks?.onEvent?.({ kind: 'state', key, state: 'rolled-back', at, summary: res.summary });
      entries.push({ key, ok: true, result: 'undone', summary: res.summary });
    } catch (err) {
      const msg = run.journal.redactor.apply((err as Error).message)!;
      run.journal.addNote(run.runId, `undo of ${key} FAILED: ${msg}`);
      hooks?.onEvent?.({ kind: 'note', at: Date.now(), message: `undo of ${key} failed: ${msg}` });
      entries.push({ key, ok: false, result: 'failed', summary: msg });
    }
  }
  // --copy-back: the undos stopped the target daemon and brought the legacy containers up; the writes go back
  // before the legacy path is proven (the proofs then probe the daemons serving the carried-back data).
  const copied: CopyBackResult[] = [];
  if (diverged && opts.newWrites === 'copy-back') {
    for (const d of writes.diverged) {
      const r = await copyBack(run, d, hooks);
      hooks?.onEvent?.({ kind: 'note', at: Date.now(), message: `copy-back of ${r.identity}: ${r.ok ? r.summary : `FAILED: ${r.summary}`}` });
      copied.push(r);
    }
    for (const p of writes.problems) copied.push({ identity: p.identity, ok: false, summary: `not copied back: ${p.why}` });
    journalNewWrites(run, writes, 'copy-back', new Map(copied.map((c) => [c.identity, c.ok ? `copied back (${c.summary})` : `copy-back FAILED: ${c.summary}`])));
  }
  // Not "rolled back" until the legacy path is proven three ways (rollback-proofs.ts).
  const proofs = await legacyProofs(run, hooks);
  const pub = proofs.find((p) => p.id === 'public')!;
  const smoke = pub.ok === null ? null : { ok: pub.ok, failures: pub.failures.map((f) => f.why) };
  const ok = entries.every((x) => x.ok) && copied.every((c) => c.ok) && proofsHold(proofs);
  // Served again by the legacy path: the outage of this attempt ends here.
  const outage = run.record().outage;
  if (ok && outage.startedAt !== null && outage.endedAt === null) {
    run.journal.outageClosed(run.runId);
    hooks?.onEvent?.({ kind: 'outage', state: 'closed', at: Date.now() });
  }
  run.journal.endRun(run.runId, ok ? 'rolled-back' : 'failed');
  const newWrites = diverged ? { decision: opts.newWrites!, ...writes, copyBack: copied } : null;
  return { ok, entries, smoke, proofs, newWrites };
}
