// The runbook, loaded and validated before the first frame (the screen is built from its plan); a runbook
// with problems never gets a screen: exit 2 with the same list `cutover validate` prints.
import { CliError } from '../contract/io.ts';
import type { ResolvedStep } from '../engine/types.ts';
import { loadRunbook } from '../runbook/load.ts';
import { CATALOG } from '../actions/index.ts';
import { invalidRunbookMessage } from '../runbook/problems.ts';
import type { Runbook } from '../runbook/schema.ts';

export interface CockpitRunbook {
  runbook: Runbook;
  steps: ResolvedStep[];
}

/** `prefix` is what the command's errors start with ("run: " for run; watch's are unprefixed, as before). */
export function loadCockpitRunbook(file: string, env: NodeJS.ProcessEnv, prefix: string): CockpitRunbook {
  const r = loadRunbook(file, { catalog: CATALOG, env });
  if (!r.runbook || !r.steps || r.problems.length > 0) {
    throw new CliError(`${prefix}${invalidRunbookMessage(file, r.problems)}`, 'bad-input');
  }
  return { runbook: r.runbook, steps: r.steps };
}
