// The part of undici cutover uses, an Agent and its request(), loaded without the rest of the package:
// `import … from 'undici'` brings fetch, WebSocket, EventSource, caches and mocks along (0.9 MB of the 3.4 MB
// bundle, parsed before the cockpit's first frame, and about 8 MiB resident). Pinned undici version: these
// two module paths are checked by every test that sends a request through the adapters.
import type { Agent as AgentType, Dispatcher } from 'undici';
import AgentClass from 'undici/lib/dispatcher/agent.js';
import requestApi from 'undici/lib/api/api-request.js';

export type Agent = AgentType;
export const Agent: typeof AgentType = AgentClass;

/** undici's `dispatcher.request(opts)`. */
export function request(dispatcher: Dispatcher, opts: Dispatcher.RequestOptions): Promise<Dispatcher.ResponseData> {
  return requestApi.call(dispatcher, opts);
}
