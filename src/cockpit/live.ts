// The live adapters for an already loaded runbook (what `openLive` builds, without loading it again):
// opened after the first frame.
import { createHttp } from '../adapters/http.ts';
import { createIncusRuntime } from '../adapters/incus.ts';
import { fileBaselineStore } from '../../checks/baseline-store.ts';
import { upstreamsPanel } from '../../checks/upstreams.ts';
import type { LiveContext } from '../commands/status.ts';
import { runbookStateDir } from '../paths.ts';
import type { CockpitRunbook } from './load.ts';

export function liveContext(file: string, loaded: CockpitRunbook, env: NodeJS.ProcessEnv, stateOption: string | undefined): LiveContext {
  const { runbook, steps } = loaded;
  const stateDir = runbookStateDir(runbook, env, stateOption);
  const runtime = createIncusRuntime({ env, ...(runbook.runtime.binary ? { binary: runbook.runtime.binary } : {}), ...(runbook.runtime.remote ? { remote: runbook.runtime.remote } : {}) });
  return { file, runbook, steps, runtime, http: createHttp(), upstreams: (rb, instances) => upstreamsPanel(rb, instances), baselines: fileBaselineStore(stateDir), stateDir };
}
