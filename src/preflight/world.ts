// Reads what the preflight rules judge, without changing anything: the Caddyfile on disk, `caddy adapt` of it,
// the live config, the containers, the files the copies will read, free space, the public smoke of the
// legacy path. Every read that fails becomes a fact ("cannot read …"), never an exception.
import { existsSync, readFileSync, statfsSync, statSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join, resolve as resolvePath } from 'node:path';
import type { Http, Instance, Runtime } from '../ports.ts';
import type { Runbook } from '../runbook/schema.ts';
import type { ResolvedStep } from '../engine/types.ts';
import { adapt, adaptText, caddyVersion, getConfig } from '../adapters/caddy.ts';
import { addHold } from '../caddyfile/hold.ts';
import { LAB_DEVICE_METHOD } from '../engine/client-timeline.ts';
import { incusBinary } from '../adapters/incus.ts';
import { runSmoke } from '../../checks/smoke.ts';
import type { BaselineStore } from '../../checks/baseline.ts';
import type { CaddyFacts, HoldFacts, Read, SmokeFact, SourceFile, SpaceFact, WorldFacts } from './types.ts';
import { repointStep } from './rules.ts';

export interface WorldInputs {
  runbook: Runbook;
  steps: ResolvedStep[];
  runtime: Runtime;
  http: Http;
  env: Record<string, string | undefined>;
  stateDir: string;
  baselines?: BaselineStore;
}

const read = async <T>(f: () => Promise<T>): Promise<Read<T>> => {
  try {
    return { ok: true, value: await f() };
  } catch (err) {
    return { ok: false, error: (err as Error).message.split('\n')[0]! };
  }
};

function caddyFacts(path: string, binary: string | undefined, admin: string): Promise<CaddyFacts> | CaddyFacts {
  let kind: CaddyFacts['kind'];
  try {
    const st = statSync(path);
    kind = st.isDirectory() ? 'directory' : st.isFile() ? 'file' : 'other';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? { path, kind: 'missing' } : { path, kind: 'unreadable', error: (err as Error).message };
  }
  if (kind !== 'file') return { path, kind };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return { path, kind: 'unreadable', error: (err as Error).message };
  }
  return Promise.all([read(async () => (await adapt(path, binary)).config), read(async () => (await getConfig(admin)).config)]).then(([adapted, live]) => ({ path, kind, text, adapted, live }));
}

/** The rehearsal lab directory (the one holding lab.json) a path lies in, or null. */
export function labDirOf(path: string | null): string | null {
  if (!path) return null;
  let dir = dirname(resolvePath(path));
  for (let k = 0; k < 6; k++) {
    if (existsSync(join(dir, 'lab.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return null;
}

/** A bare command name resolved through PATH, as execa would find it. */
function onPath(bin: string, env: Record<string, string | undefined>): string | null {
  if (isAbsolute(bin) || bin.includes('/')) return bin;
  for (const d of (env.PATH ?? '').split(delimiter)) {
    if (d && existsSync(join(d, bin))) return join(d, bin);
  }
  return null;
}

/** The files the copy steps read in legacy containers, with their sizes (one exec per container). */
async function sourceFiles(i: WorldInputs): Promise<SourceFile[]> {
  const copies = i.steps.filter((s) => s.action === 'copy');
  const byContainer = new Map<string, { key: string; path: string }[]>();
  for (const s of copies) {
    const c = String(s.params.from_container ?? '');
    const p = String(s.params.from ?? '');
    if (!c || !p || c.includes('{{') || p.includes('{{')) continue;
    byContainer.set(c, [...(byContainer.get(c) ?? []), { key: s.key, path: p }]);
  }
  const out: SourceFile[] = [];
  await Promise.all(
    [...byContainer].map(async ([container, files]) => {
      const paths = [...new Set(files.map((f) => f.path))];
      const r = await i.runtime.exec(container, ['sh', '-c', 'stat -c "%s %n" "$@"', 'sh', ...paths]).catch((err: Error) => ({ exitCode: -1, stdout: '', stderr: err.message }));
      const sizes = new Map<string, number>();
      for (const line of r.stdout.split('\n')) {
        const m = /^(\d+) (.+)$/.exec(line);
        if (m) sizes.set(m[2]!, Number(m[1]));
      }
      for (const f of files) {
        const size = sizes.get(f.path);
        const why = r.stderr.split('\n').find((l) => l.includes(f.path)) ?? (r.exitCode === -1 ? r.stderr.trim() : 'no such file');
        out.push({ stepKey: f.key, container, path: f.path, size: size ?? null, ...(size === undefined ? { error: why.trim() } : {}) });
      }
    }),
  );
  return out.sort((a, b) => a.stepKey.localeCompare(b.stepKey));
}

function hostSpace(what: string, path: string): SpaceFact {
  let p = resolvePath(path);
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  try {
    const s = statfsSync(p);
    return { what, path, availableBytes: Number(s.bavail) * Number(s.bsize) };
  } catch (err) {
    return { what, path, availableBytes: null, error: (err as Error).message };
  }
}

/** Free space where the copies land in the target (df inside it), when the target already exists. */
async function targetSpace(i: WorldInputs, instances: Instance[]): Promise<SpaceFact[]> {
  const copies = i.steps.filter((s) => s.action === 'copy');
  const target = copies.map((s) => String(s.params.to_container ?? '')).find((c) => c && !c.includes('{{'));
  const to = copies.map((s) => String(s.params.to ?? '')).find((p) => p.startsWith('/'));
  if (!target || !to || !instances.some((x) => x.name === target && x.status === 'Running')) return [];
  const dir = dirname(dirname(to));
  const r = await i.runtime.exec(target, ['sh', '-c', 'd="$1"; while [ ! -d "$d" ]; do d=$(dirname "$d"); done; df -Pk "$d" | tail -1', 'sh', dir]).catch(() => null);
  const kb = r && r.exitCode === 0 ? /^\S+\s+\d+\s+\d+\s+(\d+)/.exec(r.stdout.trim())?.[1] : undefined;
  // A runtime without df in the container gives no figure: only the state dir is judged then.
  return kb ? [{ what: `target ${target}:${dir}`, path: `${target}:${dir}`, availableBytes: Number(kb) * 1024 }] : [];
}

/** The public smoke of the legacy path, before anything changes (checks that need a token are left out). */
async function legacySmoke(i: WorldInputs, instances: Instance[]): Promise<SmokeFact[] | null> {
  if (!i.runbook.proxy || !i.runbook.smoke.length || !i.runbook.identities.length) return null;
  const baseline = i.baselines ? await i.baselines.load().catch(() => null) : null;
  const checks = i.runbook.smoke.filter((c) => c.auth !== 'token' && (baseline || !c.conditions.some((x) => x.includes('baseline.')))).map((c) => c.name);
  if (!checks.length) return null;
  const items = await runSmoke(i.runbook, i.http, { phase: 'before', instances, baseline, env: i.env, vantages: ['public'], via: 'legacy', checks });
  return items.map((x) => ({ identity: x.identity, check: x.check, ok: x.ok === true, why: x.why ?? `status ${x.status ?? x.error ?? '?'}` }));
}

/** Hold mode's facts: the Caddy version, `caddy adapt` of the Caddyfile with the hold lines, who sends bodies. */
async function holdFacts(i: WorldInputs, caddy: CaddyFacts | undefined, isLab: boolean): Promise<HoldFacts | undefined> {
  const proxy = i.runbook.proxy;
  if (!proxy?.hold) return undefined;
  const sites = repointStep(i.steps)?.params.sites;
  const hosts = Array.isArray(sites) && sites.length ? (sites as string[]) : proxy.sites;
  let held: string | null = null;
  try {
    held = caddy?.text !== undefined ? addHold(caddy.text, hosts, proxy.hold) : null;
  } catch {
    held = null;
  }
  const [version, adapted] = await Promise.all([read(() => caddyVersion(proxy.binary)), held === null ? null : read(async () => (await adaptText(held, proxy.caddyfile, proxy.binary)).config)]);
  const smokeSteps = i.steps.filter((s) => s.action === 'smoke');
  const used = new Set(smokeSteps.flatMap((s) => (Array.isArray(s.params.checks) && s.params.checks.length ? (s.params.checks as string[]) : i.runbook.smoke.map((c) => c.name))));
  const bodies = i.runbook.smoke.filter((c) => used.has(c.name) && c.method === 'POST').map((c) => `smoke check "${c.name}" (POST ${c.path})`);
  if (isLab && !['GET', 'HEAD'].includes(LAB_DEVICE_METHOD)) bodies.push(`the lab's devices (${LAB_DEVICE_METHOD})`);
  return { version, adapted, bodies };
}

export async function readWorld(i: WorldInputs): Promise<WorldFacts> {
  const proxy = i.runbook.proxy;
  const cutover = Boolean(repointStep(i.steps));
  const runtimeBinary = onPath(incusBinary({ env: i.env, ...(i.runbook.runtime.binary ? { binary: i.runbook.runtime.binary } : {}) }), i.env) ?? incusBinary({ env: i.env, ...(i.runbook.runtime.binary ? { binary: i.runbook.runtime.binary } : {}) });
  const [caddy, instances] = await Promise.all([
    proxy && cutover ? caddyFacts(proxy.caddyfile, proxy.binary, proxy.admin) : undefined,
    read(() => i.runtime.list()),
  ]);
  const list = instances.ok ? instances.value : [];
  const [sources, target, smoke] = cutover
    ? await Promise.all([instances.ok ? sourceFiles(i) : [], targetSpace(i, list), instances.ok ? legacySmoke(i, list).catch(() => null) : null])
    : [[], [], null];
  const isLab = Boolean(labDirOf(proxy?.caddyfile ?? null));
  const hold = cutover ? await holdFacts(i, caddy, isLab) : undefined;
  return {
    ...(caddy ? { caddy } : {}),
    ...(hold ? { hold } : {}),
    instances,
    lab: { runtime: labDirOf(runtimeBinary), proxy: labDirOf(proxy?.caddyfile ?? null), runtimeBinary, caddyfile: proxy?.caddyfile ?? null },
    sources,
    space: cutover ? [hostSpace('state dir', i.stateDir), ...target] : [],
    smoke,
  };
}
