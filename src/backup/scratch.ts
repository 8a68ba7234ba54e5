// Throwaway servers on loopback for drills (and tests): a temp PostgreSQL cluster (initdb + pg_ctl, run as
// the unprivileged `postgres` user when we are root, because postgres refuses to run as root) and a temp
// redis-server. Each returns stop(), which also removes its temp dir.
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { BackupError } from './contract.ts';

export const LOOPBACK = '127.0.0.1';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, LOOPBACK, () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** Directory with initdb/pg_ctl: $CUTOVER_PG_BINDIR, else the newest /usr/lib/postgresql/N/bin. */
export function postgresBinDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CUTOVER_PG_BINDIR) return env.CUTOVER_PG_BINDIR;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a)) : [];
  if (!versions[0]) throw new BackupError('initdb not found (no /usr/lib/postgresql/N/bin): install the Debian package postgresql, or set CUTOVER_PG_BINDIR');
  return join(root, versions[0], 'bin');
}

export interface ScratchPostgres {
  /** Unix socket directory (use as PGHOST / -h). */
  host: string;
  port: number;
  user: 'postgres';
  stop(): Promise<void>;
}

const isRoot = () => userInfo().uid === 0;
const asPostgres = (argv: string[]) => (isRoot() ? ['runuser', '-u', 'postgres', '--', ...argv] : argv);

export async function startScratchPostgres(): Promise<ScratchPostgres> {
  const bin = postgresBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'cutover-pg-'));
  if (isRoot()) chownSync(dir, ...(await postgresIds()));
  const port = await freePort();
  const run = async (argv: string[]) => {
    const [cmd, ...args] = asPostgres(argv);
    const r = await execa(cmd!, args, { reject: false });
    if (r.exitCode !== 0) throw new BackupError(`${argv[0]} failed (exit ${r.exitCode}): ${String(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ')}`);
  };
  const stop = async () => {
    const [cmd, ...args] = asPostgres([join(bin, 'pg_ctl'), '-D', join(dir, 'data'), '-m', 'immediate', '-w', 'stop']);
    if (existsSync(join(dir, 'data', 'postmaster.pid'))) await execa(cmd!, args, { reject: false });
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await run([join(bin, 'initdb'), '-D', join(dir, 'data'), '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync']);
    await run([join(bin, 'pg_ctl'), '-D', join(dir, 'data'), '-l', join(dir, 'log'), '-w', '-t', '30', '-o', `-c listen_addresses=${LOOPBACK} -p ${port} -k ${dir} -c fsync=off`, 'start']);
  } catch (err) {
    await stop();
    throw err;
  }
  return { host: dir, port, user: 'postgres', stop };
}

async function postgresIds(): Promise<[number, number]> {
  const r = await execa('id', ['postgres'], { reject: false });
  const uid = /uid=(\d+)/.exec(String(r.stdout))?.[1];
  const gid = /gid=(\d+)/.exec(String(r.stdout))?.[1];
  if (r.exitCode !== 0 || !uid || !gid) throw new BackupError('no "postgres" user to run a scratch cluster as (postgres refuses to run as root): install the Debian package postgresql');
  return [Number(uid), Number(gid)];
}

export interface ScratchRedis {
  host: string;
  port: number;
  dir: string;
  stop(): Promise<void>;
}

/** redis-server on a free loopback port with its data in dir (a temp dir when omitted, removed on stop). */
export async function startScratchRedis(opts: { dir?: string; dbfilename?: string; extraArgs?: string[] } = {}): Promise<ScratchRedis> {
  const ownDir = !opts.dir;
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'cutover-redis-'));
  const port = await freePort();
  const args = ['--port', String(port), '--bind', LOOPBACK, '--dir', dir, '--dbfilename', opts.dbfilename ?? 'dump.rdb', '--save', '', '--appendonly', 'no', '--daemonize', 'no', ...(opts.extraArgs ?? [])];
  let child: ResultPromise;
  try {
    child = execa('redis-server', args, { reject: false, stdout: 'ignore', stderr: 'pipe' });
  } catch (err) {
    throw new BackupError(`redis-server cannot start: ${(err as Error).message} (install the Debian package redis-server)`);
  }
  const stop = async () => {
    child.kill('SIGTERM');
    await child;
    if (ownDir) rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  for (;;) {
    const r = await execa('redis-cli', ['-h', LOOPBACK, '-p', String(port), 'PING'], { reject: false });
    if (String(r.stdout).trim() === 'PONG' || String(r.stdout).includes('NOAUTH')) break;
    const exited = child.exitCode !== null || (await Promise.race([child.then(() => true), new Promise((r) => setTimeout(() => r(false), 100))]));
    if (exited || Date.now() > deadline) {
      await stop();
      const res = await child;
      throw new BackupError(`redis-server did not answer on ${LOOPBACK}:${port}: ${String(res.stderr ?? '').trim().split('\n').slice(-2).join(' ') || (res as { shortMessage?: string }).shortMessage || 'no output'}`);
    }
  }
  return { host: LOOPBACK, port, dir, stop };
}
