// Caddy through its own binary (adapt, validate, reload) and its admin API (undici). The admin API must be
// on loopback: cutover never talks to a remote admin endpoint.
//
// Caddy 2.6.2 (Debian's package) sends GET /config/'s ETag as an HTTP *trailer* (it hashes while streaming),
// honours If-Match on POST/PATCH/PUT /config/…, but ignores If-Match on /load, and `caddy reload` cannot
// send one. So a concurrent change is detected by comparing the ETag read before an edit with the ETag read
// right before `caddy reload` (see src/caddyfile/repoint.ts); the config JSON is compared when no ETag comes.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { execa } from 'execa';
import { logCommand } from './command-log.ts';
import { Agent, request } from './undici.ts';

export class CaddyError extends Error {
  override name = 'CaddyError';
}

export interface AdminAddress {
  /** http://127.0.0.1:2019 */
  base: string;
  /** 127.0.0.1:2019, as `caddy reload --address` wants it. */
  address: string;
}

/** Parses "http://127.0.0.1:2019" or "127.0.0.1:2019"; refuses anything that is not loopback. */
export function adminAddress(admin: string): AdminAddress {
  let url: URL;
  try {
    url = new URL(/^[a-z]+:\/\//i.test(admin) ? admin : `http://${admin}`);
  } catch {
    throw new CaddyError(`Caddy admin address "${admin}" is not host:port or http://host:port`);
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const loopback = host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
  if (url.protocol !== 'http:' || !loopback) {
    throw new CaddyError(`Caddy admin address "${admin}" is not a loopback http address; cutover only talks to a local admin API (e.g. http://127.0.0.1:2019)`);
  }
  const port = url.port || '2019';
  const hostPort = `${url.hostname}:${port}`;
  return { base: `http://${hostPort}`, address: hostPort };
}

export interface AdaptResult {
  config: unknown;
  /** Caddy's warnings, as "file:line: message". */
  warnings: string[];
}

const CMD_TIMEOUT_MS = 30_000;
const HTTP_TIMEOUT_MS = 5_000;

async function caddyCommand(binary: string, args: string[], what: string): Promise<{ stdout: string; stderr: string }> {
  logCommand(binary, args);
  const r = await execa(binary, args, { reject: false, timeout: CMD_TIMEOUT_MS, stdin: 'ignore' });
  if (r.failed) {
    const detail = (r.stderr.split('\n').filter((l) => l.startsWith('Error:')).pop() ?? r.stderr.trim().split('\n').pop() ?? '') || r.shortMessage;
    throw new CaddyError(`${what} failed: ${detail}`);
  }
  return { stdout: r.stdout, stderr: r.stderr };
}

function warningsOf(stderr: string): string[] {
  const out: string[] = [];
  for (const line of stderr.split('\n')) {
    try {
      const entry = JSON.parse(line) as { level?: string; msg?: string; file?: string; line?: number };
      if (entry.level === 'warn' && entry.msg) out.push(entry.file ? `${entry.file}:${entry.line ?? 0}: ${entry.msg}` : entry.msg);
    } catch {
      // not a log line
    }
  }
  return [...new Set(out)];
}

const jsonString = (s: string) => JSON.stringify(s).slice(1, -1);

/** `caddy adapt` of a Caddyfile on disk; `asPath` renames the file in the output (Caddy embeds it, e.g. file_server's `hide`). */
export async function adapt(path: string, caddyBinary = 'caddy', asPath = path): Promise<AdaptResult> {
  const r = await caddyCommand(caddyBinary, ['adapt', '--adapter', 'caddyfile', '--config', path], `caddy adapt ${path}`);
  const json = asPath === path ? r.stdout : r.stdout.replaceAll(jsonString(path), jsonString(asPath));
  return { config: JSON.parse(json), warnings: warningsOf(r.stderr).map((w) => w.replaceAll(path, asPath)) };
}

/**
 * `caddy adapt` of Caddyfile text that is to be written at `path`. Relative imports resolve against the
 * file's directory, so when the text imports anything it is adapted from a hidden temp file next to `path`
 * (removed afterwards); otherwise from a private temp dir, so a plan writes nothing near the Caddyfile.
 */
export async function adaptText(text: string, path: string, caddyBinary = 'caddy'): Promise<AdaptResult> {
  const nextTo = /(^|\n)\s*import\s/.test(text);
  const dir = nextTo ? dirname(path) : mkdtempSync(join(tmpdir(), 'cutover-adapt-'));
  const file = join(dir, nextTo ? `.${basename(path)}.cutover-adapt-${process.pid}-${randomBytes(4).toString('hex')}` : basename(path));
  try {
    writeFileSync(file, text, { mode: 0o600 });
    return await adapt(file, caddyBinary, path);
  } catch (err) {
    if (err instanceof CaddyError) throw new CaddyError(err.message.replaceAll(file, path));
    throw err;
  } finally {
    rmSync(nextTo ? file : dir, { recursive: true, force: true });
  }
}

export async function validate(path: string, caddyBinary = 'caddy'): Promise<void> {
  await caddyCommand(caddyBinary, ['validate', '--adapter', 'caddyfile', '--config', path], `caddy validate ${path}`);
}

export async function reload(path: string, admin: string, caddyBinary = 'caddy'): Promise<void> {
  const { address } = adminAddress(admin);
  await caddyCommand(caddyBinary, ['reload', '--adapter', 'caddyfile', '--config', path, '--address', address], `caddy reload ${path}`);
}

// One kept-alive connection pool for the admin API, as undici's global dispatcher was.
let adminAgent: Agent | undefined;

async function adminGet(admin: string, path: string): Promise<{ body: string; etag?: string }> {
  const { base } = adminAddress(admin);
  adminAgent ??= new Agent();
  let res;
  for (let attempt = 1; ; attempt++) {
    try {
      res = await request(adminAgent, { origin: base, path, method: 'GET', headersTimeout: HTTP_TIMEOUT_MS, bodyTimeout: HTTP_TIMEOUT_MS });
      break;
    } catch (err) {
      // Caddy replaces its admin server on every config load, closing kept-alive sockets under us; a GET is
      // safe to send again once on a fresh connection.
      if (attempt === 1 && (err as { code?: string }).code === 'UND_ERR_SOCKET') continue;
      throw new CaddyError(`Caddy admin API at ${base} did not answer GET ${path}: ${(err as Error).message}`);
    }
  }
  const body = await res.body.text();
  if (res.statusCode !== 200) throw new CaddyError(`Caddy admin API GET ${path} answered ${res.statusCode}: ${body.trim().slice(0, 200)}`);
  const tag = res.headers.etag ?? res.trailers.etag;
  return { body, etag: typeof tag === 'string' ? tag : undefined };
}

/** The live config (GET /config/) and its ETag when Caddy sends one (2.6.2: as a trailer). */
export async function getConfig(admin: string): Promise<{ config: unknown; etag?: string }> {
  const r = await adminGet(admin, '/config/');
  return { config: JSON.parse(r.body), etag: r.etag };
}

export interface PoolEntry {
  address: string;
  numRequests: number;
  fails: number;
}

/** GET /reverse_proxy/upstreams: the live upstream pool with request and failure counters. */
export async function getUpstreams(admin: string): Promise<PoolEntry[]> {
  const r = await adminGet(admin, '/reverse_proxy/upstreams');
  const list = JSON.parse(r.body) as { address: string; num_requests?: number; fails?: number }[] | null;
  return (list ?? []).map((u) => ({ address: u.address, numRequests: u.num_requests ?? 0, fails: u.fails ?? 0 }));
}

/** `caddy version`'s version number, e.g. "2.6.2" (Debian prints just that; upstream builds add "v" and a hash). */
export async function caddyVersion(caddyBinary = 'caddy'): Promise<string> {
  const r = await caddyCommand(caddyBinary, ['version'], 'caddy version');
  const m = r.stdout.match(/v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.]+)?)/);
  if (!m) throw new CaddyError(`caddy version printed no version number: ${r.stdout.trim().slice(0, 80)}`);
  return m[1]!;
}
