// The cockpit's state, the actions that change it (operator intents and driver events) and the effects it
// asks the driver to carry out. Pure data: no I/O, no React.
import type { PanelName, Snapshot } from '../../checks/types.ts';
import type { ResolvedStep, StepFailureCode, StepState } from '../../src/engine/types.ts';
import type { Cell } from '../../checks/history.ts';
import type { ActionCockpit } from '../../src/runbook/catalog.ts';

export interface StepView {
  step: ResolvedStep;
  state: StepState;
  /** Streamed output, oldest first (capped, see MAX_OUTPUT_LINES). */
  output: string[];
  /** Unified diff (Caddyfile, file writes) or the command list the step will run. */
  diff?: string;
  /** What failed, in words. */
  error?: string;
  /** Why it failed, when the cockpit offers something for that reason. */
  failureCode?: StepFailureCode;
  /** Outcome of the action's own automatic revert after a failure (e.g. "Caddyfile restored from backup"). */
  revert?: string;
  skipReason?: string;
}

export type Overlay =
  | { kind: 'help'; scroll: number }
  | { kind: 'confirm'; stepKey: string; destructive: boolean }
  | { kind: 'typed-confirm'; stepKey: string; expected: string; typed: string; error?: string }
  | { kind: 'skip-reason'; stepKey: string; reason: string; error?: string }
  /** The stability gate blocked: the operator types why the window is waived (journaled with who). */
  | { kind: 'waiver-reason'; stepKey: string; reason: string; error?: string }
  /** The log review found something: the operator acknowledges it explicitly, then the review runs again. */
  | { kind: 'acknowledge'; stepKey: string }
  /** scroll: first visible line, or -1 to follow the end (streaming output). */
  | { kind: 'diff'; stepKey: string; scroll: number }
  | { kind: 'output'; stepKey: string; scroll: number }
  | { kind: 'rollback-plan'; scroll: number }
  /** The rollback stopped before changing anything: the target took writes since the copy (one line per identity). */
  | { kind: 'new-writes'; scroll: number; lines: string[] }
  /** `window`: asked because the outage window is open (what is down is named), else because a step runs. */
  | { kind: 'quit-confirm'; window?: { down: string[] } };
export type OverlayKind = Overlay['kind'];

export type LockState = 'held' | 'free' | 'stale' | 'unknown';

export interface OutageClock {
  openedAt: number | null;
  closedAt: number | null;
  budgetMs: number;
  now: number;
}

export interface CockpitState {
  /** remote: the runbook's `[runtime] remote`; instances are then named (and typed) REMOTE:NAME. */
  runbook: { name: string; title?: string; remote?: string };
  steps: StepView[];
  /**
   * What the cockpit knows of each action (from its descriptor, handed in by src/cockpit): the bindings that act
   * on its steps and the hint when one failed. Plain data; the screens never read the action registry.
   */
  actions: Readonly<Record<string, ActionCockpit>>;
  /** Index into steps of the selected step. */
  selected: number;
  /** The panel shown full-size (keys 1–4), or null for the normal layout. */
  focus: PanelName | null;
  /** Row cursor inside the focused panel. */
  panelCursor: number;
  overlay: Overlay | null;
  snapshot: Snapshot | null;
  /** A re-check is in flight. */
  checking: boolean;
  clock: OutageClock;
  driver: { name: string; lock: LockState; detail?: string };
  readOnly: boolean;
  viewport: { columns: number; rows: number };
  message: { text: string; level: 'info' | 'warn' | 'error' } | null;
  /** The rollback this cockpit started is running (header: "rolling back"); cleared when it ends. */
  rollingBack?: boolean;
  /** The verification history strip (watch, after the cutover); absent until a history is found. */
  history?: HistoryStripView | null;
}

/** What screens/components/history-strip.ts draws: a summary line and one cell per run per identity. */
export interface HistoryStripView {
  /** e.g. "42 runs (40 green, 1 red, 1 cannot check), coverage 97.5%, green 97.6%, 1 red period". */
  line: string;
  rows: { identity: string; cells: Cell[] }[];
}

/** What the operator asked for, decoded from a key by the keymap. */
export type Intent =
  | { type: 'select'; delta: number }
  | { type: 'run-next' }
  | { type: 'skip' }
  | { type: 'waive' }
  | { type: 'acknowledge' }
  | { type: 'show-diff' }
  | { type: 'show-output' }
  | { type: 'rollback' }
  /** Answer to the new-writes question: roll back carrying the writes back, or without them. */
  | { type: 'rollback-choice'; choice: 'copy-back' | 'discard-new-writes' }
  | { type: 'recheck' }
  | { type: 'focus'; panel: PanelName }
  | { type: 'help' }
  | { type: 'quit' }
  | { type: 'back' }
  | { type: 'scroll'; delta: number }
  | { type: 'confirm' }
  | { type: 'submit' }
  | { type: 'text'; text: string }
  | { type: 'backspace' }
  /** A key whose binding is disabled or absent: the reason is shown, nothing else happens. */
  | { type: 'refused'; reason: string };

/** What the driver tells the screen. */
export type DriverEvent =
  /** reason: why a skipped step was skipped (from the journal, when following or resuming). */
  | { type: 'step-state'; key: string; state: StepState; error?: string; code?: StepFailureCode; revert?: string; at?: number; reason?: string }
  | { type: 'output'; key: string; lines: string[] }
  | { type: 'diff'; key: string; diff: string }
  | { type: 'snapshot'; snapshot: Snapshot }
  | { type: 'checking'; on: boolean }
  /** The rollback started (the operator confirmed it) or ended. */
  | { type: 'rolling-back'; on: boolean }
  | { type: 'tick'; now: number }
  | { type: 'outage'; openedAt?: number | null; closedAt?: number | null; budgetMs?: number }
  | { type: 'driver'; name: string; lock: LockState; detail?: string }
  | { type: 'message'; text: string; level?: 'info' | 'warn' | 'error' }
  | { type: 'history'; view: HistoryStripView | null }
  /** The rollback refused: the target took writes since the copy (lines name identity and counts); ask. */
  | { type: 'rollback-refused'; lines: string[] };

/** From the terminal: its size decides page sizes for scrolling. */
export type ViewportEvent = { type: 'viewport'; columns: number; rows: number };

export type Action = Intent | DriverEvent | ViewportEvent;

/** What the screen asks the driver to do. The screen never performs I/O itself. */
export type Effect =
  /**
   * typed: the container name typed for an irreversible step (the executor checks it against the name);
   * waiver: the stability window waived with this reason; acknowledgeLogs: the log review's findings acknowledged.
   */
  | { type: 'run-step'; key: string; typed?: string; waiver?: { reason: string }; acknowledgeLogs?: boolean }
  | { type: 'skip-step'; key: string; reason: string }
  /** newWrites: the operator's answer after the rollback refused because the target took writes. */
  | { type: 'rollback'; newWrites?: 'copy-back' | 'discard-new-writes' }
  | { type: 'recheck' }
  | { type: 'quit'; resumable: boolean };

export interface Reduction {
  state: CockpitState;
  effects: Effect[];
}
