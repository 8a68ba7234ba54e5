// Resolves the runbook's steps into the numbered plan: for_each expansion, templates rendered (run-time
// values such as {{ip("posta")}} stay as written), action defaults applied, rollback resolved per item.
import { StepBase, type Runbook, type Step } from './schema.ts';
import { descriptorOf, type ActionCatalog } from './catalog.ts';
import { renderTemplate, TemplateError, type TemplateContext } from './template.ts';
import { keyPath } from './problems.ts';
import type { ResolvedRollback, ResolvedStep } from '../engine/types.ts';
import { NOTHING_TO_UNDO } from '../engine/rollback.ts';

type Env = Record<string, string | undefined>;

export interface ExpandContext {
  /** The actions, for their params' defaults. */
  catalog: ActionCatalog;
  env: Env;
  /** Resolves {{now}}; absent = left for run time. */
  now?: Date;
  /** Line of `steps[i]` in the file, for messages. */
  lineOf?: (stepIndex: number) => number | undefined;
  /** Called for a step whose templates cannot be rendered; that step is left out and expansion goes on. Default: throw. */
  onError?: (err: ExpandError) => void;
}


/** A template that cannot be rendered, with the key path it sits at (`steps[3].title`). */
export class ExpandError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

const BASE_KEYS = new Set(Object.keys(StepBase.shape));

/** The action-specific fields of a step (everything but the common step fields). */
export function stepParams(step: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(step).filter(([k]) => !BASE_KEYS.has(k)));
}

/** The items a step expands over: identity slugs or legacy container names; [undefined] when not expanded. */
export function forEachItems(runbook: Runbook, step: Pick<Step, 'for_each'>): (TemplateContext['identity'] | TemplateContext['container'] | undefined)[] {
  if (step.for_each === 'identities') return runbook.identities;
  if (step.for_each === 'legacy_containers') return legacyContainers(runbook);
  return step.for_each === undefined ? [undefined] : [];
}

export function legacyContainers(runbook: Runbook): { name: string; role: string }[] {
  return runbook.containers.filter((c) => c.role === 'legacy').map((c) => ({ name: c.name, role: c.role }));
}

function renderDeep(value: unknown, ctx: TemplateContext, path: PropertyKey[]): unknown {
  if (typeof value === 'string') {
    try {
      return renderTemplate(value, ctx);
    } catch (err) {
      if (err instanceof TemplateError) throw new ExpandError(keyPath(path), err.message);
      throw err;
    }
  }
  if (Array.isArray(value)) return value.map((v, i) => renderDeep(v, ctx, [...path, i]));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderDeep(v, ctx, [...path, k])]));
  return value;
}

/** Parses params with the action's schema for its defaults; invalid params (already reported) pass through. */
function withDefaults(catalog: ActionCatalog, action: string, params: Record<string, unknown>): Record<string, unknown> {
  const parsed = descriptorOf(catalog, action)?.params.safeParse(params);
  return parsed?.success ? (parsed.data as Record<string, unknown>) : params;
}

function resolveRollback(catalog: ActionCatalog, step: Step, ctx: TemplateContext, at: PropertyKey[]): ResolvedRollback {
  const rb = step.rollback;
  if (rb === 'auto') return { kind: 'auto' };
  if (rb === 'none') return { kind: 'none', reason: String(renderDeep(step.rollback_reason ?? 'no reason given', ctx, [...at, 'rollback_reason'])) };
  if (rb && typeof rb === 'object') {
    const { action, ...params } = rb as { action: string } & Record<string, unknown>;
    return { kind: 'step', action, params: withDefaults(catalog, action, renderDeep(params, ctx, [...at, 'rollback']) as Record<string, unknown>) };
  }
  return { kind: 'none', reason: step.destructive || step.irreversible ? 'no rollback declared' : NOTHING_TO_UNDO };
}

export function expandSteps(runbook: Runbook, ctx: ExpandContext): ResolvedStep[] {
  const base: TemplateContext = {
    runbook: { name: runbook.runbook.name, host: runbook.runbook.host },
    identities: runbook.identities,
    legacyContainers: legacyContainers(runbook),
    env: ctx.env,
    ...(ctx.now ? { now: ctx.now } : {}),
  };
  const out: ResolvedStep[] = [];
  runbook.steps.forEach((step, i) => {
    const at: PropertyKey[] = ['steps', i];
    for (const item of forEachItems(runbook, step)) {
      try {
        const tctx: TemplateContext =
          step.for_each === 'identities' ? { ...base, identity: item as TemplateContext['identity'] } : step.for_each === 'legacy_containers' ? { ...base, container: item as TemplateContext['container'] } : base;
        const itemName = item ? String('slug' in item ? item.slug : item.name) : undefined;
        const line = ctx.lineOf?.(i);
        out.push({
          key: itemName ? `${step.id}[${itemName}]` : step.id,
          id: step.id,
          index: out.length + 1,
          title: String(renderDeep(step.title, tctx, [...at, 'title'])),
          action: step.action,
          params: withDefaults(ctx.catalog, step.action, renderDeep(stepParams(step), tctx, at) as Record<string, unknown>),
          destructive: step.destructive || step.irreversible,
          irreversible: step.irreversible,
          rollback: resolveRollback(ctx.catalog, step, tctx, at),
          verify: (renderDeep(step.verify ?? [], tctx, [...at, 'verify']) as string[]),
          ...(step.outage ? { outage: step.outage } : {}),
          ...(step.after ? { after: step.after } : {}),
          ...(step.parallel && step.for_each !== undefined ? { parallel: true as const } : {}),
          ...(itemName ? { item: itemName } : {}),
          ...(line !== undefined ? { line } : {}),
        });
      } catch (err) {
        if (!(err instanceof ExpandError) || !ctx.onError) throw err;
        ctx.onError(err);
      }
    }
  });
  return out;
}
