// Smoke sweep of 3 / 100 / 300 identities (5 checks × 2 vantages each) through checks/smoke.ts, all
// probes at once, against a sequential loop of the same probes (one runSmoke per probe, same Http).
// Also the concurrent wall time against the slowest single probe of the sequential loop.
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { createHttp } from '../src/adapters/http.ts';
import { checkRunbookText } from '../src/runbook/load.ts';
import type { Instance } from '../src/ports.ts';
import type { IdentityDecl } from '../src/runbook/schema.ts';
import type { Baseline } from '../checks/baseline.ts';
import { runSmoke, smokeProbes, type SmokeOptions } from '../checks/smoke.ts';
import type { SmokeItem } from '../checks/types.ts';
import { figure, median, timed, type BenchContext, type Figure } from './lib.ts';
import { startSmokeWorld, sweepRunbook, STANDIN_IP } from './smoke-env.ts';

const SIZES = [3, 100, 300];
const GOAL_AT = 100;

export async function smokeSweep(ctx: BenchContext): Promise<Figure[]> {
  const dir = join(ctx.tmp, 'smoke');
  mkdirSync(dir, { recursive: true });
  const world = await startSmokeWorld(dir, Math.max(...SIZES), ctx.log);
  const http = createHttp();
  try {
    const loaded = checkRunbookText(sweepRunbook(world), join(dir, 'bench-smoke.toml'));
    if (!loaded.runbook || loaded.problems.length) throw new Error(`bench runbook invalid: ${loaded.problems.map((p) => p.message).join('; ')}`);
    const runbook = loaded.runbook;
    const instances: Instance[] = [{ name: 'posta', status: 'Running', type: 'container', ipv4: STANDIN_IP, config: {}, createdAt: null, lastUsedAt: null }];
    const byslug = new Map(world.identities.map((i) => [i.slug, i]));
    const baseline: Baseline = {
      runbook: 'bench-smoke',
      recordedAt: new Date().toISOString(),
      identities: Object.fromEntries(world.identities.map((i) => [i.slug, { values: { public_key: i.publicKey }, tokens: [], schemaVersion: 2 }])),
    };
    const base: SmokeOptions = {
      phase: 'after',
      instances,
      baseline,
      env: {},
      tokenFor: async (identity: IdentityDecl) => byslug.get(identity.slug)!.tokens[0]!.token,
    };
    const figures: Figure[] = [];
    for (const n of SIZES) {
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
      ctx.log(`smoke ${n}: ${probes.length} probes, concurrent ${wall.toFixed(0)} ms, sequential ${seq.ms.toFixed(0)} ms, slowest single ${slowest} ms`);
      const atGoal = n === GOAL_AT;
      figures.push(
        figure({
          name: `smoke sweep ${n} ids (${probes.length} probes)`,
          value: wall,
          unit: 'ms',
          baseline: seq.ms,
          baselineOf: 'sequential loop',
          goal: atGoal ? 'ratio ≤ 0.1 (≥ 10× faster)' : null,
          ...(atGoal ? { check: (_v: number, r: number | null) => red.length === 0 && r !== null && r <= 0.1 } : {}),
          note: `median of ${walls.length} concurrent sweeps${redNote}`,
        }),
        figure({
          name: `smoke sweep ${n} ids vs slowest probe`,
          value: wall,
          unit: 'ms',
          baseline: slowest,
          baselineOf: 'slowest single probe',
          goal: atGoal ? 'ratio ≤ 2' : null,
          ...(atGoal ? { check: (_v: number, r: number | null) => red.length === 0 && r !== null && r <= 2 } : {}),
        }),
      );
    }
    return figures;
  } finally {
    await http.close();
    await world.stop();
  }
}
