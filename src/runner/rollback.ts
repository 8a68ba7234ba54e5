// Rollback of a run: the engine's plan (newest first) through the executors' undo, then the three proofs of
// the legacy path (rollback-proofs.ts). Best effort: a failed undo is journaled and the rest still runs.
import { executorFor } from '../actions/index.ts';
import { ActionError, type ActionResult } from '../actions/types.ts';
import type { ResolvedStep } from '../engine/types.ts';
import { undoRecord } from './changed.ts';
import { legacyProofs } from './rollback-proofs.ts';
import { proofsHold } from '../engine/rollback.ts';
import { commandsTo, withCommandLog } from './context.ts';
import type { RollbackEntryOutcome, RollbackHost, RollbackOutcome, RunHooks } from './types.ts';

export async function runRollback(run: RollbackHost, hooks?: RunHooks): Promise<RollbackOutcome> {
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
        const ex = executorFor(e.step.action);
        if (!ex?.undo) throw new ActionError(`${e.step.action} has no automatic undo`);
        const record = steps.get(key);
        // What the step recorded, overlaid with the first intent it journaled (written before it touched
        // anything, so it is there even when the driver died mid-write); the undo then decides from the world.
        const given = { ...(undoRecord(record?.changed) ?? {}), ...(run.firstIntent(key) ?? {}) };
        // A journal from before intents: a repoint the driver died in gets when it started, to find its backup.
        if (!Object.keys(given).length && e.partial && e.step.action === 'proxy.repoint') given.stepStartedAt = record?.startedAt ?? null;
        res = Object.keys(given).length ? await withCommandLog(commandsTo(ctx), () => ex.undo!(e.step, given, ctx)) : { summary: 'no change and no intent journaled: the step never touched anything, nothing to undo' };
      } else {
        const ex = executorFor(e.undo.action);
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
  // Not "rolled back" until the legacy path is proven three ways (rollback-proofs.ts).
  const proofs = await legacyProofs(run, hooks);
  const pub = proofs.find((p) => p.id === 'public')!;
  const smoke = pub.ok === null ? null : { ok: pub.ok, failures: pub.failures.map((f) => f.why) };
  const ok = entries.every((x) => x.ok) && proofsHold(proofs);
  // Served again by the legacy path: the outage of this attempt ends here.
  const outage = run.record().outage;
  if (ok && outage.startedAt !== null && outage.endedAt === null) {
    run.journal.outageClosed(run.runId);
    hooks?.onEvent?.({ kind: 'outage', state: 'closed', at: Date.now() });
  }
  run.journal.endRun(run.runId, ok ? 'rolled-back' : 'failed');
  return { ok, entries, smoke, proofs };
}
