// Records the journal hands out. Times are epoch milliseconds.
import type { StepFailureCode, StepState } from '../engine/types.ts';

export type RunMode = 'apply' | 'run' | 'rollback' | 'decommission';
export type RunOutcome = 'succeeded' | 'failed' | 'aborted' | 'rolled-back' | 'abandoned';

export interface RunStart {
  runbookPath: string;
  runbookName: string;
  runbookSha256: string;
  /** The runbook as it was when the run started: resume diffs against it, the report reads it. */
  runbookText: string;
  /** The target host of the runbook (runbook.host), e.g. "fismen". */
  host: string;
  /** Default: user@host ($USER, else $LOGNAME, else the OS account), plus "(ssh from …)" from $SSH_CONNECTION. */
  operator?: string;
  mode: RunMode;
  at?: number;
}

/** What the lab's device simulator saw: the outage as clients experienced it. */
export interface ClientOutage {
  ms: number;
  from?: number;
  to?: number;
  /** Longest gap per identity, in ms. */
  perIdentity?: Record<string, number>;
  /** Where the measurement comes from, e.g. "lab device timeline". */
  source?: string;
  /** The client requests of the whole run (first step to now): how many, how many failed, the slowest. */
  requests?: number;
  failed?: number;
  longestMs?: number;
  /** Median latency of the requests before the run, and longestMs minus it. */
  usualMs?: number | null;
  addedMs?: number | null;
}

export interface RunRecord {
  id: number;
  runbookPath: string;
  runbookName: string;
  runbookSha256: string;
  runbookText: string;
  host: string;
  operator: string;
  sshClient: string | null;
  mode: RunMode;
  pid: number;
  startedAt: number;
  endedAt: number | null;
  outcome: RunOutcome | null;
  outage: { startedAt: number | null; endedAt: number | null; ms: number | null };
  clientOutage: ClientOutage | null;
}

export interface StepEventInput {
  /** ResolvedStep.key, e.g. "copy-db[arne]". */
  stepKey: string;
  state: StepState;
  at?: number;
  /** Runbook action and resolved title; give them on the first event of an attempt. */
  action?: string;
  title?: string;
  /** The command as shown to the operator (argv joined), never containing a secret. */
  command?: string;
  exitCode?: number;
  /** stdout+stderr; truncated to OUTPUT_LIMIT, secrets scrubbed. */
  output?: string;
  /** What changed, as JSON: the event contract in events.ts says what each action records. */
  changed?: unknown;
  backupPath?: string;
  error?: string;
  /** Why a failed step failed, when a driver acts on the reason (kept in the event's detail). */
  code?: StepFailureCode;
}

/** 'intent': what a step is about to change (and its backup), journaled before it touches anything. */
export type EventKind = 'run' | 'step' | 'lease' | 'outage' | 'note' | 'waiver' | 'intent' | 'world';

export interface JournalEvent {
  id: number;
  runId: number | null;
  at: number;
  kind: EventKind;
  stepKey: string | null;
  state: string | null;
  action: string | null;
  title: string | null;
  command: string | null;
  exitCode: number | null;
  output: string | null;
  changed: unknown;
  backupPath: string | null;
  error: string | null;
  detail: unknown;
}

/** One step of a run, folded from its events. */
export interface StepRecord {
  key: string;
  state: StepState;
  action: string | null;
  title: string | null;
  /** Start of the latest attempt. */
  startedAt: number | null;
  endedAt: number | null;
  durationMs: number | null;
  /** How many times the step was started (a resumed step that was re-run counts twice). */
  attempts: number;
  command: string | null;
  exitCode: number | null;
  output: string | null;
  changed: unknown;
  backupPath: string | null;
  error: string | null;
  /** The latest attempt's failure code, when it failed with one. */
  failureCode: StepFailureCode | null;
  /** Set when the step was undone; the original `changed` stays for the report. */
  rolledBack: { at: number; changed: unknown; error: string | null } | null;
}

export interface KeyBaseline {
  identity: string;
  /** e.g. "sha256:…" of the public key. */
  fingerprint: string;
  /** The public key (not secret) or its prefix; stored as a short prefix. */
  publicKey?: string;
  name?: string;
}

export interface TokenBaseline {
  identity: string;
  /** Device / token name, e.g. "tui-dev". */
  device: string;
  /** The secret itself: only its fingerprint and a masked prefix are stored, and it is scrubbed everywhere. */
  token?: string;
  tokenMasked?: string;
  createdAt?: string | null;
  lastSeenAt?: string | null;
}

export interface BaselineRecord {
  kind: 'key' | 'token';
  identity: string;
  name: string;
  fingerprint: string;
  masked: string;
  createdAt: string | null;
  lastSeenAt: string | null;
  at: number;
}

export interface WaiverRecord {
  id: number;
  runId: number | null;
  gate: string;
  who: string;
  reason: string;
  at: number;
}
