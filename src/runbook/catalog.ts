// What the pure layers know about actions: a catalog of descriptors, received as a value. Each action is ONE
// module src/actions/<name>.ts (its descriptor and its effect), listed once in src/actions/index.ts; that
// registry is the catalog the commands, the runner and the cockpit pass down. The runbook's validation,
// expansion and plan text, the journal, the report and the screens never import the registry: they take the
// catalog (or what the cockpit derives from it) as a parameter, so a new action needs no edit here.
// tests: test/unit/action-registry.test.ts (every action complete; an action defined in a test alone works).
import type { z } from 'zod';
import type { ResolvedStep, StepFailureCode } from '../engine/types.ts';
import type { Runbook } from './schema.ts';

export type Params = Record<string, unknown>;
/** Names an instance as `incus` is typed (`REMOTE:NAME` with runtime.remote; the bare name by default). */
export type InstanceRef = (name: string) => string;

/** How a step of this action is undone when its rollback is "auto" — or why it has no undo of its own. */
export type UndoDecl =
  /** The action undoes itself (src/actions: undo.run); `plan` is the one line the plan and the rollback overlay show for it. */
  | {
      kind: 'auto';
      plan(step: ResolvedStep, rb: Runbook): string;
      /** The commands an operator types to undo it by hand, from the step's journaled `changed` (null: none recorded). */
      byHand(changed: Params | null, step: ResolvedStep, ref: InstanceRef): string[];
      /**
       * A step that did not finish journaled only its intent: the record byHand reads, in the shape of the journaled
       * `changed` (src/journal/events.ts). Without it the intent is read as it is.
       */
      fromIntent?(intent: Params): Params;
    }
  /** No automatic undo; the reason says why (a rollback step named in the runbook can still undo it). */
  | { kind: 'none'; reason: string };

/** What the preflight checks about a step of this action before the outage (src/preflight), or why nothing. */
export type PreflightDecl = { checks: string } | { none: string };

/** An action's documentation, as the operator reads it in docs/runbook.md (Markdown; `|` is escaped when rendered). */
export interface ActionDoc {
  /** Every param key, with its default or what an absent key means, e.g. "`container`, `force` (false)"; "—" when none. */
  keys: string;
  /** What a step of this action does. */
  does: string;
}

export interface ActionDescriptor {
  /** The step parameters of this action (every key is documented in docs/runbook.md: a test checks). */
  params: z.ZodObject;
  /** A valid step's parameters (the registry test plans it; a reader sees the action's shape at a glance). */
  example: Params;
  /**
   * Its row in docs/runbook.md's "Actions and their keys" table (generated: npx tsx scripts/gen-runbook-doc.ts, see
   * src/runbook/actions-doc.ts): `keys` names every param key with its default, `does` says what a step of it does.
   */
  doc: ActionDoc;
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

/** Every action the runbook may name, by name: the registry (src/actions/index.ts) seen from below. */
export type ActionCatalog = Readonly<Record<string, ActionDescriptor>>;

/** The action's descriptor, or undefined for a name the catalog does not list (never an Object.prototype key). */
export const descriptorOf = (catalog: ActionCatalog, name: string): ActionDescriptor | undefined => (Object.hasOwn(catalog, name) ? catalog[name] : undefined);

/** The catalog's action names, in its order. */
export const actionNames = (catalog: ActionCatalog): string[] => Object.keys(catalog);

/** Actions that know their own undo, so `rollback = "auto"` is allowed on them. */
export const autoUndoActions = (catalog: ActionCatalog): string[] => actionNames(catalog).filter((a) => catalog[a]!.undo.kind === 'auto');

/** Actions that must not simply run again after the driver died in them. */
export const onceOnlyActions = (catalog: ActionCatalog): ReadonlySet<string> => new Set(actionNames(catalog).filter((a) => catalog[a]!.onceOnly === true));

/** Actions that only read the world (a run of only such steps changed nothing). */
export const readOnlyActions = (catalog: ActionCatalog): ReadonlySet<string> => new Set(actionNames(catalog).filter((a) => catalog[a]!.readOnly === true));

/** What the cockpit's screens know of each action: its bindings and failure hint (plain data, see screens/state). */
export type ActionCockpit = NonNullable<ActionDescriptor['cockpit']>;
export const cockpitOf = (catalog: ActionCatalog): Record<string, ActionCockpit> =>
  Object.fromEntries(actionNames(catalog).flatMap((a) => (catalog[a]!.cockpit ? [[a, catalog[a]!.cockpit!]] : [])));
