// Action name → executor. Actions that need another subsystem (proxy, smoke, tokens, backup, decommission
// gates) are registered by src/actions/index.ts as those land.
import type { ActionExecutor } from './types.ts';
import { containerCreate, containerDelete, containerStart, containerStop } from './container.ts';
import { dirCreate, filePush, fileWrite } from './files.ts';
import { exec, serviceStart, serviceStop } from './service.ts';
import { copy } from './copy.ts';
import { configSet } from './config.ts';
import { note, operatorGate } from './gates.ts';

export const RUNTIME_EXECUTORS: Record<string, ActionExecutor> = {
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
  'gate.operator': operatorGate,
  note,
};
