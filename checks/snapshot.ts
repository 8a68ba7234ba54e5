// One snapshot of the four panels. The runtime is listed once, the proxy read once (it decides the phase),
// then smoke and tokens run concurrently; the authenticated smoke call reuses the token DB read.
import type { Clock, Http, Instance, Runtime } from '../src/ports.ts';
import { instanceRef } from '../src/runbook/instance-ref.ts';
import { systemClock } from '../src/ports.ts';
import type { IdentityDecl, Runbook } from '../src/runbook/schema.ts';
import type { ContainerItem, Panel, PanelName, SmokeItem, Snapshot, TokenItem, UpstreamItem, Verdict } from './types.ts';
import { baselineSource, otherWorld, type Baseline } from './baseline.ts';
import { describeWorld, factsForWorld, worldOf, type JournalFacts, type World } from '../src/engine/expect.ts';
import { derivePhase, evaluateContainers } from './containers.ts';
import type { Phase } from './context.ts';
import { runSmoke } from './smoke.ts';
import { evaluateTokens, pickToken, readTokenDb, tokenDbLocation, type TokenDbRead } from './tokens.ts';
import { RecentTokenCache } from './token-recent.ts';

/** Token rows a refresh reads besides the baseline's: the 8 most recently seen and the 8 newest. */
const TOKEN_PANEL_RECENT = 8;
/** Refreshes in one process (cockpit, status --watch) share what the last one found (checks/token-recent.ts). */
const processTokenCache = new RecentTokenCache();

export type UpstreamsProbe = (runbook: Runbook, instances: Instance[]) => Promise<Panel<UpstreamItem>>;

export interface SnapshotDeps {
  runtime: Runtime;
  http: Http;
  /** checks/upstreams.ts; without it the panel says "not available yet" (ok: null). */
  upstreams?: UpstreamsProbe;
  clock?: Clock;
  /** Defaults to one cache per process. */
  tokenCache?: RecentTokenCache;
}

export interface SnapshotOptions {
  /** 'auto' (default): after when the live proxy points at the target. */
  phase?: Phase | 'auto';
  baseline: Baseline | null;
  env: Record<string, string | undefined>;
  /** What the journal says was done (src/engine/expect.ts): containers are judged against what should hold now. */
  facts?: JournalFacts | null;
  /** The journal's own facts for the state of the world when `facts` were adjusted for judging (verify judges
   *  "after" whatever the journal says, yet its state line must say what the journal says). Default: `facts`. */
  worldFacts?: JournalFacts | null;
  onSmokeItem?: (item: SmokeItem) => void;
}

export interface SnapshotResult extends Snapshot {
  phase: Phase;
}

/**
 * The state of the world the panels were judged in (src/engine/expect.ts), for headers and `status`: from the
 * journal when it is about these instances; a journal of other instances (a rebuilt lab) says nothing about them.
 */
export function snapshotWorld(runbook: Runbook, instances: readonly Instance[], facts: JournalFacts | null): NonNullable<Snapshot['world']> {
  const legacy = runbook.containers.filter((c) => c.role === 'legacy').map((c) => c.name);
  const f = factsForWorld(facts, instances, legacy);
  const w: World = f ? worldOf(f) : { kind: 'before' };
  const other = facts !== null && f === null;
  return { ...w, text: describeWorld(w) + (other ? ' (the journal\'s runs were on other instances of the same names)' : '') };
}

/** ok of a list of verdicts: false if any is red, null if any is unknown, true when all are green. */
export function combine(oks: (boolean | null)[]): boolean | null {
  if (oks.some((o) => o === false)) return false;
  if (oks.some((o) => o === null)) return null;
  return true;
}

export function panel<T extends Verdict>(name: PanelName, items: T[], startedAt: number, clock: Clock, error?: string): Panel<T> {
  const now = clock.now();
  return {
    panel: name,
    // Pending items (no expectation yet) do not make a panel unknown: nothing is wrong.
    ok: error ? null : combine(items.map((i) => (i.ok === null && i.pending ? true : i.ok))),
    items,
    ...(error ? { error } : {}),
    checkedAt: now,
    durationMs: now - startedAt,
  };
}

/** Snapshot ok: red if any panel is red; unknown if a panel could not be checked; panels not built yet are ignored. */
export function snapshotOk(panels: Panel<Verdict>[]): boolean | null {
  if (panels.some((p) => p.ok === false)) return false;
  if (panels.some((p) => p.error !== undefined)) return null;
  return true;
}

export async function takeSnapshot(runbook: Runbook, deps: SnapshotDeps, opts: SnapshotOptions): Promise<SnapshotResult> {
  const clock = deps.clock ?? systemClock;
  const started = clock.now();

  let instances: Instance[] = [];
  let listError: string | undefined;
  try {
    instances = await deps.runtime.list();
  } catch (err) {
    listError = `cannot list containers: ${(err as Error).message}`;
  }

  const upstreamsStarted = clock.now();
  const upstreams: Panel<UpstreamItem> = deps.upstreams
    ? await deps.upstreams(runbook, instances).catch((err: Error) => panel<UpstreamItem>('upstreams', [], upstreamsStarted, clock, `cannot read the proxy: ${err.message}`))
    : { panel: 'upstreams', ok: null, items: [], checkedAt: clock.now(), durationMs: 0 };
  const phase: Phase = opts.phase && opts.phase !== 'auto' ? opts.phase : derivePhase(runbook, instances, upstreams.error ? null : upstreams.items);

  // A baseline taken on other instances (a rebuilt lab) is not this world's expectation: not compared, and
  // what needs it is pending with how to record a new one.
  const foreign = opts.baseline && !listError ? otherWorld(opts.baseline, instances) : null;
  const baseline = foreign ? null : opts.baseline;

  const containers = listError ? panel<ContainerItem>('containers', [], started, clock, listError) : panel('containers', evaluateContainers(runbook, instances, phase, opts.facts ?? null), started, clock);

  // One read per identity, shared by the tokens panel and the authenticated smoke call.
  const reads = new Map<string, Promise<TokenDbRead>>();
  const readFor = (identity: IdentityDecl): Promise<TokenDbRead> => {
    let p = reads.get(identity.slug);
    if (!p) {
      p = (async () => {
        const where = tokenDbLocation(runbook, identity, phase, opts.env);
        const scope = { baseline: baseline?.identities[identity.slug] ?? null, recent: TOKEN_PANEL_RECENT, cache: deps.tokenCache ?? processTokenCache };
        return readTokenDb(deps.runtime, where.container, where.path, runbook.tokens, scope, instanceRef(runbook, where.container));
      })();
      reads.set(identity.slug, p);
    }
    return p;
  };
  const tokenFor = async (identity: IdentityDecl): Promise<string> => {
    const row = pickToken((await readFor(identity)).rows);
    if (!row) throw new Error(`no device token in ${identity.slug}'s token DB`);
    return row.secret;
  };

  // Without the container list the phase and the local targets are unknown: no probe is sent at all.
  const smokeStarted = clock.now();
  const smokeP: Promise<Panel<SmokeItem>> = listError
    ? Promise.resolve(panel<SmokeItem>('smoke', [], smokeStarted, clock, listError))
    : runSmoke(runbook, deps.http, {
        phase,
        instances,
        baseline,
        ...(foreign ? { baselinePending: foreign } : {}),
        env: opts.env,
        tokenFor,
        ...(opts.onSmokeItem ? { onItem: opts.onSmokeItem } : {}),
      }).then((items) => panel('smoke', items, smokeStarted, clock));

  const tokensStarted = clock.now();
  const tokensP: Promise<Panel<TokenItem>> = listError
    ? Promise.resolve(panel<TokenItem>('tokens', [], tokensStarted, clock, listError))
    : Promise.all(
        runbook.identities.map(async (identity) => {
          const read = await readFor(identity).catch((err: Error) => ({ error: err.message }));
          const b = baseline?.identities[identity.slug] ?? null;
          return evaluateTokens({ identity: identity.slug, phase, read, baseline: b, baselineRecordedAt: baseline?.recordedAt ?? null, baselineSource: baselineSource(baseline), now: clock.now() });
        }),
      ).then((lists) => panel('tokens', lists.flat(), tokensStarted, clock));

  const [smoke, tokens] = await Promise.all([smokeP, tokensP]);
  const world = listError ? {} : { world: snapshotWorld(runbook, instances, (opts.worldFacts !== undefined ? opts.worldFacts : opts.facts) ?? null) };
  return { ok: snapshotOk([containers, upstreams, smoke, tokens]), phase, ...world, containers, upstreams, smoke, tokens };
}
