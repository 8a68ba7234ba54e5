// Executors of the decommission: gate.stability, logs.review. (Filled in by the decommission work.)
import type { ActionExecutor } from './types.ts';

export const DECOMMISSION_EXECUTORS: Record<string, ActionExecutor> = {};
