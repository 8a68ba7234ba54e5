// Reference checks over a runbook that passed the schema: names used by steps must be declared, every
// destructive step must say how it is undone, templates must be bound where they are used.
import { FOR_EACH, type Runbook } from './schema.ts';
import { autoUndoActions, descriptorOf, type ActionCatalog } from './catalog.ts';
import { checkTemplate, type TemplateScope } from './template.ts';
import { keyPath } from './problems.ts';
import { didYouMean } from './suggest.ts';
import { stepParams } from './expand.ts';
import type { ResolvedStep } from '../engine/types.ts';
import type { ShapeProblem } from './shape.ts';

/** Params that name a container, and params that hold an absolute path inside a container. */
const CONTAINER_KEYS = ['container', 'from_container', 'to_container'];
const PATH_KEYS = ['path', 'from', 'to', 'paths'];

export type ConditionParser = (condition: string) => void;

function duplicates<T>(items: T[], key: (t: T) => string, report: (i: number, first: number, name: string) => void) {
  const seen = new Map<string, number>();
  items.forEach((it, i) => {
    const k = key(it);
    const first = seen.get(k);
    if (first !== undefined) report(i, first, k);
    else seen.set(k, i);
  });
}

/** Walks every string in a value with its key path. */
function eachString(value: unknown, path: PropertyKey[], fn: (s: string, path: PropertyKey[]) => void) {
  if (typeof value === 'string') fn(value, path);
  else if (Array.isArray(value)) value.forEach((v, i) => eachString(v, [...path, i], fn));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) eachString(v, [...path, k], fn);
}

export function checkReferences(rb: Runbook, opts: { catalog: ActionCatalog; lineOf: (path: string) => number | undefined; parseCondition?: ConditionParser }): ShapeProblem[] {
  const out: ShapeProblem[] = [];
  const autoUndo = autoUndoActions(opts.catalog);
  const add = (path: PropertyKey[], message: string) => out.push({ path: keyPath(path), message });
  const containers = rb.containers.map((c) => c.name);
  const slugs = rb.identities.map((i) => i.slug);
  const sites = rb.proxy?.sites ?? [];
  const smokeNames = rb.smoke.map((s) => s.name);
  const firstAt = (path: PropertyKey[]) => {
    const line = opts.lineOf(keyPath(path));
    return line ? ` (first declared at line ${line})` : ` (first declared at ${keyPath(path)})`;
  };
  const templates = (value: unknown, path: PropertyKey[], scope: TemplateScope) =>
    eachString(value, path, (s, p) => checkTemplate(s, scope).forEach((m) => add(p, m)));
  const conditions = (list: string[], path: PropertyKey[]) => {
    if (!opts.parseCondition) return;
    list.forEach((c, i) => {
      try {
        opts.parseCondition!(c);
      } catch (err) {
        add([...path, i], `condition does not parse: ${(err as Error).message}`);
      }
    });
  };

  duplicates(rb.containers, (c) => c.name, (i, f, n) => add(['containers', i, 'name'], `duplicate container "${n}"${firstAt(['containers', f, 'name'])}`));
  duplicates(rb.identities, (c) => c.slug, (i, f, n) => add(['identities', i, 'slug'], `duplicate identity slug "${n}"${firstAt(['identities', f, 'slug'])}`));
  duplicates(rb.smoke, (c) => c.name, (i, f, n) => add(['smoke', i, 'name'], `duplicate smoke check "${n}"${firstAt(['smoke', f, 'name'])}`));
  duplicates(rb.steps, (s) => s.id, (i, f, n) => add(['steps', i, 'id'], `duplicate step id "${n}"${firstAt(['steps', f, 'id'])}`));

  rb.identities.forEach((idn, i) => {
    if (!containers.includes(idn.legacy_container)) add(['identities', i, 'legacy_container'], `container "${idn.legacy_container}" is not declared in [[containers]]${didYouMean(idn.legacy_container, containers)}`);
    if (!rb.proxy) add(['identities', i, 'host'], `identity host "${idn.host}" needs a [proxy] whose sites include it`);
    else if (!sites.includes(idn.host)) add(['identities', i, 'host'], `identity host "${idn.host}" is not one of proxy.sites${didYouMean(idn.host, sites)}`);
  });

  const identityScope: TemplateScope = { identity: true, container: false, containers };
  rb.smoke.forEach((s, i) => {
    templates(s.path, ['smoke', i, 'path'], identityScope);
    templates(s.conditions, ['smoke', i, 'conditions'], identityScope);
    conditions(s.conditions, ['smoke', i, 'conditions']);
  });
  if (rb.tokens) templates(rb.tokens.db, ['tokens', 'db'], identityScope);

  const ids = rb.steps.map((s) => s.id);
  let opens = -1;
  rb.steps.forEach((step, i) => {
    const at: PropertyKey[] = ['steps', i];
    const action = step.action;
    const descriptor = descriptorOf(opts.catalog, action);
    const known = descriptor !== undefined;
    const params = stepParams(step);
    if (step.for_each !== undefined) {
      if (!(FOR_EACH as readonly string[]).includes(step.for_each)) add([...at, 'for_each'], `for_each over unknown collection "${step.for_each}" (known: ${FOR_EACH.join(', ')})${didYouMean(step.for_each, FOR_EACH)}`);
      else if (step.for_each === 'identities' && !slugs.length) add([...at, 'for_each'], 'for_each = "identities" but no [[identities]] are declared');
      else if (step.for_each === 'legacy_containers' && !rb.containers.some((c) => c.role === 'legacy')) add([...at, 'for_each'], 'for_each = "legacy_containers" but no container has role = "legacy"');
    }
    // An unknown for_each is reported once above; its templates are not reported again as unbound.
    const unknownEach = step.for_each !== undefined && !(FOR_EACH as readonly string[]).includes(step.for_each);
    const scope: TemplateScope = { identity: unknownEach || step.for_each === 'identities', container: unknownEach || step.for_each === 'legacy_containers', containers };
    templates(step.title, [...at, 'title'], scope);
    templates(params, at, scope);
    templates(step.verify ?? [], [...at, 'verify'], scope);
    conditions(step.verify ?? [], [...at, 'verify']);
    if (step.rollback && typeof step.rollback === 'object') templates(step.rollback, [...at, 'rollback'], scope);

    const destructive = step.destructive || step.irreversible;
    if (step.rollback === undefined && destructive) {
      add(at, `destructive step "${step.id}" needs a rollback: rollback = { action = "…", … }${known && autoUndo.includes(action) ? ', rollback = "auto"' : ''} or rollback = "none" with rollback_reason`);
    }
    if (step.rollback === 'none' && !step.rollback_reason?.trim()) add([...at, 'rollback'], 'rollback = "none" needs rollback_reason = "…" saying why it cannot be undone');
    if (step.rollback === 'auto' && known && !autoUndo.includes(action)) add([...at, 'rollback'], `action "${action}" has no automatic undo (only ${autoUndo.join(', ')}); give rollback = { action = "…", … } or "none" with rollback_reason`);
    if (step.irreversible && step.rollback !== undefined && step.rollback !== 'none') add([...at, 'rollback'], 'an irreversible step cannot be undone: use rollback = "none" with rollback_reason');

    if (step.outage === 'opens') {
      if (opens >= 0) add([...at, 'outage'], `the outage window is already opened by step "${rb.steps[opens]!.id}"`);
      opens = i;
    }
    if (step.outage === 'closes' && opens < 0) add([...at, 'outage'], 'outage = "closes" before any step with outage = "opens"');
    if (step.parallel && step.for_each === undefined) add([...at, 'parallel'], 'parallel = true runs the expansions of a for_each step at once: add for_each = "identities" or "legacy_containers", or remove parallel');
    for (const dep of step.after ?? []) {
      const j = ids.indexOf(dep);
      if (j < 0) add([...at, 'after'], `after: no step with id "${dep}"${didYouMean(dep, ids)}`);
      else if (j >= i) add([...at, 'after'], `after: step "${dep}" comes later in the runbook; steps run in order`);
    }

    const requireSubset = (list: unknown, key: string, known: string[], what: string) => {
      if (!Array.isArray(list)) return;
      list.forEach((v: string, k) => {
        if (!known.includes(v)) add([...at, key, k], `${what} "${v}" is not declared${didYouMean(v, known)}`);
      });
    };
    const needs = descriptor?.needs;
    if (needs === 'proxy' && !rb.proxy) add([...at, 'action'], `action "${action}" needs a [proxy] section`);
    if (needs === 'smoke' && !rb.smoke.length) add([...at, 'action'], `a ${action} step needs [[smoke]] checks`);
    if (needs === 'tokens' && !rb.tokens) add([...at, 'action'], `a ${action} step needs a [tokens] section`);
    // Params that name declared things, on the actions whose params have them.
    const own: Record<string, unknown> = descriptor?.params.shape ?? {};
    if ('sites' in own) requireSubset(params.sites, 'sites', sites, 'site');
    if ('checks' in own) requireSubset(params.checks, 'checks', smokeNames, 'smoke check');
    if ('identities' in own) requireSubset(params.identities, 'identities', slugs, 'identity');
  });
  return out;
}

/** Checks on the expanded plan: container names and container paths after templates are resolved. */
export function checkResolved(rb: Runbook, steps: ResolvedStep[]): ShapeProblem[] {
  const out: ShapeProblem[] = [];
  const containers = rb.containers.map((c) => c.name);
  const seen = new Set<string>();
  const indexOf = new Map(rb.steps.map((s, i) => [s.id, i] as const));
  const report = (p: ShapeProblem) => {
    const k = `${p.path}\n${p.message}`;
    if (!seen.has(k)) (seen.add(k), out.push(p));
  };
  for (const step of steps) {
    const i = indexOf.get(step.id)!;
    const lists: [PropertyKey[], Record<string, unknown>][] = [[['steps', i], step.params]];
    if (step.rollback.kind === 'step') lists.push([['steps', i, 'rollback'], step.rollback.params]);
    for (const [at, params] of lists) {
      for (const k of CONTAINER_KEYS) {
        const v = params[k];
        if (typeof v === 'string' && !v.includes('{{') && !containers.includes(v)) {
          report({ path: keyPath([...at, k]), message: `container "${v}" is not declared in [[containers]]${didYouMean(v, containers)}` });
        }
      }
      for (const k of PATH_KEYS) {
        eachString(params[k], [...at, k], (v, p) => {
          if (v.includes('{{')) return;
          if (!v.startsWith('/')) report({ path: keyPath(p), message: `"${v}" must be an absolute container path (starting with /)` });
          else if (v.split('/').includes('..')) report({ path: keyPath(p), message: `"${v}" must not contain a ".." segment` });
        });
      }
    }
  }
  return out;
}
