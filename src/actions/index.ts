// THE list of actions: one line per action. Each action is one module (./<name>.ts) holding its descriptor
// (params, plan text, undo, preflight, cockpit bindings) and its effect (run, undo.run, recover, report, preview).
// The runbook schema and JSON Schema, docs/runbook.md's actions table (each action's `doc`, written by
// npx tsx scripts/gen-runbook-doc.ts; test/unit/runbook-docs.test.ts fails when stale), the plan text, the
// keymap's hints and the runner all derive from this list; the lower layers receive it as a value (ActionCatalog,
// src/runbook/catalog.ts) and never import it. test/unit/action-registry.test.ts checks every action is complete.
import type { Action } from './types.ts';
import type { ActionCatalog } from '../runbook/catalog.ts';
import { backup } from './backup.ts';
import { baseline } from './baseline.ts';
import { configSet } from './config-set.ts';
import { containerCreate } from './container-create.ts';
import { containerDelete } from './container-delete.ts';
import { containerStart } from './container-start.ts';
import { containerStop } from './container-stop.ts';
import { copy } from './copy.ts';
import { dirCreate } from './dir-create.ts';
import { exec } from './exec.ts';
import { filePush } from './file-push.ts';
import { fileWrite } from './file-write.ts';
import { gateOperator } from './gate-operator.ts';
import { gateStability } from './gate-stability.ts';
import { logsReview } from './logs-review.ts';
import { note } from './note.ts';
import { proxyRelease } from './proxy-release.ts';
import { proxyRepoint } from './proxy-repoint.ts';
import { proxyRestore } from './proxy-restore.ts';
import { serviceStart } from './service-start.ts';
import { serviceStop } from './service-stop.ts';
import { smoke } from './smoke.ts';
import { tokensSurvival } from './tokens-survival.ts';

export const REGISTRY = {
  'container.create': containerCreate,
  'container.stop': containerStop,
  'container.start': containerStart,
  'container.delete': containerDelete,
  'file.push': filePush,
  'file.write': fileWrite,
  'dir.create': dirCreate,
  exec,
  'service.stop': serviceStop,
  'service.start': serviceStart,
  copy,
  'config.set': configSet,
  'proxy.repoint': proxyRepoint,
  'proxy.restore': proxyRestore,
  'proxy.release': proxyRelease,
  smoke,
  'tokens.survival': tokensSurvival,
  baseline,
  backup,
  'gate.operator': gateOperator,
  'gate.stability': gateStability,
  'logs.review': logsReview,
  note,
} as const satisfies Record<string, Action>;

export type ActionName = keyof typeof REGISTRY;
/** The action list as a pure catalog: what the runbook loader, the plan text, the journal and the report take. */
export const CATALOG: ActionCatalog = REGISTRY;
/** The registry as the runner reads it: any name, the action or undefined. */
export type ActionRegistry = Readonly<Record<string, Action>>;

/** The action named, or undefined (an unknown name or an Object.prototype key). */
export function actionOf(name: string, registry: ActionRegistry = REGISTRY): Action | undefined {
  return Object.hasOwn(registry, name) ? registry[name] : undefined;
}
