// What an action's effect gets and returns (Action: one action whole, descriptor and effect). Effects do I/O
// only through the ports in ctx.
import type { HistorySummary } from '../../checks/history.ts';
import type { Http, Runtime } from '../ports.ts';
import type { Runbook } from '../runbook/schema.ts';
import type { ResolvedStep, StepFailureCode } from '../engine/types.ts';
import type { ActionDescriptor, UndoDecl } from '../runbook/catalog.ts';

export type ActionEvent =
  | { kind: 'output'; line: string; stream?: 'stdout' | 'stderr' }
  | { kind: 'command'; argv: string[] }
  | { kind: 'progress'; message: string; done?: number; total?: number };

export interface ActionContext {
  runtime: Runtime;
  http: Http;
  runbook: Runbook;
  /** Directory of the runbook file: relative `file.push` sources are resolved against it. */
  runbookDir: string;
  /** Private (0700) directory for this run's scratch files and pre-change copies of edited files. */
  workDir: string;
  /** Where backups and archives go (0700): Caddyfile backups live next to the Caddyfile instead. */
  backupDir: string;
  /** Resolves run-time template values ({{ip("posta")}}, {{baseline.…}}) left in step params. */
  resolve(text: string): Promise<string>;
  emit(event: ActionEvent): void;
  /**
   * Intent before effect: journals what the action is about to change (container/path/key, the backup path
   * or previous value) before it touches anything. Synchronous: it is on disk when it returns. Drivers
   * without a journal (previews) leave it out.
   */
  intend?(intent: Record<string, unknown>): void;
  /** Operator gates: true to pass. Non-interactive apply answers from --yes. */
  confirm(prompt: string): Promise<boolean>;
  now(): number;
  signal?: AbortSignal;
  /**
   * Irreversible steps (container.delete): the operator types `expected` (the container's name) to go on.
   * Drivers without it fall back to confirm(prompt); either way a false answer changes nothing.
   */
  confirmTyped?(prompt: string, expected: string): Promise<boolean>;
  /** What the decommission gates need from the driver; without it gate.stability refuses. */
  decommission?: DecommissionInputs;
}

/** Built by drivers with decommissionInputs() (src/actions/decommission-inputs.ts). */
export interface DecommissionInputs {
  /** When the cutover ended: --cutover-at, else the journal's record of runbook `since` (default: this one). */
  cutoverEnd(since: string | undefined): Promise<{ at: number; source: string } | null>;
  /** --waive-window --reason "…" (or the cockpit's typed reason). */
  waiver?: { who: string; reason: string };
  /**
   * Non-interactive drivers decide up front (apply --acknowledge-logs): true acknowledges what the log
   * review found, false refuses. Undefined: ask through confirm() (the cockpit).
   */
  acknowledgeLogs?: boolean;
  /** Journals the waiver (who, why, when) for the report. */
  recordWaiver(w: { gate: string; who: string; reason: string; at: number }): void;
  /** The verification history (cutover verify --every) of runbook `since` over [from, to]; null without a journal. */
  verificationHistory?(since: string | undefined, from: number, to: number): Promise<HistorySummary | null>;
}

export interface ActionResult {
  /** One line for the runbook list and the journal. */
  summary: string;
  /** What changed, so the step can be undone (journaled; must never hold secrets). */
  changed?: Record<string, unknown>;
  /** Structured details for the report (smoke items, copy checksums …). */
  details?: unknown;
  backupPath?: string;
}

/** Thrown by an executor when the step failed; `changed` says what it did before failing. */
export class ActionError extends Error {
  constructor(
    message: string,
    readonly changed?: Record<string, unknown>,
    /** Set when the driver offers something for this reason (see StepFailureCode). */
    readonly code?: StepFailureCode,
  ) {
    super(message);
    this.name = 'ActionError';
  }
}

/** What the runner adds to a step's report fields besides run()'s result. */
export interface ReportExtras {
  /** container.create: the instance's IPv4 right after the start. */
  ipv4?: string | null;
  /** Values captured before the first attempt (config.set's previous value), kept across re-runs. */
  intent?: Record<string, unknown>;
}

/** What an action's cockpit preview reads: the runbook, the live runtime, the run-time template resolver. */
export interface PreviewContext {
  runbook: Runbook;
  runtime: Runtime;
  /** Resolves {{ip("…")}} and the like from the live runtime; throws NoAddressError for a container without one. */
  resolve(text: string): Promise<string>;
}

/** A run-time template value names a container that has no address (not created yet, or stopped). */
export class NoAddressError extends Error {
  override name = 'NoAddressError';
  /** `shownAs`: the container as the operator types it (REMOTE:NAME with a remote). */
  constructor(readonly container: string, shownAs: string = container) {
    super(`container "${shownAs}" has no IPv4 address (is it running?)`);
  }
}

export interface ActionExecutor {
  run(step: ResolvedStep, ctx: ActionContext): Promise<ActionResult>;
  /**
   * The step's report fields (the journal's `changed`: the event contract in src/journal/events.ts) from what
   * run() returned. Without it the report gets run()'s `changed` as it is. Pure.
   */
  report?(step: ResolvedStep, result: ActionResult, extras: ReportExtras): Record<string, unknown>;
  /**
   * The cockpit's `d` before the step runs: the real change it will make against the world now (a Caddyfile
   * diff, a file's content diff). Actions without one show only their plan text.
   */
  preview?(step: ResolvedStep, ctx: PreviewContext): Promise<string>;
  /**
   * Before a step the driver died in is run again: bring a half-done change back to a state run() can start
   * from (e.g. a Caddyfile written but not reloaded). Returns what it did, or null when nothing was needed.
   */
  recover?(step: ResolvedStep, intent: Record<string, unknown>, ctx: ActionContext): Promise<string | null>;
}

/**
 * rollback = "auto": the declaration the plan shows (src/runbook/catalog.ts) and `run`, which puts the world back
 * as it was before the step. `changed` holds what run() recorded merged with the first intent it journaled (the
 * intent wins); the undo decides from what is actually there (file content vs backup, live config, current
 * value), never from a missing result.
 */
export type AutoUndo = Extract<UndoDecl, { kind: 'auto' }> & {
  run(step: ResolvedStep, changed: Record<string, unknown>, ctx: ActionContext): Promise<ActionResult>;
};

/**
 * One action, whole: its descriptor (what the runbook, the plan and the docs know: src/runbook/catalog.ts) and its
 * effect. An automatic undo carries its own run(); "none" carries its reason and no function at all.
 */
export interface Action extends Omit<ActionDescriptor, 'undo'>, ActionExecutor {
  undo: AutoUndo | Extract<UndoDecl, { kind: 'none' }>;
}
