// The real change a step will make, for `d`: a proxy.repoint's Caddyfile unified diff (planned by the same
// planRepoint the step runs, with {{ip("…")}} resolved from the live runtime) and a file.write's content
// diff against what the container holds now. Computed off the input path: the screen receives a `diff`
// event when it is ready, for every previewable step at start and again whenever one becomes the next step.
import { createTwoFilesPatch } from 'diff';
import type { ResolvedStep } from '../engine/types.ts';
import type { Runtime } from '../ports.ts';
import type { Runbook } from '../runbook/schema.ts';
import { planRepoint } from '../caddyfile/repoint.ts';
import { legacyMoves } from '../caddyfile/legacy.ts';
import { analyzeRepoint } from '../caddyfile/edit.ts';
import { unifiedDiff } from '../caddyfile/diff.ts';
import { upstreamFor } from '../preflight/rules.ts';
import { readFileSync } from 'node:fs';
import { NoAddressError, runtimeResolver } from '../runner/context.ts';
import type { BaselineStore } from '../../checks/baseline.ts';
import type { CockpitStore } from '../../screens/state/store.ts';
import { nextStepIndex } from '../../screens/state/selectors.ts';
import { describeRollback, describeStep } from '../runbook/describe.ts';

export interface PreviewDeps {
  runbook: Runbook;
  runtime: Runtime;
  env: Record<string, string | undefined>;
  baselines: BaselineStore;
}

/** The preview `d` shows before a step has run: the commands it will run and how it is undone. */
export function stepPreview(step: ResolvedStep, rb: Runbook): string {
  const lines = describeStep(step, rb).map((c) => `$ ${c}`);
  return [...lines, '', `undo: ${describeRollback(step, rb)}`].join('\n');
}

export const PREVIEWABLE = new Set(['proxy.repoint', 'file.write']);

const NOT_CREATED = '(upstream resolved when the step runs: target not created yet)';

async function repointDiff(step: ResolvedStep, d: PreviewDeps, resolve: (t: string) => Promise<string>): Promise<string> {
  const proxy = d.runbook.proxy;
  if (!proxy) return '(the runbook has no [proxy] section)';
  // The same site selection as the proxy.repoint executor.
  const sites = Array.isArray(step.params['sites']) && step.params['sites'].length ? (step.params['sites'] as string[]) : proxy.sites;
  const instances = await d.runtime.list();
  const { moves } = legacyMoves({ sites, identities: d.runbook.identities, instances });
  let upstream: string;
  try {
    upstream = await resolve(String(step.params['upstream'] ?? ''));
  } catch (err) {
    if (!(err instanceof NoAddressError)) throw err;
    // Before the target exists: the whole diff with its address as a named placeholder (text only, as plan shows it).
    const edit = analyzeRepoint(readFileSync(proxy.caddyfile, 'utf8'), moves, upstreamFor(String(step.params['upstream'] ?? ''), instances).upstream, { mixed: proxy.mixed_upstreams ?? 'refuse' });
    const stop = edit.problems.find((p) => p.level === 'blocker');
    const head = NOT_CREATED.replace('target', `"${err.container}"`);
    return stop ? `${head}\npreflight blocker: ${stop.message}\nfix: ${stop.fix}` : `${head}\n${unifiedDiff(proxy.caddyfile, readFileSync(proxy.caddyfile, 'utf8'), edit.text)}`;
  }
  const plan = await planRepoint({ caddyfilePath: proxy.caddyfile, sites: moves, newUpstream: upstream, mixed: proxy.mixed_upstreams ?? 'refuse', ...(proxy.binary ? { caddyBinary: proxy.binary } : {}), ...(proxy.hold ? { hold: proxy.hold } : {}) });
  return plan.diff || `(nothing to change: ${sites.join(', ')} already dial ${upstream})`;
}

async function fileWriteDiff(step: ResolvedStep, d: PreviewDeps, resolve: (t: string) => Promise<string>): Promise<string> {
  const container = await resolve(String(step.params['container'] ?? ''));
  const path = await resolve(String(step.params['path'] ?? ''));
  const content = await resolve(String(step.params['content'] ?? ''));
  const instance = await d.runtime.get(container);
  if (!instance) return `(${container} not created yet: the whole file is new)\n${createTwoFilesPatch(path, path, '', content, 'absent', 'written', { context: 3 })}`;
  const now = await d.runtime.exec(container, ['cat', path]);
  const old = now.exitCode === 0 ? now.stdout : '';
  if (old === content) return `(${container}:${path} already has this content)`;
  const label = now.exitCode === 0 ? `${container} now` : `absent in ${container}`;
  return createTwoFilesPatch(path, path, old, content, label, 'written', { context: 3 });
}

/** The diff text for a previewable step (without the command list), or null for other actions. */
export async function realDiff(step: ResolvedStep, d: PreviewDeps): Promise<string | null> {
  const resolve = runtimeResolver(d);
  if (step.action === 'proxy.repoint') return repointDiff(step, d, resolve);
  if (step.action === 'file.write') return fileWriteDiff(step, d, resolve);
  return null;
}

export interface Previews {
  /** Settles when every preview asked for so far is done (tests). */
  settled(): Promise<void>;
  stop(): void;
}

const PENDING = new Set(['pending', 'failed']);

/** Keeps the screen's diffs of previewable steps real: once at start, again when a step becomes the next one. */
export function startPreviews(store: CockpitStore, d: PreviewDeps): Previews {
  let stopped = false;
  let chain: Promise<void> = Promise.resolve();
  const queued = new Set<string>();
  const refresh = (step: ResolvedStep) => {
    if (queued.has(step.key)) return;
    queued.add(step.key);
    // One at a time: each runs `caddy adapt` or an exec in the container.
    chain = chain.then(async () => {
      queued.delete(step.key);
      if (stopped) return;
      const view = store.getState().steps.find((v) => v.step.key === step.key);
      if (!view || !PENDING.has(view.state)) return; // it ran meanwhile: its output shows what it did
      let text: string | null;
      try {
        text = await realDiff(step, d);
      } catch (err) {
        text = `(diff not available: ${(err as Error).message.split('\n')[0]})`;
      }
      if (stopped || text === null) return;
      const again = store.getState().steps.find((v) => v.step.key === step.key);
      if (!again || !PENDING.has(again.state)) return;
      store.dispatch({ type: 'diff', key: step.key, diff: `${text.trimEnd()}\n\n${stepPreview(step, d.runbook)}` });
    });
  };
  const steps = store.getState().steps.map((v) => v.step);
  for (const s of steps) if (PREVIEWABLE.has(s.action)) refresh(s);
  let lastNext = nextStepIndex(store.getState());
  const unsubscribe = store.subscribe(() => {
    const next = nextStepIndex(store.getState());
    if (next === lastNext) return;
    lastNext = next;
    const step = store.getState().steps[next]?.step;
    if (step && PREVIEWABLE.has(step.action)) refresh(step);
  });
  return {
    settled: async () => {
      while (true) {
        const c = chain;
        await c;
        if (c === chain) return;
      }
    },
    stop() {
      stopped = true;
      unsubscribe();
    },
  };
}
