// THE list of actions: one line per action, its pure descriptor half. Everything else derives from it: the
// runbook schema's step params and the JSON Schema (src/runbook), the plan text (src/runbook/describe.ts), which
// actions have an automatic undo, which may run again after a crash, which only read; the effect half
// (src/actions/index.ts) is typed over these names, so an action without execute is a type error.
// docs/runbook.md documents every action and parameter listed here (test/unit/runbook-docs.test.ts), and
// test/unit/action-registry.test.ts checks each action has plan text, preflight, execute and an undo or a reason.
import type { ActionDescriptor } from './types.ts';
import { containerCreate } from './container-create.ts';
import { containerStop } from './container-stop.ts';
import { containerStart } from './container-start.ts';
import { containerDelete } from './container-delete.ts';
import { filePush } from './file-push.ts';
import { fileWrite } from './file-write.ts';
import { dirCreate } from './dir-create.ts';
import { exec } from './exec.ts';
import { serviceStop } from './service-stop.ts';
import { serviceStart } from './service-start.ts';
import { copy } from './copy.ts';
import { configSet } from './config-set.ts';
import { proxyRepoint } from './proxy-repoint.ts';
import { proxyRestore } from './proxy-restore.ts';
import { proxyRelease } from './proxy-release.ts';
import { smoke } from './smoke.ts';
import { tokensSurvival } from './tokens-survival.ts';
import { baseline } from './baseline.ts';
import { backup } from './backup.ts';
import { gateOperator } from './gate-operator.ts';
import { gateStability } from './gate-stability.ts';
import { logsReview } from './logs-review.ts';
import { note } from './note.ts';

export const DESCRIPTORS = {
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
} as const satisfies Record<string, ActionDescriptor>;

export type ActionName = keyof typeof DESCRIPTORS;
export const ACTIONS = Object.keys(DESCRIPTORS) as ActionName[];
export const isAction = (name: string): name is ActionName => Object.hasOwn(DESCRIPTORS, name);
export const descriptorOf = (name: string): ActionDescriptor | undefined => (isAction(name) ? DESCRIPTORS[name] : undefined);

/** The cockpit binding (a screens/keymap.ts id) acts on steps of this action: its descriptor names it. */
export const bindingActsOn = (binding: string, action: string): boolean => descriptorOf(action)?.cockpit?.bindings.includes(binding) ?? false;

/** Each action's step parameters (the schema fragment). */
export const ACTION_PARAMS = Object.fromEntries(ACTIONS.map((a) => [a, DESCRIPTORS[a].params])) as Record<ActionName, ActionDescriptor['params']>;
/** Actions that know their own undo, so `rollback = "auto"` is allowed on them. */
export const AUTO_UNDO_ACTIONS: readonly ActionName[] = ACTIONS.filter((a) => DESCRIPTORS[a].undo.kind === 'auto');
/** Actions that must not simply run again after the driver died in them. */
export const ONCE_ONLY_ACTIONS: readonly ActionName[] = ACTIONS.filter((a) => (DESCRIPTORS[a] as ActionDescriptor).onceOnly === true);
/** Actions that only read the world. */
export const READ_ONLY_ACTIONS: readonly ActionName[] = ACTIONS.filter((a) => (DESCRIPTORS[a] as ActionDescriptor).readOnly === true);
