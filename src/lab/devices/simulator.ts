// Device simulator: one fake device per identity calls GET /api/v1/identity with its pre-cutover bearer
// through Caddy every intervalMs and appends each result to a JSONL timeline, so the client-side outage of
// a cutover can be read back. One request in flight per device; a slow answer delays that device's next call.
import { mkdirSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { request as httpRequest, Agent as HttpAgent } from 'node:http';
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TimelineEvent } from './timeline.ts';

export interface DeviceIdentity {
  slug: string;
  /** Host header, e.g. arne.posta.no. */
  host: string;
  token: string;
}

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
  const timeoutMs = opts.timeoutMs ?? 1000;
  const base = new URL(opts.caddyUrl);
  const secure = base.protocol === 'https:';
  const agent = secure ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
  mkdirSync(dirname(opts.timelineFile), { recursive: true, mode: 0o700 });
  const file: FileHandle = await open(opts.timelineFile, 'a', 0o600);
  const stopping = new AbortController();
  let writes: Promise<void> = Promise.resolve();
  const append = (e: TimelineEvent) => {
    writes = writes.then(() => file.appendFile(JSON.stringify(e) + '\n').then(() => undefined));
  };

  const probe = (identity: DeviceIdentity): Promise<TimelineEvent> => {
    const startedAt = Date.now();
    const t = new Date(startedAt).toISOString();
    return new Promise((resolve) => {
      let settled = false;
      const done = (status: number, error?: string) => {
        if (settled) return;
        settled = true;
        resolve({ t, identity: identity.slug, status, ms: Date.now() - startedAt, ...(error ? { error } : {}) });
      };
      const signal = AbortSignal.any([stopping.signal, AbortSignal.timeout(timeoutMs)]);
      const req = (secure ? httpsRequest : httpRequest)(
        {
          protocol: base.protocol,
          hostname: base.hostname,
          port: base.port || (secure ? 443 : 80),
          path: opts.path ?? '/api/v1/identity',
          method: 'GET',
          agent,
          signal,
          servername: secure ? identity.host : undefined,
          headers: { host: identity.host, authorization: `Bearer ${identity.token}` },
        },
        (res) => {
          res.resume();
          res.on('end', () => done(res.statusCode ?? 0));
          res.on('error', (err) => done(0, errorText(err, signal)));
          res.on('close', () => done(0, signal.aborted ? errorText(new Error('aborted'), signal) : 'connection closed mid-answer'));
        },
      );
      req.on('error', (err) => done(0, errorText(err, signal)));
      req.end();
    });
  };

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
        agent.destroy();
      })()),
  };
}

function errorText(err: Error, signal: AbortSignal): string {
  if (signal.aborted && signal.reason instanceof Error && signal.reason.name === 'TimeoutError') return 'timeout';
  return (err as NodeJS.ErrnoException).code ?? err.message;
}
