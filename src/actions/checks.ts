// Executors that need the proxy or the checks: proxy.repoint, proxy.restore, smoke, tokens.survival,
// baseline, backup. (Filled in by the apply/rollback work.)
import type { ActionExecutor } from './types.ts';

export const CHECK_EXECUTORS: Record<string, ActionExecutor> = {};
