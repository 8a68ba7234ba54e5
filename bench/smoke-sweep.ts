// Smoke sweep of 3 / 100 / 300 identities (5 checks × 2 vantages each) through checks/smoke.ts, all
// probes at once, against a sequential loop of the same probes (one runSmoke per probe, same Http).
// Also the concurrent wall time against the slowest single probe of the sequential loop. Then, labelled as
// such, the same at 100 identities through a loopback delay proxy adding a simulated network round trip.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { createHttp } from '../src/adapters/http.ts';
import { checkRunbookText } from '../src/runbook/load.ts';
import { CATALOG } from '../src/actions/index.ts';
import type { Http } from '../src/ports.ts';
import type { Runbook } from '../src/runbook/schema.ts';
import type { IdentityDecl } from '../src/runbook/schema.ts';
import type { Baseline } from '../checks/baseline.ts';
import { runSmoke, smokeProbes, type SmokeOptions } from '../checks/smoke.ts';
import type { SmokeItem } from '../checks/types.ts';
import { figure, median, timed, type BenchContext, type Figure } from './lib.ts';
import { startSmokeWorld, sweepRunbook, STANDIN_IP, type SmokeWorld } from './smoke-env.ts';

const SIZES = [3, 100, 300];
const GOAL_AT = 100;

/** Far from the lab's addresses and the stand-in's: the delay proxy of the simulated-RTT variant, one
 *  address per vantage (both listen on port 8080). */
const PROXY_IP = '127.0.10.249';
const PROXY_PUBLIC_IP = '127.0.10.248';
const ONE_WAY_MS = 10;

export async function smokeSweep(ctx: BenchContext): Promise<Figure[]> {
  const dir = join(ctx.tmp, 'smoke');
  mkdirSync(dir, { recursive: true });
  const world = await startSmokeWorld(dir, Math.max(...SIZES), ctx.log);
  const http = createHttp();
  let proxy: ChildProcess | null = null;
  try {
    const byslug = new Map(world.identities.map((i) => [i.slug, i]));
    const baseline: Baseline = {
      runbook: 'bench-smoke',
      recordedAt: new Date().toISOString(),
      identities: Object.fromEntries(world.identities.map((i) => [i.slug, { values: { public_key: i.publicKey }, tokens: [], schemaVersion: 2 }])),
    };
    const sweep = (world: SmokeWorld, ip: string): Sweep => ({
      runbook: loadSweepRunbook(world, dir),
      base: {
        phase: 'after',
        instances: [{ name: 'posta', status: 'Running', type: 'container', ipv4: ip, config: {}, createdAt: null, lastUsedAt: null }],
        baseline,
        env: {},
        tokenFor: async (identity: IdentityDecl) => byslug.get(identity.slug)!.tokens[0]!.token,
      },
    });
    const raw = sweep(world, STANDIN_IP);
    const figures: Figure[] = [];
    for (const n of SIZES) figures.push(...(await measure(ctx, http, raw, world, n, '')));

    // The same sweep and sequential loop through a proxy that delays each direction by ONE_WAY_MS, both
    // vantages: the container address and Caddy's public port (Caddy → stand-in stays undelayed, as on a host).
    proxy = await startDelayProxy(ctx, [
      [`${PROXY_IP}:${world.standin.port}`, `${STANDIN_IP}:${world.standin.port}`],
      [`${PROXY_PUBLIC_IP}:${world.caddy.httpPort}`, `${world.caddy.ip}:${world.caddy.httpPort}`],
    ]);
    const slow = sweep({ ...world, caddy: { ...world.caddy, ip: PROXY_PUBLIC_IP } }, PROXY_IP);
    for (const n of ctx.quick ? [3] : [GOAL_AT]) figures.push(...(await measure(ctx, http, slow, world, n, `, ${2 * ONE_WAY_MS} ms simulated RTT`)));
    return figures;
  } finally {
    proxy?.kill('SIGTERM');
    await http.close();
    await world.stop();
  }
}

interface Sweep {
  runbook: Runbook;
  base: SmokeOptions;
}

function loadSweepRunbook(world: SmokeWorld, dir: string): Runbook {
  const loaded = checkRunbookText(sweepRunbook(world), join(dir, 'bench-smoke.toml'), { catalog: CATALOG });
  if (!loaded.runbook || loaded.problems.length) throw new Error(`bench runbook invalid: ${loaded.problems.map((p) => p.message).join('; ')}`);
  return loaded.runbook;
}

async function startDelayProxy(ctx: BenchContext, routes: [string, string][]): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ctx.repo, 'bench', 'delay-proxy.ts'), String(ONE_WAY_MS), ...routes.map(([a, b]) => `${a}=${b}`)], {
    cwd: ctx.repo,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const ready = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), 15_000);
    child.stdout!.on('data', (c: Buffer) => c.toString().includes('ready') && (clearTimeout(timer), resolve(true)));
    child.once('exit', () => (clearTimeout(timer), resolve(false)));
  });
  if (!ready) {
    child.kill('SIGKILL');
    throw new Error('the delay proxy did not start');
  }
  return child;
}

async function measure(ctx: BenchContext, http: Http, sw: Sweep, world: SmokeWorld, n: number, label: string): Promise<Figure[]> {
  const { runbook, base } = sw;
  const identities = world.identities.slice(0, n).map((i) => i.slug);
  const opts = { ...base, identities };
  const probes = smokeProbes(runbook, opts);
  await runSmoke(runbook, http, opts); // warm-up: connections, JIT, the stand-in's statements
  const walls: number[] = [];
  let items: SmokeItem[] = [];
  for (let i = 0; i < (ctx.quick ? 1 : 3); i++) {
    const r = await timed(() => runSmoke(runbook, http, opts));
    walls.push(r.ms);
    items = r.result;
  }
  const seqItems: SmokeItem[] = [];
  const seq = await timed(async () => {
    for (const p of probes) {
      seqItems.push(...(await runSmoke(runbook, http, { ...base, identities: [p.identity.slug], checks: [p.check.name], vantages: [p.vantage] })));
    }
  });
  const slowest = Math.max(...seqItems.map((i) => i.timeMs ?? 0));
  const red = [...items, ...seqItems].filter((i) => !i.ok);
  const redNote = red.length ? `; ${red.length} red probes, e.g. ${red[0]!.why}` : '';
  const wall = median(walls);
  ctx.log(`smoke ${n}${label}: ${probes.length} probes, concurrent ${wall.toFixed(0)} ms, sequential ${seq.ms.toFixed(0)} ms, slowest single ${slowest} ms`);
  const atGoal = n === GOAL_AT;
  return [
    figure({
      name: `smoke sweep ${n} ids${label} (${probes.length} probes)`,
      value: wall,
      unit: 'ms',
      baseline: seq.ms,
      baselineOf: label ? 'sequential loop, same RTT' : 'sequential loop',
      goal: atGoal ? 'ratio ≤ 0.1 (≥ 10× faster)' : null,
      ...(atGoal ? { check: (_v: number, r: number | null) => red.length === 0 && r !== null && r <= 0.1 } : {}),
      note: `median of ${walls.length} concurrent sweeps${label ? `; loopback TCP proxy delaying each direction ${ONE_WAY_MS} ms (handshakes not delayed), for both sweep and loop` : ''}${redNote}`,
    }),
    figure({
      name: `smoke sweep ${n} ids${label} vs slowest probe`,
      value: wall,
      unit: 'ms',
      baseline: slowest,
      baselineOf: 'slowest single probe',
      goal: atGoal ? 'ratio ≤ 2' : null,
      ...(atGoal ? { check: (_v: number, r: number | null) => red.length === 0 && r !== null && r <= 2 } : {}),
    }),
  ];
}
