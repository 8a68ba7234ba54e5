// The pure half of an action's descriptor: what the runbook, the plan and the docs need to know about it.
// Pure (no I/O): the runbook's validation (a low layer) reads it. The effect half (execute, undo, recover)
// lives in src/actions/ and is keyed by the same registry (src/runbook/actions/index.ts), so a missing effect
// is a type error. tests: test/unit/action-registry.test.ts lists every action and checks both halves.
import type { z } from 'zod';
import type { ResolvedStep, StepFailureCode } from '../../engine/types.ts';
import type { Runbook } from '../schema.ts';

export type Params = Record<string, unknown>;
/** Names an instance as `incus` is typed (`REMOTE:NAME` with runtime.remote; the bare name by default). */
export type InstanceRef = (name: string) => string;

/** How a step of this action is undone when its rollback is "auto" — or why it has no undo of its own. */
export type UndoDecl =
  /** The effect half has undo(); `plan` is the one line the plan and the rollback overlay show for it. */
  | {
      kind: 'auto';
      plan(step: ResolvedStep, rb: Runbook): string;
      /** The commands an operator types to undo it by hand, from the step's journaled `changed` (null: none recorded). */
      byHand(changed: Params | null, step: ResolvedStep, ref: InstanceRef): string[];
    }
  /** No automatic undo; the reason says why (a rollback step named in the runbook can still undo it). */
  | { kind: 'none'; reason: string };

/** What the preflight checks about a step of this action before the outage (src/preflight), or why nothing. */
export type PreflightDecl = { checks: string } | { none: string };

export interface ActionDescriptor {
  /** The step parameters of this action (every key is documented in docs/runbook.md: a test checks). */
  params: z.ZodObject;
  /** A valid step's parameters (the registry test plans it; a reader sees the action's shape at a glance). */
  example: Params;
  /** Plan text: what the step will do, as the commands an operator would type; run-time values as markers. */
  plan(p: Params, rb: Runbook, item?: string): string[];
  undo: UndoDecl;
  preflight: PreflightDecl;
  /** The runbook section a step of this action cannot do without (checked when the runbook loads). */
  needs?: 'proxy' | 'smoke' | 'tokens';
  /** The command an operator types for a step of this action (the report's by-hand rollback of a rollback step). */
  byHand?(p: Params, ref: InstanceRef): string[];
  /** The cockpit: bindings (screens/keymap.ts ids) that act on a step of this action, and the hint when it failed. */
  cockpit?: { bindings: readonly string[]; failed?: { code?: StepFailureCode; hint: string } };
  /**
   * Must not simply run again after the driver died in it (a delete, an arbitrary command, a question put to a
   * person). Every other action converges, so a step that was running is re-run (after confirm()).
   */
  onceOnly?: boolean;
  /** Only reads the world (its records go to the state dir): a run of only such steps changed nothing. */
  readOnly?: boolean;
}
