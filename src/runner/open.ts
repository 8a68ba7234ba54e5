// openRun: loads the runbook, opens the journal, takes the driver lease, starts a run or picks up the
// unfinished one, and hands out the Run that drives it.
import { resolve as resolvePath } from 'node:path';
import { loadRunbook } from '../runbook/load.ts';
import type { ActionCatalog } from '../runbook/catalog.ts';
import { REGISTRY } from '../actions/index.ts';
import { invalidRunbookMessage } from '../runbook/problems.ts';
import { runbookStateDir } from '../paths.ts';
import { isStorageError, openJournal } from '../journal/journal.ts';
import { acquireLease, type Lease } from '../journal/lease.ts';
import { runThatChangedTheWorld } from '../journal/changes.ts';
import type { Journal } from '../journal/journal.ts';
import type { RunRecord } from '../journal/types.ts';
import { failedWithWindowOpen, resumeFromSteps, resumePoint, RunbookChangedError, type ResumePoint } from '../journal/resume.ts';
import { createIncusRuntime } from '../adapters/incus.ts';
import { createHttp } from '../adapters/http.ts';
import type { OpenRunOptions, Run } from './types.ts';
import { RunDriver } from './run.ts';
import { WorldChangedError, worldMismatches } from './world.ts';

/** The runbook or the request is wrong (exit 2): nothing was started. */
export class RunnerInputError extends Error {
  override name = 'RunnerInputError';
}

export async function openRun(o: OpenRunOptions): Promise<Run> {
  const env = o.env ?? process.env;
  const actions = o.actions ?? REGISTRY;
  const loaded = loadRunbook(o.runbookPath, { catalog: actions, env });
  if (!loaded.runbook || !loaded.steps || loaded.problems.length) {
    throw new RunnerInputError(invalidRunbookMessage(o.runbookPath, loaded.problems));
  }
  const runbook = loaded.runbook;
  const plan = loaded.steps;
  const stateDir = runbookStateDir(runbook, env, o.stateDir);
  const journal = openJournal({ stateDir, env });
  let lease: Lease | undefined;
  const runtime =
    o.runtime ?? createIncusRuntime({ env, ...(runbook.runtime.binary ? { binary: runbook.runtime.binary } : {}), ...(runbook.runtime.remote ? { remote: runbook.runtime.remote } : {}) });
  try {
    lease = acquireLease(journal, { takeOver: o.takeOver ?? false, ...(o.heartbeatMs !== undefined ? { heartbeatMs: o.heartbeatMs } : {}) });
    const startNew = () =>
      journal.startRun({
        runbookPath: resolvePath(o.runbookPath),
        runbookName: runbook.runbook.name,
        runbookSha256: loaded.sha256,
        runbookText: loaded.text,
        host: runbook.runbook.host,
        mode: o.mode ?? 'apply',
      });
    let runId: number | null;
    let resumed: ResumePoint | null = null;
    if (o.attach === 'latest') {
      const r = rollbackTarget(journal, runbook.runbook.name, actions, o.runId);
      if (r.runbookSha256 !== loaded.sha256 && !o.acceptChanged) throw new RunbookChangedError(r.id, r.runbookSha256, loaded.sha256, r.runbookText);
      runId = r.id;
      if (r.endedAt === null) {
        // Rolling back a run whose driver died: the step it died in counts as failed (maybe partly applied),
        // so a destructive one is undone too.
        resumed = { runId, ...resumeFromSteps(journal.stepStates(runId), plan.map((s) => s.key)) };
        journal.resumeRun(runId);
      }
    } else {
      const old = journal.unfinishedRun();
      if (old && (old.mode === 'apply' || old.mode === 'run')) {
        resumed = resumePoint(journal, old.id, plan.map((s) => s.key), { runbookSha256: loaded.sha256, acceptChangedRunbook: o.acceptChanged ?? false });
        // The world it journaled must still be there: instances, legacy keys, copied files.
        const problems = await worldMismatches(journal, old.id, runtime, runbook);
        if (problems.length) throw new WorldChangedError(old.id, problems, journal.file, o.runbookPath);
        journal.resumeRun(old.id);
        if (old.runbookSha256 !== loaded.sha256) journal.addNote(old.id, `resumed with a changed runbook (sha256 ${old.runbookSha256.slice(0, 12)}… → ${loaded.sha256.slice(0, 12)}…), accepted with --accept-changed-runbook`);
        runId = old.id;
      } else {
        const last = failedWithWindowOpen(journal.runs());
        if (last) {
          // Its changes (legacy daemons down, maybe a repoint) belong to that run; a new run would lose track of them.
          throw new RunnerInputError(`run #${last.id} failed with the outage window open and was not rolled back; roll it back first: cutover rollback ${o.runbookPath} --yes`);
        }
        // The cockpit records no run until its first step runs (a look-only session leaves no run behind).
        runId = o.deferStart ? null : startNew();
      }
    }
    if (runId !== null) lease.attachRun(runId);
    const held = lease;
    const startRun = () => {
      const id = startNew();
      held.attachRun(id);
      return id;
    };
    const ownHttp = o.http === undefined;
    const http = o.http ?? createHttp();
    return new RunDriver({ runId, startRun, actions, runbook, runbookPath: o.runbookPath, plan, stateDir, journal, lease, resumed, runtime, http, ownHttp, env, ...(o.decommission ? { decommission: o.decommission } : {}) });
  } catch (err) {
    // A journal that cannot be written (disk full, I/O error) before any step ran: nothing is down; the lease
    // is released all the same (from the journal's reserve, else by its marker file).
    if (isStorageError(err)) journal.storageFailed(err as Error);
    try {
      lease?.release();
    } finally {
      journal.close();
    }
    throw err;
  }
}

/**
 * The run a rollback undoes: run N when asked, else the newest apply/run that changed the world. Runs that
 * changed nothing (a refused apply, a cockpit opened and quit) never shadow it.
 */
function rollbackTarget(journal: Journal, name: string, actions: ActionCatalog, runId?: number): RunRecord {
  const driven = journal.runs().filter((x) => x.mode === 'apply' || x.mode === 'run');
  if (runId !== undefined) {
    const r = driven.find((x) => x.id === runId);
    if (!r) throw new RunnerInputError(`${journal.file}: no apply/run run #${runId} (runs: ${driven.map((x) => `#${x.id}`).join(', ') || 'none'}; cutover journal lists them)`);
    return r;
  }
  if (!driven.length) throw new RunnerInputError(`${journal.file}: no cutover run recorded for ${name}: nothing to roll back`);
  const r = runThatChangedTheWorld(journal, actions);
  if (!r) throw new RunnerInputError(`${journal.file}: no run of ${name} changed anything (${driven.map((x) => `#${x.id}`).join(', ')} only looked): nothing to roll back`);
  return r;
}
