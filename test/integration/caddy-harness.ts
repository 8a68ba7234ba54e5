// A private real Caddy for integration tests: `caddy run` in a temp dir (HOME/XDG inside it) on 127.0.10.250
// (admin :2019, HTTP :8081; the lab owns 127.0.10.1), two tiny node upstreams on :9001/:9002, and an optional
// admin-API proxy that can refuse or sabotage a /load. stop() ends everything it started.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';

export const IP = '127.0.10.250';
export const ADMIN = `http://${IP}:2019`;
export const PROXY_ADMIN = `http://${IP}:2020`;
export const UP1 = `${IP}:9001`;
export const UP2 = `${IP}:9002`;

export const siteBlock = (host: string, upstream: string) => `http://${host}:8081 {\n\tbind ${IP}\n\treverse_proxy ${upstream}\n}\n`;
export const LAB_CADDYFILE =
  `# test Caddyfile\n{\n\tadmin ${IP}:2019\n\tauto_https off\n}\n\n` +
  [siteBlock('arne.lab.test', UP1), siteBlock('marcus.lab.test', UP1), siteBlock('other.lab.test', UP1)].join('\n');

export interface CaddyLab {
  dir: string;
  caddyfile: string;
  /** GET through Caddy with a Host header; returns the body (which upstream answered). */
  get(host: string): Promise<{ status: number; body: string }>;
  /** Admin proxy on :2020: 'refuse' answers the first POST /load with 500 itself; 'apply-then-fail' forwards it, then answers 500. */
  adminProxy(mode: 'refuse' | 'apply-then-fail'): Promise<void>;
  stop(): Promise<void>;
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, IP, () => resolve());
  });
}

async function waitForAdmin(proc: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`caddy exited with ${proc.exitCode}: ${log()}`);
    try {
      const r = await request(`${ADMIN}/config/`, { headersTimeout: 500 });
      await r.body.text();
      if (r.statusCode === 200) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`caddy admin API did not come up on ${ADMIN}: ${log()}`);
}

export async function startCaddyLab(caddyfileText = LAB_CADDYFILE): Promise<CaddyLab> {
  const dir = mkdtempSync(join(tmpdir(), 'cutover-caddy-it-'));
  const caddyfile = join(dir, 'Caddyfile');
  writeFileSync(caddyfile, caddyfileText, { mode: 0o644 });
  const servers: Server[] = [];
  let caddy: ChildProcess | undefined;
  const stop = async () => {
    if (caddy && caddy.exitCode === null && caddy.signalCode === null) {
      const exited = new Promise((r) => caddy!.once('exit', r));
      caddy.kill('SIGTERM');
      const timer = setTimeout(() => caddy!.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    servers.forEach((s) => s.closeAllConnections());
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const port of [9001, 9002]) {
      const s = createServer((req, res) => res.end(`upstream ${port} host ${req.headers.host}`));
      servers.push(s);
      await listen(s, port);
    }
    const env = { ...process.env, HOME: dir, XDG_CONFIG_HOME: join(dir, 'config'), XDG_DATA_HOME: join(dir, 'data') };
    let output = '';
    caddy = spawn('/usr/bin/caddy', ['run', '--config', caddyfile, '--adapter', 'caddyfile'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const spawnError = new Promise<never>((_, reject) => caddy!.once('error', (e) => reject(new Error(`cannot start /usr/bin/caddy (is the caddy package installed?): ${e.message}`))));
    caddy.stdout!.on('data', (d) => (output += d));
    caddy.stderr!.on('data', (d) => (output += d));
    await Promise.race([waitForAdmin(caddy, () => output.slice(-2000)), spawnError]);
  } catch (err) {
    await stop();
    throw err;
  }

  const adminProxy = async (mode: 'refuse' | 'apply-then-fail') => {
    let loads = 0;
    const proxy = createServer((req, res) => {
      const isLoad = req.method === 'POST' && req.url === '/load' && ++loads === 1;
      if (isLoad && mode === 'refuse') {
        req.resume();
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"admin endpoint refused the load (injected by the test)"}');
        return;
      }
      const headers = { ...req.headers, host: `${IP}:2019` };
      if (headers.origin) headers.origin = `http://${IP}:2019`;
      const up = httpRequest({ host: IP, port: 2019, method: req.method, path: req.url, headers }, (upRes) => {
        if (isLoad) {
          upRes.resume();
          upRes.on('end', () => res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"load applied, then the admin endpoint failed (injected by the test)"}'));
          return;
        }
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      });
      up.on('error', () => res.writeHead(502).end());
      req.pipe(up);
    });
    servers.push(proxy);
    await listen(proxy, 2020);
  };

  const get = async (host: string) => {
    const r = await request(`http://${IP}:8081/`, { headers: { host }, headersTimeout: 3000, bodyTimeout: 3000 });
    return { status: r.statusCode, body: await r.body.text() };
  };
  return { dir, caddyfile, get, adminProxy, stop };
}
