// The real change a step will make, for `d`: each action's own preview (src/actions: a proxy.repoint's
// Caddyfile unified diff, a file.write's content diff), with {{ip("…")}} resolved from the live runtime.
// Computed off the input path: the screen receives a `diff` event when it is ready, for every previewable step at start and again whenever one becomes the next step.
import type { ResolvedStep } from '../engine/types.ts';
import type { Runtime } from '../ports.ts';
import type { Runbook } from '../runbook/schema.ts';
import { runtimeResolver } from '../runner/context.ts';
import { actionOf, CATALOG, REGISTRY } from '../actions/index.ts';
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
  const lines = describeStep(step, rb, CATALOG).map((c) => `$ ${c}`);
  return [...lines, '', `undo: ${describeRollback(step, rb, CATALOG)}`].join('\n');
}

/** Actions whose executor previews the real change (src/actions: preview()). */
export const PREVIEWABLE: ReadonlySet<string> = new Set(Object.entries(REGISTRY).filter(([, a]) => 'preview' in a).map(([name]) => name));

/** The diff text for a previewable step (without the command list), or null for other actions. */
export async function realDiff(step: ResolvedStep, d: PreviewDeps): Promise<string | null> {
  const preview = actionOf(step.action)?.preview;
  return preview ? preview(step, { runbook: d.runbook, runtime: d.runtime, resolve: runtimeResolver(d) }) : null;
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
