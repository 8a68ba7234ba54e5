// Checks raw TOML data against the zod schema and turns zod's issues into located, readable problems:
// unknown keys get "did you mean", missing keys say so, per-step action params are checked by action.
import type { z } from 'zod';
import { Runbook, StepBase } from './schema.ts';
import { actionNames, descriptorOf, type ActionCatalog } from './catalog.ts';
import { keyPath } from './problems.ts';
import { didYouMean } from './suggest.ts';
import { stepParams } from './expand.ts';

export interface ShapeProblem {
  path: string;
  message: string;
}

type Def = { type: string; shape?: Record<string, z.ZodType>; element?: z.ZodType; innerType?: z.ZodType; options?: z.ZodType[] };
const def = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** Keys an object schema allows at `path` (arrays, defaults, optionals and unions walked through). */
function allowedKeys(schema: z.ZodType, path: PropertyKey[]): string[] {
  let cur: z.ZodType | undefined = schema;
  const unwrap = (s: z.ZodType): z.ZodType[] => {
    const d = def(s);
    if (d.innerType) return unwrap(d.innerType);
    if (d.type === 'union') return (d.options ?? []).flatMap(unwrap);
    return [s];
  };
  for (const seg of path) {
    if (!cur) return [];
    const candidates = unwrap(cur);
    cur = undefined;
    for (const c of candidates) {
      const d = def(c);
      if (typeof seg === 'number' && d.type === 'array') cur = d.element;
      else if (typeof seg === 'string' && d.type === 'object' && d.shape?.[seg]) cur = d.shape[seg];
      if (cur) break;
    }
  }
  if (!cur) return [];
  return unwrap(cur).flatMap((c) => Object.keys(def(c).shape ?? {}));
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let cur = data;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[seg];
  }
  return cur;
}

function issuesToProblems(issues: z.core.$ZodIssue[], data: unknown, prefix: PropertyKey[], keysAt: (path: PropertyKey[]) => string[]): ShapeProblem[] {
  const out: ShapeProblem[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      const allowed = keysAt(issue.path as PropertyKey[]);
      for (const k of issue.keys) out.push({ path: keyPath([...path, k]), message: `unknown key "${k}"${didYouMean(k, allowed)}` });
    } else if (issue.code === 'invalid_type' && valueAt(data, issue.path as PropertyKey[]) === undefined) {
      out.push({ path: keyPath(path), message: `required key "${String(issue.path[issue.path.length - 1] ?? '')}" is missing` });
    } else if (issue.code === 'invalid_union') {
      out.push({ path: keyPath(path), message: 'must be "auto", "none" or an inline table { action = "…", … }' });
    } else {
      out.push({ path: keyPath(path), message: issue.message });
    }
  }
  return out;
}

const STEP_KEYS = Object.keys(StepBase.shape);

/** Action params of one step (or of its rollback table), checked against the action's schema. */
function checkActionParams(catalog: ActionCatalog, action: unknown, params: Record<string, unknown>, at: PropertyKey[], extraKeys: string[]): ShapeProblem[] {
  if (typeof action !== 'string') return [];
  const descriptor = descriptorOf(catalog, action);
  if (!descriptor) {
    return [{ path: keyPath([...at, 'action']), message: `unknown action "${action}"${didYouMean(action, actionNames(catalog))}` }];
  }
  const schema = descriptor.params;
  const r = schema.safeParse(params);
  if (r.success) return [];
  const keys = [...extraKeys, ...Object.keys(schema.shape)];
  return issuesToProblems(r.error.issues, params, at, (p) => (p.length === 0 ? keys : allowedKeys(schema, p)));
}

/** Every shape problem in the raw data; `runbook` is set when the top level is valid. */
export function checkShape(data: unknown, catalog: ActionCatalog): { runbook?: Runbook; problems: ShapeProblem[] } {
  const problems: ShapeProblem[] = [];
  const top = Runbook.safeParse(data);
  if (!top.success) problems.push(...issuesToProblems(top.error.issues, data, [], (p) => allowedKeys(Runbook, p)));
  const steps = valueAt(data, ['steps']);
  if (Array.isArray(steps)) {
    steps.forEach((step: unknown, i) => {
      if (!step || typeof step !== 'object') return;
      const s = step as Record<string, unknown>;
      problems.push(...checkActionParams(catalog, s.action, stepParams(s), ['steps', i], STEP_KEYS));
      if (s.rollback && typeof s.rollback === 'object' && !Array.isArray(s.rollback)) {
        const { action, ...params } = s.rollback as Record<string, unknown>;
        problems.push(...checkActionParams(catalog, action, params, ['steps', i, 'rollback'], ['action']));
      }
    });
  }
  return top.success ? { runbook: top.data, problems } : { problems };
}
