// Runs the posta stand-in the way the lab does: the esbuild bundle (built once per test process), as a
// child process, with its log lines collected for assertions.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundlePostaServer } from '../../src/lab/posta/bundle.ts';
import { seedIdentity } from '../../src/lab/posta/seed.ts';

let bundled: Promise<string> | undefined;
/** Path of the bundled posta-server executable. */
export function postaBinary(): Promise<string> {
  bundled ??= (async () => {
    const dir = tempRoot('posta-bin-');
    const file = join(dir, 'posta-server');
    await bundlePostaServer(file);
    return file;
  })();
  return bundled;
}

export interface PostaProcess {
  child: ChildProcess;
  /** stdout + stderr so far, in arrival order. */
  output(): string;
  /** Resolves with the output once `pattern` matches it; rejects on exit or timeout, showing the output. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  exited: Promise<number | null>;
  /** SIGTERM (then SIGKILL after 3 s); resolves with the exit code. Safe to call twice. */
  stop(): Promise<number | null>;
}

export async function startPosta(args: string[], env: Record<string, string> = {}): Promise<PostaProcess> {
  return startNode(await postaBinary(), args, { POSTA_FAULTS: '', POSTA_LISTEN: '', ...env });
}

/** Any Node script as a watched child process (startPosta's machinery). */
export async function startNode(script: string, args: string[] = [], env: Record<string, string> = {}): Promise<PostaProcess> {
  const child = spawn(process.execPath, [script, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    out += chunk.toString();
    for (const l of listeners) l();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  let exitCode: number | null | undefined;
  void exited.then((code) => {
    exitCode = code;
    for (const l of listeners) l();
  });

  const waitFor = (pattern: RegExp, timeoutMs = 5000) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        if (pattern.test(out)) finish(() => resolve(out));
        else if (exitCode !== undefined) finish(() => reject(new Error(`posta-server exited (${exitCode}) before ${pattern}:\n${out}`)));
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`timed out waiting for ${pattern}:\n${out}`))), timeoutMs);
      const finish = (fn: () => void) => {
        clearTimeout(timer);
        listeners.delete(check);
        fn();
      };
      listeners.add(check);
      check();
    });

  const stop = async () => {
    if (exitCode === undefined) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(killer);
    }
    return exited;
  };
  return { child, output: () => out, waitFor, exited, stop };
}

/** Runs posta-server to completion (for commands and refusals that exit on their own). */
export async function runPosta(args: string[], env: Record<string, string> = {}, timeoutMs = 10_000): Promise<{ code: number | null; output: string }> {
  const p = await startPosta(args, env);
  const timer = setTimeout(() => p.child.kill('SIGKILL'), timeoutMs);
  const code = await p.exited;
  clearTimeout(timer);
  return { code, output: p.output() };
}

export interface SeededFixture {
  slug: string;
  name: string;
  url: string;
  host: string;
  publicKey: string;
  tokens: { name: string; token: string }[];
}

const capitalized = (slug: string) => slug[0]!.toUpperCase() + slug.slice(1);

/** One legacy container's data under `root`: /var/lib/posta/{keys.json,inbox.db} at schema v2. */
export function seedLegacy(root: string, slug: string, messages = 20): SeededFixture {
  const name = capitalized(slug);
  const seeded = seedIdentity({ root, keys: '/var/lib/posta/keys.json', db: '/var/lib/posta/inbox.db', name, tokens: ['tui-dev', 'phone'], messages });
  return { slug, name, url: `https://${slug}.posta.no`, host: `${slug}.posta.no`, ...seeded };
}

/** The target container's data under `root` as the cutover leaves it before start-posta: per-identity
 *  keys.json + v2 inbox.db in /var/lib/posta/SLUG/ and /etc/posta/identities.toml in the runbook's format. */
export function seedMultiTenant(root: string, slugs: string[], messages = 20): SeededFixture[] {
  const fixtures = slugs.map((slug) => {
    const name = capitalized(slug);
    const dir = `/var/lib/posta/${slug}`;
    const seeded = seedIdentity({ root, keys: `${dir}/keys.json`, db: `${dir}/inbox.db`, name, tokens: ['tui-dev', 'phone'], messages });
    return { slug, name, url: `https://${slug}.posta.no`, host: `${slug}.posta.no`, ...seeded };
  });
  const manifest = fixtures
    .map((f) => `[[identity]]\nslug = "${f.slug}"\nurl = "${f.url}"\nkeys = "/var/lib/posta/${f.slug}/keys.json"\ndb = "/var/lib/posta/${f.slug}/inbox.db"\n`)
    .join('\n');
  mkdirSync(join(root, 'etc/posta'), { recursive: true });
  writeFileSync(join(root, 'etc/posta/identities.toml'), manifest);
  return fixtures;
}

/** A fresh temporary directory, removed when the test process exits. */
export function tempRoot(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  if (tempDirs.size === 0) process.once('exit', () => tempDirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  tempDirs.add(dir);
  return dir;
}
const tempDirs = new Set<string>();
