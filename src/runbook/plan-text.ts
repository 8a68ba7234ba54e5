// Helpers for the actions' plan text (pure): params as shown, run-time values as markers (`<ip of posta>`).
import type { Runbook } from './schema.ts';
import { markRuntime, renderTemplate } from './template.ts';
import { instanceRef } from './instance-ref.ts';
import type { Params } from './catalog.ts';

export { shellQuote as q } from '../shell.ts';

export const str = (p: Params, k: string) => markRuntime(String(p[k] ?? ''));
export const list = (p: Params, k: string) => (Array.isArray(p[k]) ? (p[k] as unknown[]).map((v) => markRuntime(String(v))) : []);
/** Multi-line text as indented lines, blank edges dropped. */
export const textLines = (t: string) => t.trim().split('\n').map((l) => `  ${l.trimEnd()}`);
export const ownerFlags = (o: string) => {
  const [u, g] = o.split(':');
  return `--uid ${u} --gid ${g ?? u}`;
};
/** The step's container (param `k`) as the runtime names it (REMOTE:NAME). */
export const container = (p: Params, rb: Runbook, k = 'container') => instanceRef(rb, str(p, k));
/** The step's container as the report names it (`ref`), '?' when the params have none. */
export const refContainer = (p: Params, ref: (name: string) => string) => (p.container === undefined ? '?' : ref(String(p.container)));
/** The identities a step is limited to (`identities = [...]`), default all. */
export const identitiesOf = (p: Params, rb: Runbook) => {
  const slugs = p.identities as string[] | undefined;
  return slugs?.length ? rb.identities.filter((i) => slugs.includes(i.slug)) : rb.identities;
};
/** The sites a proxy step names, default all proxy.sites. */
export const sitesOf = (p: Params, rb: Runbook) => (list(p, 'sites').length ? list(p, 'sites') : (rb.proxy?.sites ?? []));

/** A per-identity template (smoke condition, token DB path) rendered for one identity, run-time values as markers. */
export function forIdentity(text: string, rb: Runbook, identity: Runbook['identities'][number]): string {
  try {
    return markRuntime(renderTemplate(text, { runbook: rb.runbook, identity, identities: rb.identities, env: {} }));
  } catch {
    return markRuntime(text);
  }
}
