// The runner: drives a runbook's resolved plan step by step with the action executors, journaling every
// transition under the driver lease. `cutover apply` (non-interactive), `cutover run` (the cockpit) and
// `cutover rollback` are thin drivers over it.
//
// Usage (a driver):
//   const run = await openRun({ runbookPath, stateDir, env: process.env, takeOver, acceptChanged });
//     // throws RunnerInputError (bad runbook / nothing to roll back → exit 2), LockHeldError (another
//     // driver: .message names user, pid, host, since), RunbookChangedError (.oldText for the diff)
//   try {
//     run.plan                       // ResolvedStep[] in order (engine/types.ts)
//     run.resumed                    // null, or ResumePoint { done, interrupted, next } of a picked-up run
//     run.states()                   // { [stepKey]: StepState } from the journal (absent = pending)
//     run.steps()                    // Map<stepKey, StepRecord> (times, attempts, output, changed, error)
//     run.next()                     // { step } | { blocked, done? }  (engine/next.ts)
//     run.outage()                   // OutageClock from the journaled step times vs runbook.outage_budget
//     const hooks = {
//       onEvent(e) {},               // RunnerEvent: {kind:'state',key,state,summary?,error?}
//                                    //   | {kind:'action',key,event: ActionEvent (output|command|progress)}
//                                    //   | {kind:'outage',state:'opened'|'closed'} | {kind:'note',message}
//       confirm: async (prompt, step, kind) => true,  // kind 'gate': gate.operator (and typed-less confirms);
//                                    //   'recheck': re-run a step the dead driver was in whose action is not
//                                    //   repeatable (isRepeatable: re-run without asking)
//     };
//     const out = await run.runStep(key, hooks);  // StepOutcome { state: succeeded|failed, summary, error?,
//                                                 //   notRun?: 'interrupted' | 'journal-failed' (nothing journaled) }
//     // After resume the interrupted step is 'failed' with that reason: next() is blocked on it until it is
//     // run again (runStep) or skipped (skipStep).
//     await run.recordSnapshot();                 // live snapshot journaled as 'verify' (the report's "now")
//     run.skipStep(key, 'why');                   // pending|failed → skipped, journaled
//     run.rollbackPlan()                          // RollbackPlan { entries newest first, notUndoable }
//     await run.rollback(hooks, { newWrites });   // new-writes check (refused: out.refused, nothing changed unless
//                                                 //   newWrites 'copy-back' | 'discard-new-writes'), undo, the three
//                                                 //   legacy proofs; ends the run 'rolled-back'
//     run.measureClientOutage();                  // lab only: device-timeline outage, journaled
//     run.finish('succeeded' | 'failed' | 'aborted');
//   } finally { await run.close(); }             // releases the lease, closes journal + http
//
// Followers (`cutover watch`) never open a Run: they read the journal (src/journal follow()).
// Destructive steps are not refused here — that policy (--allow-destructive, typed confirmation) belongs
// to the driver; see destructiveSteps() for the list to show.
export { openRun, RunnerInputError } from './open.ts';
export { WorldChangedError } from './world.ts';
export { destructiveSteps, isRepeatable } from './policy.ts';
export type * from './types.ts';
