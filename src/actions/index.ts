// The effect half of every action (execute, undo, recover), keyed by the one list of actions
// (src/runbook/actions/index.ts): an action in the registry without its executor here is a type error, and
// test/unit/action-registry.test.ts checks each undo against the descriptor's declaration.
import type { ActionExecutor } from './types.ts';
import type { ActionName } from '../runbook/actions/index.ts';
import { containerCreate, containerDelete, containerStart, containerStop } from './container.ts';
import { dirCreate } from './dir-create.ts';
import { filePush } from './file-push.ts';
import { fileWrite } from './file-write.ts';
import { exec, serviceStart, serviceStop } from './service.ts';
import { copy } from './copy.ts';
import { configSet } from './config-set.ts';
import { operatorGate } from './gate-operator.ts';
import { note } from './note.ts';
import { proxyRepoint } from './proxy-repoint.ts';
import { proxyRestore } from './proxy-restore.ts';
import { smoke } from './smoke.ts';
import { tokensSurvival } from './tokens-survival.ts';
import { baseline } from './baseline.ts';
import { backup } from './backup.ts';
import { stabilityGate } from './gate-stability.ts';
import { logsReview } from './logs-review.ts';
import { proxyRelease } from './proxy-release.ts';

export const EXECUTORS: Record<ActionName, ActionExecutor> = {
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
  'gate.operator': operatorGate,
  'gate.stability': stabilityGate,
  'logs.review': logsReview,
  note,
};

export function executorFor(action: string): ActionExecutor | undefined {
  return Object.hasOwn(EXECUTORS, action) ? EXECUTORS[action as ActionName] : undefined;
}
