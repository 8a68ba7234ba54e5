// The live adapters for the cockpit's already loaded runbook (opened after the first frame).
import { liveFor, type LiveContext } from '../../checks/live.ts';
import type { CockpitRunbook } from './load.ts';

export function liveContext(file: string, loaded: CockpitRunbook, env: NodeJS.ProcessEnv, stateOption: string | undefined): LiveContext {
  return liveFor(file, loaded.runbook, loaded.steps, env, stateOption);
}
