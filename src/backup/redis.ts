// Class B: BGSAVE through redis-cli in the target, waiting for LASTSAVE to advance; skipped with a note
// when AUTH blocks it (set REDISCLI_AUTH to allow it). The data dir is then archived. Drills compare the key
// count and DUMPs of sample keys.
import { BackupError } from './contract.ts';
import { execIn, type Target } from './target.ts';

export interface RedisEndpoint {
  host?: string;
  port?: number;
}

function cli(ep: RedisEndpoint, args: string[], raw = true): string[] {
  return ['redis-cli', ...(ep.host ? ['-h', ep.host] : []), ...(ep.port ? ['-p', String(ep.port)] : []), raw ? '--raw' : '--no-raw', ...args];
}

async function redis(t: Target, ep: RedisEndpoint, args: string[], raw = true): Promise<string> {
  const r = await execIn(t, cli(ep, args, raw), { timeoutMs: 30_000 });
  if (r.exitCode !== 0) throw new BackupError(`redis-cli ${args[0]} failed (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim()}`);
  return r.stdout.trim();
}

const isAuthError = (s: string) => /NOAUTH|WRONGPASS|Authentication required/i.test(s);

/** BGSAVE and wait until LASTSAVE advances. Returns a note when it had to skip. */
export async function redisBgsave(t: Target, ep: RedisEndpoint, opts: { timeoutMs?: number; sleep?: (ms: number) => Promise<void> } = {}): Promise<{ saved: boolean; note?: string }> {
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const lastsave = async () => {
    const out = await redis(t, ep, ['LASTSAVE']);
    if (isAuthError(out)) return null;
    const n = Number(out);
    if (!Number.isFinite(n)) throw new BackupError(`redis LASTSAVE answered "${out}"`);
    return n;
  };
  let before = await lastsave();
  if (before === null) return { saved: false, note: 'AUTH blocks BGSAVE (set REDISCLI_AUTH to allow it): skipped, archiving the data dir as it is' };
  // LASTSAVE has one-second resolution: a save in this same second would not visibly advance it.
  if (before >= Math.floor(Date.now() / 1000)) {
    await sleep(1100);
    before = (await lastsave()) ?? before;
  }
  const started = await redis(t, ep, ['BGSAVE']);
  if (isAuthError(started)) return { saved: false, note: 'AUTH blocks BGSAVE: skipped, archiving the data dir as it is' };
  if (/ERR/.test(started) && !/in progress/i.test(started)) throw new BackupError(`redis BGSAVE refused: ${started}`);
  const deadline = Date.now() + (opts.timeoutMs ?? 300_000);
  for (;;) {
    const now = await lastsave();
    if (now !== null && now > before) return { saved: true };
    if (Date.now() > deadline) throw new BackupError(`redis BGSAVE did not finish within ${Math.round((opts.timeoutMs ?? 300_000) / 1000)} s (LASTSAVE still ${now})`);
    await sleep(200);
  }
}

/** Where redis keeps its RDB: CONFIG GET dir + dbfilename (null when CONFIG is renamed away or AUTH blocks it). */
export async function redisDataLocation(t: Target, ep: RedisEndpoint): Promise<{ dir: string; dbfilename: string } | null> {
  try {
    const dir = (await redis(t, ep, ['CONFIG', 'GET', 'dir'])).split('\n');
    const file = (await redis(t, ep, ['CONFIG', 'GET', 'dbfilename'])).split('\n');
    if (dir[0] !== 'dir' || !dir[1] || file[0] !== 'dbfilename' || !file[1]) return null;
    return { dir: dir[1], dbfilename: file[1] };
  } catch {
    return null;
  }
}

export interface RedisFingerprint {
  dbsize: number;
  /** key → DUMP (escaped text) for a sorted sample of keys. */
  samples: Record<string, string>;
}

export async function redisFingerprint(t: Target, ep: RedisEndpoint, sampleKeys?: string[], sampleSize = 20): Promise<RedisFingerprint> {
  const dbsize = Number(await redis(t, ep, ['DBSIZE']));
  let keys = sampleKeys;
  if (!keys) {
    const [, ...found] = (await redis(t, ep, ['SCAN', '0', 'COUNT', '200'])).split('\n');
    keys = found.filter(Boolean).sort().slice(0, sampleSize);
  }
  const samples: Record<string, string> = {};
  for (const k of keys) samples[k] = await redis(t, ep, ['DUMP', k], false);
  return { dbsize, samples };
}

export function compareRedis(original: RedisFingerprint, restored: RedisFingerprint): string[] {
  const problems: string[] = [];
  if (original.dbsize !== restored.dbsize) problems.push(`key count: original ${original.dbsize}, restored ${restored.dbsize}`);
  for (const [k, v] of Object.entries(original.samples)) if (restored.samples[k] !== v) problems.push(`key ${JSON.stringify(k)}: value differs`);
  return problems;
}
