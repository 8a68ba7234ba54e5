// Device simulator: one fake device per identity calls GET /api/v1/identity with its pre-cutover bearer
// through Caddy every intervalMs and appends each request to a JSONL timeline (method, status, latency), so
// the client-side outage of a cutover (failed requests, added latency) can be read back. One request in
// flight per device; a slow answer delays that device's next call; a GET reset on a kept-alive connection is
// sent again once, as phone HTTP clients do (recorded as `retried`). The devices send no body (GET): hold
// mode's preflight relies on that (LAB_DEVICE_METHOD).
import { mkdirSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createHttp, HttpFailure } from '../../adapters/http.ts';
import { LAB_DEVICE_METHOD, type TimelineEvent } from '../../engine/client-timeline.ts';

export interface DeviceIdentity {
  slug: string;
  /** Host header, e.g. arne.posta.no. */
  host: string;
  token: string;
}

const DEVICE_METHOD = LAB_DEVICE_METHOD;

/**
 * How long a device waits for an answer. Like a phone's HTTP client, long enough for a request Caddy holds
 * through a hold-mode cutover (a refused connection is still answered 502 at once by Caddy).
 */
export const DEVICE_TIMEOUT_MS = 20_000;

export interface DevicesOptions {
  /** Where to connect, e.g. http://127.0.10.1:8080 (Caddy) — the Host header picks the site. */
  caddyUrl: string;
  identities: DeviceIdentity[];
  intervalMs?: number;
  /** JSONL file appended to (created 0600, parent directories 0700). */
  timelineFile: string;
  timeoutMs?: number;
  path?: string;
}

export interface Devices {
  stop(): Promise<void>;
}

export async function startDevices(opts: DevicesOptions): Promise<Devices> {
  const intervalMs = opts.intervalMs ?? 250;
  const timeoutMs = opts.timeoutMs ?? DEVICE_TIMEOUT_MS;
  const url = new URL(opts.path ?? '/api/v1/identity', opts.caddyUrl).href;
  const http = createHttp({ defaultTimeoutMs: timeoutMs, concurrency: Math.max(1, opts.identities.length), insecureTls: true });
  mkdirSync(dirname(opts.timelineFile), { recursive: true, mode: 0o700 });
  const file = await open(opts.timelineFile, 'a', 0o600);
  const stopping = new AbortController();
  let writes: Promise<void> = Promise.resolve();
  const append = (e: TimelineEvent) => {
    writes = writes.then(() => file.appendFile(JSON.stringify(e) + '\n'));
  };

  const probe = async (identity: DeviceIdentity): Promise<TimelineEvent> => {
    const startedAt = Date.now();
    const t = new Date(startedAt).toISOString();
    const send = () => http.request({ url, method: DEVICE_METHOD, host: identity.host, headers: { authorization: `Bearer ${identity.token}` } });
    let retried: string | undefined;
    try {
      let res;
      try {
        res = await send();
      } catch (err) {
        // A keep-alive connection that Caddy closed as the device sent on it (any reload closes the idle ones)
        // is reset before any answer. Phone HTTP clients send an idempotent GET again on a new connection
        // (OkHttp, NSURLSession, Go's net/http do), so the device does too, once, and the timeline says so.
        if (!(err instanceof HttpFailure) || err.kind !== 'reset') throw err;
        retried = `${err.kind}: ${err.message}`;
        res = await send();
      }
      return { t, identity: identity.slug, method: DEVICE_METHOD, status: res.status, ms: Date.now() - startedAt, ...(retried ? { retried } : {}) };
    } catch (err) {
      const error = err instanceof HttpFailure ? `${err.kind}: ${err.message}` : (err as Error).message;
      return { t, identity: identity.slug, method: DEVICE_METHOD, status: 0, ms: Date.now() - startedAt, error, ...(retried ? { retried } : {}) };
    }
  };

  // A request in flight when stop() is called is allowed to finish (bounded by timeoutMs) but not recorded.
  const loop = async (identity: DeviceIdentity) => {
    while (!stopping.signal.aborted) {
      const started = Date.now();
      const event = await probe(identity);
      if (stopping.signal.aborted) break;
      append(event);
      try {
        await sleep(Math.max(0, intervalMs - (Date.now() - started)), undefined, { signal: stopping.signal });
      } catch {
        break;
      }
    }
  };
  const loops = opts.identities.map(loop);

  let stopped: Promise<void> | undefined;
  return {
    stop: () =>
      (stopped ??= (async () => {
        stopping.abort();
        await Promise.all(loops);
        await writes;
        await file.close();
        await http.close();
      })()),
  };
}
