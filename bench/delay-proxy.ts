// A loopback TCP proxy that stands in for a network round trip: every chunk is passed on after a fixed
// one-way delay in each direction (so a request/response pays 2 × ONE_WAY_MS), order kept (equal timers
// fire in order). TCP handshakes with the proxy itself are not delayed. Run as its own process so its work
// does not share the prober's event loop:
//   node --import tsx bench/delay-proxy.ts ONE_WAY_MS LISTEN_HOST:PORT=TARGET_HOST:PORT …
// Prints "ready" once every listener is bound.
import { createConnection, createServer, type Socket } from 'node:net';

function splitHostPort(s: string): { host: string; port: number } {
  const i = s.lastIndexOf(':');
  return { host: s.slice(0, i), port: Number(s.slice(i + 1)) };
}

function delayed(from: Socket, to: Socket, ms: number): void {
  from.on('data', (chunk) => setTimeout(() => to.destroyed || to.write(chunk), ms));
  from.on('end', () => setTimeout(() => to.end(), ms));
  from.on('error', () => to.destroy());
  from.on('close', () => setTimeout(() => to.destroy(), ms + 1));
}

const [msArg, ...routes] = process.argv.slice(2);
const oneWay = Number(msArg);
if (!Number.isFinite(oneWay) || routes.length === 0) {
  process.stderr.write('usage: delay-proxy ONE_WAY_MS LISTEN_HOST:PORT=TARGET_HOST:PORT …\n');
  process.exit(2);
}
let bound = 0;
for (const route of routes) {
  const [listen, target] = route.split('=').map(splitHostPort) as [{ host: string; port: number }, { host: string; port: number }];
  const server = createServer({ noDelay: true }, (client) => {
    const upstream = createConnection({ host: target.host, port: target.port, noDelay: true });
    delayed(client, upstream, oneWay);
    delayed(upstream, client, oneWay);
  });
  server.listen(listen.port, listen.host, () => {
    if (++bound === routes.length) process.stdout.write('ready\n');
  });
}
