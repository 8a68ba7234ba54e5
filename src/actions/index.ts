// Every action executor, by action name. Each subsystem exports its own table; this file only joins them.
import type { ActionExecutor } from './types.ts';
import { RUNTIME_EXECUTORS } from './registry.ts';
import { CHECK_EXECUTORS } from './checks.ts';
import { DECOMMISSION_EXECUTORS } from './decommission.ts';
import { HOLD_EXECUTORS } from './proxy-release.ts';

export const EXECUTORS: Record<string, ActionExecutor> = {
  ...RUNTIME_EXECUTORS,
  ...CHECK_EXECUTORS,
  ...DECOMMISSION_EXECUTORS,
  ...HOLD_EXECUTORS,
};

export function executorFor(action: string): ActionExecutor | undefined {
  return EXECUTORS[action];
}
