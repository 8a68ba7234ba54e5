// What the runner hands to its drivers (`cutover apply`, the cockpit `cutover run`, `cutover rollback`).
import type { ActionRegistry } from '../actions/index.ts';
import type { ActionEvent } from '../actions/types.ts';
import type { CheckContext } from '../actions/checks.ts';
import type { NextStep } from '../engine/next.ts';
import type { OutageClock } from '../engine/outage.ts';
import type { RollbackPlan } from '../engine/rollback.ts';
import type { StepStates } from '../engine/transitions.ts';
import type { ResolvedStep, StepFailureCode, StepState } from '../engine/types.ts';
import type { Journal } from '../journal/journal.ts';
import type { ResumePoint } from '../journal/resume.ts';
import type { ClientOutage, RunRecord, StepRecord } from '../journal/types.ts';
import type { Http, Runtime } from '../ports.ts';
import type { ClosableHttp } from '../adapters/http.ts';
import type { Runbook } from '../runbook/schema.ts';
import type { Snapshot } from '../../checks/types.ts';
import type { DivergedDb, LegacyProof, NewWritesChoice } from '../engine/rollback.ts';

export interface OpenRunOptions {
  runbookPath: string;
  /** State directory (journal, baseline, scratch, backups); default: runbook.state_dir or the XDG default. */
  stateDir?: string;
  env?: NodeJS.ProcessEnv;
  /** Take over a stale driver lease (never a live one). */
  takeOver?: boolean;
  /** Resume an unfinished run even though the runbook's sha256 changed since it started. */
  acceptChanged?: boolean;
  /**
   * Start the new run only when its first step runs or is skipped (the cockpit: opening it to look records
   * no run). An unfinished run is still resumed at once.
   */
  deferStart?: boolean;
  /** Journal mode of a new run. Default 'apply'. */
  mode?: 'apply' | 'run';
  /**
   * What to do with an unfinished run: 'resume' it (default) or 'latest': attach to the newest apply/run
   * run whatever its state, for rollback. `rollback` uses 'latest'.
   */
  attach?: 'resume' | 'latest';
  /** With attach 'latest': this run instead of the newest one that changed the world (rollback --run N). */
  runId?: number;
  /** Adapters; default the real incus CLI runtime and undici http. */
  runtime?: Runtime;
  http?: Http | ClosableHttp;
  /** Heartbeat interval of the driver lease (ms); tests may shorten it. */
  heartbeatMs?: number;
  /** Decommission inputs (apply --waive-window --reason, --cutover-at, --acknowledge-logs): see src/actions/decommission-inputs.ts. */
  decommission?: DecommissionFlags;
  /** The actions the runbook may name and the run executes; default the registry (src/actions/index.ts). */
  actions?: ActionRegistry;
}

export interface DecommissionFlags {
  waiver?: { reason: string };
  cutoverAt?: number;
  acknowledgeLogs?: boolean;
}

/** Everything a driver is told while a step or a rollback runs. */
export type RunnerEvent =
  | { kind: 'state'; key: string; state: StepState; at: number; summary?: string; error?: string; code?: StepFailureCode }
  | { kind: 'action'; key: string; at: number; event: ActionEvent }
  | { kind: 'outage'; state: 'opened' | 'closed'; at: number }
  | { kind: 'note'; at: number; message: string };

export interface RunHooks {
  onEvent?(event: RunnerEvent): void;
  /**
   * Operator gates ('gate') and the re-check of a step the previous driver died in whose action is not
   * safe to repeat ('recheck'): true to go on. Default: refuse (false).
   */
  confirm?(prompt: string, step?: ResolvedStep, kind?: 'gate' | 'recheck'): Promise<boolean>;
  /**
   * Irreversible steps (container.delete): true when the operator typed `expected` (the cockpit passes the
   * name typed in its confirmation). Absent: the executor falls back to confirm().
   */
  confirmTyped?(prompt: string, expected: string, step?: ResolvedStep): Promise<boolean>;
  /** Decisions an interactive driver makes per step (the cockpit's waiver and acknowledgement keys); they override the run's flags for this step. */
  decommission?: DecommissionFlags;
}

export interface StepOutcome {
  key: string;
  state: 'succeeded' | 'failed' | 'skipped';
  summary: string;
  error?: string;
  durationMs: number;
  backupPath?: string;
  /** The step was not started at all, and why: an interrupted step the operator did not confirm, or a journal
   *  that cannot be written. Nothing was journaled for it. */
  notRun?: 'interrupted' | 'journal-failed';
}

export interface RollbackEntryOutcome {
  key: string;
  ok: boolean;
  /** 'undone': its undo ran; 'kept': rollback = none (stays changed, with the reason); 'failed'. */
  result: 'undone' | 'kept' | 'failed';
  summary: string;
}

export interface RollbackOutcome {
  ok: boolean;
  entries: RollbackEntryOutcome[];
  /** Public smoke through the proxy after the rollback (legacy path); null when the runbook has no smoke. */
  smoke: { ok: boolean; failures: string[] } | null;
  /** The three proofs of the legacy path: local probes, public probes, live dials = the recorded original. */
  proofs: LegacyProof[];
  /** Set when the rollback stopped before changing anything (the target took writes and no choice was given). */
  refused?: 'new-writes';
  /** Writes the target took since the copy, and what was done with them; null when none. */
  newWrites?: { decision: 'refused' | NewWritesChoice; checked: number; diverged: DivergedDb[]; problems: { identity: string; why: string }[]; copyBack: { identity: string; ok: boolean; summary: string; backupPath?: string }[] } | null;
}

export interface RollbackOptions {
  /** What to do with writes the target took since the cutover copied its databases; without it a divergence refuses. */
  newWrites?: NewWritesChoice;
}

export interface Run {
  /** The run's id; 0 while a deferred run has not started (no step ran yet, nothing journaled). */
  readonly runId: number;
  readonly runbook: Runbook;
  readonly runbookPath: string;
  readonly plan: readonly ResolvedStep[];
  readonly stateDir: string;
  readonly journal: Journal;
  /** Set when an unfinished run was picked up again: where it stopped. */
  readonly resumed: ResumePoint | null;
  /** The run record (fresh from the journal). */
  record(): RunRecord;
  /** Step states of this run, folded from the journal (pending steps absent). */
  states(): StepStates;
  steps(): Map<string, StepRecord>;
  /** The next step that may run, or why none may (engine/next.ts). */
  next(): NextStep;
  /** Outage clock from the journaled step times against the runbook's budget. */
  outage(now?: number): OutageClock;
  /**
   * Runs one step: journals running → succeeded | failed with command lines, output (secrets scrubbed),
   * changed records and backup paths; opens/closes the outage window. A step the driver died in
   * (resumed.interrupted) is re-run when its action is safe to repeat, otherwise confirm() decides.
   */
  runStep(key: string, hooks?: RunHooks): Promise<StepOutcome>;
  /**
   * Runs the expansions of a `parallel` step at once (keys: a prefix of the engine's nextGroup): all are
   * journaled running first, then they act together, each journaling its own result. One key: runStep.
   */
  runGroup(keys: string[], hooks?: RunHooks): Promise<StepOutcome[]>;
  /** Operator skips a pending or failed step; journaled with the reason. */
  skipStep(key: string, reason: string): void;
  /** The rollback plan for what actually happened in this run (engine/rollback.ts). */
  rollbackPlan(): RollbackPlan;
  /** Runs the rollback plan newest-first, then smokes the legacy path. Ends the run 'rolled-back'. */
  rollback(hooks?: RunHooks, opts?: RollbackOptions): Promise<RollbackOutcome>;
  /** The exact commands to undo these rollback-plan entries by hand (what a rollback could not finish). */
  manualUndo(keys: string[]): { key: string; commands: string[] }[];
  /** In the lab: the client-side outage from the device timeline over this run, journaled. */
  measureClientOutage(): ClientOutage | null;
  /** One live snapshot of every panel (phase after, against the baseline), journaled as the run's 'verify' snapshot for the report. */
  recordSnapshot(): Promise<Snapshot>;
  /** Ends the run with an outcome (journal). */
  finish(outcome: 'succeeded' | 'failed' | 'aborted'): void;
  /** Releases the lease and closes the journal and http. Always call it (finally). */
  close(): Promise<void>;
  /** After close(): what it could not do cleanly when storage failed (events not saved, the lease left held). */
  readonly closeNotes: readonly string[];
}

/** What the rollback needs of a run: the narrow side of RunDriver that runner/rollback.ts talks to. */
export interface RollbackHost {
  readonly runId: number;
  /** The actions the run executes (their undo). */
  readonly actions: ActionRegistry;
  readonly runbook: Runbook;
  readonly plan: readonly ResolvedStep[];
  readonly journal: Journal;
  record(): RunRecord;
  steps(): Map<string, StepRecord>;
  rollbackPlan(): RollbackPlan;
  context(key: string, hooks: RunHooks | undefined, sink: string[], commands: string[]): CheckContext;
  /** The first intent the step journaled in this run (the world before it), or null. */
  firstIntent(key: string): Record<string, unknown> | null;
}
