// The journal: every run durable and explainable (issue #7). One SQLite file (WAL) per runbook state dir:
// `${stateDir}/journal.sqlite`, dir 0700, file and its -wal/-shm 0600. Schema versioned (user_version).
//
// How a driver (apply / run / rollback / decommission) uses it:
//   const j = openJournal({ stateDir });                       // readers: openJournal({ stateDir, readonly: true })
//   const lease = acquireLease(j, { takeOver: flags.takeOver }); // throws LockHeldError naming the holder
//   const old = j.unfinishedRun();                             // resume?
//   if (old) {
//     const rp = resumePoint(j, old.id, plan.map(s => s.key), { runbookSha256, acceptChangedRunbook });
//     //  ↑ throws RunbookChangedError (with .oldText for a diff) unless accepted
//     //  rp.interrupted: re-check that step first (its verify, or ask); then continue at rp.next
//     j.resumeRun(old.id);
//   }
//   const runId = old?.id ?? j.startRun({ runbookPath, runbookName, runbookSha256, runbookText, host, mode: 'apply' });
//   lease.attachRun(runId);
//   j.registerSecrets(...tokenValuesYouRead);                  // scrubbed from everything written afterwards
//   j.recordStep(runId, { stepKey, state: 'running', action, title, command });
//   j.recordStep(runId, { stepKey, state: 'succeeded', exitCode, output, changed, backupPath });
//     // `changed` per action: see events.ts (ChangedByAction) — the report is built from exactly that.
//   j.outageOpened(runId) / j.outageClosed(runId)              // at the steps marked outage = opens / closes
//   j.recordClientOutage(runId, { ms, from, to, perIdentity, source: 'lab device timeline' })
//   j.recordKeyBaseline(runId, { identity, fingerprint, publicKey }); j.recordTokenBaseline(runId, { identity, device, token, lastSeenAt })
//   j.recordSnapshot(runId, 'verify', snapshot)                 // checks/types.ts Snapshot; the report's "state now"
//   j.recordWaiver({ runId, gate: 'stability', reason })        // decommission: who, why, when
//   j.endRun(runId, 'succeeded' | 'failed' | 'aborted' | 'rolled-back'); lease.release();
// Followers (watch): follow(j, { afterEventId: j.lastEventId(), intervalMs: 200, onEvents }) → stop().
export { openJournal, Journal, JournalMissingError, JournalBrokenError, isStorageError, RESERVE_FILE, JOURNAL_FILE, OUTPUT_LIMIT, foldSteps, truncateOutput, type OpenJournalOptions } from './journal.ts';
export { acquireLease, leaseHolder, releaseMarker, LockHeldError, STALE_MS, HEARTBEAT_MS, type Lease, type LeaseHolder, type LeaseOptions } from './lease.ts';
export { resumePoint, resumeFromSteps, RunbookChangedError, type ResumePoint } from './resume.ts';
export { follow, type FollowOptions } from './follow.ts';
export { changedSteps, runChanges, runThatChangedTheWorld, type StepChange } from './changes.ts';
export { maskSecret, fingerprintSecret, Redactor } from './redact.ts';
export { currentHolder, describeHolder, type Holder } from './holder.ts';
export { SCHEMA_VERSION } from './migrations.ts';
export type * from './types.ts';
export type * from './events.ts';
