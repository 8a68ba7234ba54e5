// The live adapters behind every panel (incus, Caddy, HTTP, the baseline store) for one loaded runbook:
// built once here for status, verify, review and the cockpit.
import { CliError } from '../src/contract/io.ts';
import { loadRunbook } from '../src/runbook/load.ts';
import { invalidRunbookMessage } from '../src/runbook/problems.ts';
import type { Runbook } from '../src/runbook/schema.ts';
import type { ActionCatalog } from '../src/runbook/catalog.ts';
import type { ResolvedStep } from '../src/engine/types.ts';
import { runbookStateDir } from '../src/paths.ts';
import { createIncusRuntime } from '../src/adapters/incus.ts';
import { createHttp, type ClosableHttp } from '../src/adapters/http.ts';
import type { Runtime } from '../src/ports.ts';
import type { UpstreamsProbe } from './snapshot.ts';
import type { BaselineStore } from './baseline.ts';
import { fileBaselineStore } from './baseline-store.ts';
import { upstreamsPanel } from './upstreams.ts';

export interface LiveContext {
  file: string;
  runbook: Runbook;
  steps: ResolvedStep[];
  runtime: Runtime;
  http: ClosableHttp;
  upstreams: UpstreamsProbe;
  baselines: BaselineStore;
  stateDir: string;
}

/** Loads the runbook against the catalog of actions (problems → bad-input) and builds the real adapters. Callers close `http`. */
export async function openLive(file: string, io: { env: NodeJS.ProcessEnv }, stateOption: string | undefined, catalog: ActionCatalog): Promise<LiveContext> {
  const r = loadRunbook(file, { catalog, env: io.env });
  if (!r.runbook || r.problems.length > 0) {
    throw new CliError(invalidRunbookMessage(file, r.problems), 'bad-input');
  }
  return liveFor(file, r.runbook, r.steps ?? [], io.env, stateOption);
}

/** The real adapters for an already loaded runbook (the cockpit opens them after its first frame). */
export function liveFor(file: string, runbook: Runbook, steps: ResolvedStep[], env: NodeJS.ProcessEnv, stateOption: string | undefined): LiveContext {
  const stateDir = runbookStateDir(runbook, env, stateOption);
  const runtime = createIncusRuntime({ env, ...(runbook.runtime.binary ? { binary: runbook.runtime.binary } : {}), ...(runbook.runtime.remote ? { remote: runbook.runtime.remote } : {}) });
  return { file, runbook, steps, runtime, http: createHttp(), upstreams: (rb, instances) => upstreamsPanel(rb, instances), baselines: fileBaselineStore(stateDir), stateDir };
}
