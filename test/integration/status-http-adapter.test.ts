// The undici Http adapter against a real loopback server: Host override, timeout, refusal, concurrency cap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttp, HttpFailure } from '../../src/adapters/http.ts';

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

test('http adapter: Host override, timeouts and refusals as HttpFailure, concurrency cap', async (t) => {
  let inFlight = 0;
  let maxInFlight = 0;
  const server = createServer((req, res) => {
    const busy = req.url === '/busy';
    if (busy) inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const delay = req.url === '/slow' ? 2000 : req.url === '/busy' ? 50 : 0;
    setTimeout(() => {
      if (busy) inFlight--;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ host: req.headers.host, auth: req.headers.authorization ?? null }));
    }, delay);
  });
  const port = await listen(server);
  const http = createHttp({ concurrency: 3, defaultTimeoutMs: 1000 });
  t.after(async () => {
    await http.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const res = await http.request({ url: `http://127.0.0.1:${port}/`, host: 'arne.posta.no', headers: { authorization: 'Bearer x' } });
  assert.equal(res.status, 200);
  assert.equal(res.headers['content-type'], 'application/json');
  assert.deepEqual(JSON.parse(res.body), { host: 'arne.posta.no', auth: 'Bearer x' });
  assert.ok(res.timeMs >= 0 && res.timeMs < 1000);

  const started = Date.now();
  await assert.rejects(http.request({ url: `http://127.0.0.1:${port}/slow`, timeoutMs: 200 }), (err: unknown) => {
    assert.ok(err instanceof HttpFailure);
    assert.equal(err.kind, 'timeout');
    assert.match(err.message, /timed out after 200 ms/);
    return true;
  });
  assert.ok(Date.now() - started < 1500, 'timeout honoured');

  const closed = createServer();
  const deadPort = await listen(closed);
  await new Promise((r) => closed.close(r));
  await assert.rejects(http.request({ url: `http://127.0.0.1:${deadPort}/` }), (err: unknown) => {
    assert.ok(err instanceof HttpFailure);
    assert.equal(err.kind, 'refused');
    return true;
  });

  maxInFlight = 0;
  const all = await Promise.all(Array.from({ length: 12 }, () => http.request({ url: `http://127.0.0.1:${port}/busy` })));
  assert.equal(all.length, 12);
  assert.ok(all.every((r) => r.status === 200));
  assert.ok(maxInFlight <= 3 && maxInFlight >= 2, `max in flight ${maxInFlight} respects the cap of 3`);
});
