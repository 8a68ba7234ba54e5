// service.start's after-start watch with a port: the settle time counts from the daemon's first answer. A
// daemon slow to listen (a loaded host) passes once it has answered for the whole settle time; one that stops
// listening a moment after its first answer fails, however late that answer came. The runtime is a stand-in
// for `service status` (a fake port: this tests the watch, not Incus); the port is a real TCP listener on
// 127.0.0.1 opened and closed on a timer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { serviceStart } from '../../src/actions/service-start.ts';
import type { ActionContext } from '../../src/actions/types.ts';
import type { ResolvedStep } from '../../src/engine/types.ts';

/** A daemon that starts listening `listenAfterMs` after start and, with `closeAfterMs`, stops that long later. */
async function daemon(listenAfterMs: number, closeAfterMs: number | null) {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((r) => probe.close(() => r()));
  let server: Server | null = null;
  const timers: NodeJS.Timeout[] = [];
  const start = () => {
    timers.push(
      setTimeout(() => {
        server = createServer((s) => s.destroy()).listen(port, '127.0.0.1');
        if (closeAfterMs !== null) timers.push(setTimeout(() => server?.close(), closeAfterMs));
      }, listenAfterMs),
    );
  };
  const stop = () => {
    timers.forEach(clearTimeout);
    server?.close();
  };
  return { port, start, stop };
}

function ctxFor(d: { start(): void }): ActionContext {
  let started = false;
  const runtime = {
    async exec(_container: string, argv: string[]) {
      const script = argv.join(' ');
      if (argv[0] === 'service' && argv[2] === 'status') return { exitCode: started ? 0 : 3, stdout: '', stderr: '' };
      if (/service "\$1" start/.test(script)) {
        started = true;
        d.start();
        return { exitCode: 0, stdout: '', stderr: '' };
      }
      return { exitCode: 0, stdout: '', stderr: '' };
    },
    async get() {
      return { name: 'posta', status: 'Running', ipv4: '127.0.0.1' };
    },
  };
  return { runtime, emit: () => {}, resolve: async (s: string) => s, now: () => Date.now(), runbook: { runtime: {} } } as unknown as ActionContext;
}

const step = (port: number, settle: string) =>
  ({ key: 'start', id: 'start', index: 1, title: 'start', action: 'service.start', params: { container: 'posta', service: 'posta', settle, port }, destructive: false, irreversible: false, rollback: { kind: 'none', reason: '' }, verify: [] }) as unknown as ResolvedStep;

test('service.start: a daemon that answers only after 1.5 s passes a 1 s settle, watched 1 s from its first answer', async () => {
  const d = await daemon(1500, null);
  try {
    const t0 = Date.now();
    const r = await serviceStart.run(step(d.port, '1s'), ctxFor(d));
    const took = Date.now() - t0;
    assert.match(r.summary, /posta started in .*up through 1 s on port/);
    assert.ok(took >= 2400, `watched from the first answer (took ${took} ms)`);
  } finally {
    d.stop();
  }
});

test('service.start: a daemon that answers after 1.5 s and stops listening 0.5 s later fails, naming it', async () => {
  const d = await daemon(1500, 500);
  try {
    await assert.rejects(serviceStart.run(step(d.port, '2s'), ctxFor(d)), (e: Error) => /posta stopped listening on 127\.0\.0\.1:\d+ [\d.]+ s after start/.test(e.message));
  } finally {
    d.stop();
  }
});
