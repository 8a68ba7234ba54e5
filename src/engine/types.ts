// Shared vocabulary of the engine, the journal and the screens. Pure types, no I/O.

export const STEP_STATES = ['pending', 'running', 'succeeded', 'failed', 'skipped', 'rolled-back'] as const;
export type StepState = (typeof STEP_STATES)[number];

/** Glyph per state: colour is never the only signal. */
export const STATE_GLYPH: Record<StepState, string> = {
  pending: '·',
  running: '▶',
  succeeded: '✓',
  failed: '✗',
  skipped: '↷',
  'rolled-back': '↺',
};

/** How a resolved step is undone. */
export type ResolvedRollback =
  | { kind: 'auto' }
  | { kind: 'none'; reason: string }
  | { kind: 'step'; action: string; params: Record<string, unknown> };

/**
 * One step after `for_each` expansion and template resolution (run-time values such as container IPs may
 * still be unresolved: they stay as `{{ip("posta")}}` until the executor resolves them).
 */
export interface ResolvedStep {
  /** Unique key: the step id, plus `[item]` when expanded, e.g. "stop-legacy[arne]". */
  key: string;
  /** The step id as written in the runbook. */
  id: string;
  /** 1-based position in the resolved plan. */
  index: number;
  title: string;
  action: string;
  /** Action parameters (everything but the common step fields), templates resolved where possible. */
  params: Record<string, unknown>;
  destructive: boolean;
  irreversible: boolean;
  rollback: ResolvedRollback;
  verify: string[];
  outage?: 'opens' | 'closes';
  /** The for_each item this instance was expanded for (identity slug or container name). */
  item?: string;
  /** Step ids that must have succeeded before this one may run (besides the order of the plan). */
  after?: string[];
  /** for_each with parallel = true: this expansion runs together with its pending siblings (same id). */
  parallel?: true;
  /** Line of the step in the runbook file, for messages. */
  line?: number;
}

/** Why a step failed when the driver must act on the reason (never matched from the message text):
 *  'not-acknowledged': the log review found lines the operator did not acknowledge; acknowledging re-runs it. */
export const STEP_FAILURE_CODES = ['not-acknowledged'] as const;
export type StepFailureCode = (typeof STEP_FAILURE_CODES)[number];
export const isStepFailureCode = (x: unknown): x is StepFailureCode => typeof x === 'string' && (STEP_FAILURE_CODES as readonly string[]).includes(x);
