// posta-server's HTTP surface, per identity: actor document, identity API (bearer), pairing page, invites.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { authenticate, insertMessage, messageCount, type InboxDb } from './inbox-db.ts';
import { logError, logValue } from './log.ts';

export interface Tenant {
  slug: string;
  /** Lower-case host of `url`; the Host header that reaches this tenant in multi-tenant mode. */
  host: string;
  name: string;
  url: string;
  publicKey: string;
  db: InboxDb;
  /** Answers only after this many milliseconds (the slow-identity fault). */
  delayMs: number;
}

export interface PostaServerOptions {
  tenants: Tenant[];
  /** 'host': pick the tenant by the Host header (multi-tenant); 'single': one tenant answers every Host. */
  dispatch: 'host' | 'single';
}

export interface PostaServer {
  server: Server;
  /**
   * Graceful: stops accepting, lets the requests in flight finish (delayed answers included), closes
   * connections as they go idle; what is still open after GRACE_MS is dropped.
   */
  close(): Promise<void>;
}

const SETUP_PAGE = (t: Tenant) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Pair a device with ${escapeHtml(t.name)}</title></head>
<body><h1>Pair a device with ${escapeHtml(t.name)}</h1>
<p>Open the posta app on your device and enter the invite code shown by <code>posta-server invite</code>.</p>
<form method="post" action="/api/v1/invite/accept"><input name="invite" placeholder="pinv_…"><button>Pair</button></form>
</body></html>
`;

/** How long a stop waits for the requests in flight (then it drops them, as a supervisor's KILL would). */
export const GRACE_MS = 3000;
/**
 * As Go's http.Server.Shutdown treats a connection that never sent a request: idle once it is 5 s old. Node's
 * closeIdleConnections never closes such a connection (it waits for its first request), and a reverse proxy
 * (Caddy, Go's Transport) dials spares under a burst that may never carry one: the stop then sat out GRACE_MS.
 */
export const NEW_IDLE_MS = 5000;

export function createPostaServer(opts: PostaServerOptions): PostaServer {
  const byHost = new Map(opts.tenants.map((t) => [t.host, t] as const));
  const pending = new Set<NodeJS.Timeout>();
  /** Open connections and the request each is serving (null: none yet, or between requests): a stop that hits GRACE_MS names them. */
  const open = new Map<Socket, { since: number; peer: string; served: number; request: string | null; last: string | null }>();

  const server = createServer((req, res) => {
    const conn = open.get(req.socket);
    if (conn) {
      conn.request = `${req.method} ${req.url} (${req.headers.host ?? 'no host'}, ${req.headers['user-agent'] ?? 'no agent'})`;
      res.once('finish', () => {
        conn.served += 1;
        conn.last = conn.request;
        conn.request = null;
      });
    }
    const tenant = opts.dispatch === 'single' ? opts.tenants[0] : byHost.get(hostnameOf(req.headers.host));
    if (!tenant) return sendJson(res, 404, { error: `unknown host ${req.headers.host ?? '(none)'}` });
    const answer = () => {
      try {
        route(tenant, req, res);
      } catch (err) {
        logError(`identity=${tenant.slug} error=${logValue((err as Error).message)}`);
        if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
        else res.destroy();
      }
    };
    if (tenant.delayMs <= 0) return answer();
    const timer = setTimeout(() => {
      pending.delete(timer);
      answer();
    }, tenant.delayMs);
    pending.add(timer);
  });

  server.on('connection', (socket: Socket) => {
    open.set(socket, { since: Date.now(), peer: `${socket.remoteAddress}:${socket.remotePort}`, served: 0, request: null, last: null });
    socket.once('close', () => open.delete(socket));
  });

  return {
    server,
    close: () =>
      new Promise<void>((resolve) => {
        const dropIdle = () => {
          server.closeIdleConnections();
          const now = Date.now();
          for (const [socket, c] of open) if (c.served === 0 && c.request === null && now - c.since >= NEW_IDLE_MS) socket.destroy();
        };
        const idle = setInterval(dropIdle, 50);
        const force = setTimeout(() => {
          const now = Date.now();
          const what = [...open.values()].map((c) => `from ${c.peer}, open ${now - c.since} ms, ${c.served} served${c.last ? ` (last ${c.last})` : ''}, ${c.request ? `in flight: ${c.request}` : 'none in flight'}`);
          logError(`shutdown grace of ${GRACE_MS} ms ended: dropping ${what.length} connection(s): ${logValue(what.join('; ') || 'none')}`);
          for (const timer of pending) clearTimeout(timer);
          pending.clear();
          server.closeAllConnections();
        }, GRACE_MS);
        server.close(() => {
          clearInterval(idle);
          clearTimeout(force);
          resolve();
        });
        dropIdle();
      }),
  };
}

function route(t: Tenant, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://posta.invalid');
  if (req.method === 'POST' && url.pathname === '/api/v1/messages') return void deliver(t, req, res);
  if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: `method ${req.method} not allowed` });
  switch (url.pathname) {
    case '/':
      return sendJson(res, 200, { name: t.name, publicKey: t.publicKey, url: t.url });
    case '/api/v1/identity': {
      const token = bearerToken(req.headers.authorization);
      if (!token) return sendJson(res, 401, { error: 'missing bearer token' });
      const row = authenticate(t.db, token);
      if (!row) return sendJson(res, 401, { error: 'unknown or revoked token' });
      return sendJson(res, 200, { slug: t.slug, name: t.name, device: row.name, messages: messageCount(t.db) });
    }
    case '/setup':
      return send(res, 200, 'text/html; charset=utf-8', SETUP_PAGE(t));
    case '/api/v1/invite/info':
      return sendJson(res, 410, { error: `invite ${url.searchParams.get('invite') ?? ''} is expired or was never issued` });
    default:
      return sendJson(res, 404, { error: `no route ${url.pathname}` });
  }
}

/**
 * POST /api/v1/messages (bearer): a message delivered to the identity, stored in its inbox; the answer names the
 * new row and the inbox's count. What a rollback must not lose silently (writes the new daemon took).
 */
function deliver(t: Tenant, req: IncomingMessage, res: ServerResponse): void {
  const token = bearerToken(req.headers.authorization);
  if (!token) return sendJson(res, 401, { error: 'missing bearer token' });
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (c: Buffer) => {
    size += c.length;
    if (size <= 64 * 1024) chunks.push(c);
  });
  req.on('end', () => {
    try {
      if (size > 64 * 1024) return sendJson(res, 413, { error: 'message larger than 64 KiB' });
      if (!authenticate(t.db, token)) return sendJson(res, 401, { error: 'unknown or revoked token' });
      let msg: { sender?: unknown; body?: unknown };
      try {
        msg = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as typeof msg;
      } catch {
        return sendJson(res, 400, { error: 'the body is not JSON ({"sender": "…", "body": "…"})' });
      }
      if (typeof msg.body !== 'string' || !msg.body) return sendJson(res, 400, { error: 'body: a non-empty string is required' });
      const id = insertMessage(t.db, typeof msg.sender === 'string' && msg.sender ? msg.sender : 'unknown', msg.body);
      return sendJson(res, 201, { id, messages: messageCount(t.db) });
    } catch (err) {
      logError(`identity=${t.slug} error=${logValue((err as Error).message)}`);
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
    }
  });
}

/** Host header without its port, lower-case ("Arne.posta.no:8080" → "arne.posta.no"). */
export function hostnameOf(host: string | undefined): string {
  if (!host) return '';
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const colon = h.lastIndexOf(':');
  return colon >= 0 ? h.slice(0, colon) : h;
}

function bearerToken(header: string | undefined): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m ? m[1]! : null;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, 'application/json', JSON.stringify(body) + '\n');
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}
