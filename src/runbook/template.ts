// The runbook template language (pure). `{{identity.slug}}`, `{{container.name}}`, `{{runbook.name}}`,
// `{{runbook.host}}`, `{{now}}`/`{{timestamp}}`, `{{env.NAME}}`, `{{ip("posta")}}`, `{{baseline.public_key}}`,
// and sections `{{#identities}}…{{/identities}}` / `{{#legacy_containers}}…{{/legacy_containers}}`.
// Run-time values (ip, baseline, and now when no clock is given) stay as written until a resolver is given.
import { labDir } from '../paths.ts';

export const IDENTITY_FIELDS = ['slug', 'host', 'url', 'legacy_container', 'actor_name', 'legacy_keys', 'legacy_db', 'data_dir', 'port'] as const;
export const CONTAINER_FIELDS = ['name', 'role'] as const;
export const RUNBOOK_FIELDS = ['name', 'host'] as const;
export const BASELINE_FIELDS = ['public_key'] as const;
export const SECTIONS = ['identities', 'legacy_containers'] as const;

export type Expr =
  | { kind: 'identity'; field: string }
  | { kind: 'container'; field: string }
  | { kind: 'runbook'; field: string }
  | { kind: 'now' }
  | { kind: 'env'; name: string }
  | { kind: 'ip'; container: string }
  | { kind: 'baseline'; field: string };

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'expr'; raw: string; expr: Expr }
  | { kind: 'section'; name: (typeof SECTIONS)[number]; children: Node[] };

export class TemplateError extends Error {}

type Env = Record<string, string | undefined>;

export interface TemplateContext {
  runbook: { name: string; host: string };
  identity?: Record<string, unknown> & { slug: string };
  identities?: (Record<string, unknown> & { slug: string })[];
  container?: { name: string; role: string };
  legacyContainers?: { name: string; role: string }[];
  env: Env;
  /** When absent, {{now}} stays unresolved (resolved at run time). */
  now?: Date;
}

export interface TemplateResolvers {
  ip?: (container: string) => string;
  baseline?: (field: string, identity: string | undefined) => string;
}

const EXPR_RE = /^(?:(identity|container|runbook|baseline|env)\.([A-Za-z_][A-Za-z0-9_]*)|(now|timestamp)|ip\(\s*(?:"([^"]*)"|'([^']*)')\s*\))$/;

function parseExpr(raw: string): Expr {
  const m = EXPR_RE.exec(raw.trim());
  if (!m) throw new TemplateError(`unknown template expression "{{${raw.trim()}}}"`);
  const [, ns, field, now, ipDq, ipSq] = m;
  if (now) return { kind: 'now' };
  if (ipDq !== undefined || ipSq !== undefined) return { kind: 'ip', container: (ipDq ?? ipSq)! };
  const allowed: Record<string, readonly string[] | null> = { identity: IDENTITY_FIELDS, container: CONTAINER_FIELDS, runbook: RUNBOOK_FIELDS, baseline: BASELINE_FIELDS, env: null };
  const list = allowed[ns!];
  if (list && !list.includes(field!)) throw new TemplateError(`unknown template variable "${ns}.${field}" (known: ${list.map((f) => `${ns}.${f}`).join(', ')})`);
  if (ns === 'env') return { kind: 'env', name: field! };
  return { kind: ns as 'identity' | 'container' | 'runbook' | 'baseline', field: field! };
}

function parse(text: string): Node[] {
  const root: Node[] = [];
  const stack: { name: string; children: Node[] }[] = [{ name: '', children: root }];
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf('{{', i);
    const top = stack[stack.length - 1]!;
    if (open < 0) {
      top.children.push({ kind: 'text', text: text.slice(i) });
      break;
    }
    if (open > i) top.children.push({ kind: 'text', text: text.slice(i, open) });
    const close = text.indexOf('}}', open + 2);
    if (close < 0) throw new TemplateError(`unclosed "{{" (no matching "}}")`);
    const raw = text.slice(open + 2, close);
    const body = raw.trim();
    if (body.startsWith('#')) {
      const name = body.slice(1).trim();
      if (!(SECTIONS as readonly string[]).includes(name)) throw new TemplateError(`unknown section "{{#${name}}}" (known: ${SECTIONS.map((s) => `{{#${s}}}`).join(', ')})`);
      const children: Node[] = [];
      top.children.push({ kind: 'section', name: name as (typeof SECTIONS)[number], children });
      stack.push({ name, children });
    } else if (body.startsWith('/')) {
      const name = body.slice(1).trim();
      if (top.name !== name) throw new TemplateError(top.name ? `"{{/${name}}}" closes nothing: "{{#${top.name}}}" is still open` : `"{{/${name}}}" without a matching "{{#${name}}}"`);
      stack.pop();
    } else {
      top.children.push({ kind: 'expr', raw: text.slice(open, close + 2), expr: parseExpr(raw) });
    }
    i = close + 2;
  }
  if (stack.length > 1) throw new TemplateError(`section "{{#${stack[stack.length - 1]!.name}}}" is never closed`);
  return root;
}

/** Every expression used in the text, as written inside the braces: `identity.slug`, `ip("posta")`, `#identities`. */
export function templateVariables(text: string): string[] {
  const names: string[] = [];
  const walk = (nodes: Node[]) => {
    for (const n of nodes) {
      if (n.kind === 'expr') names.push(n.raw.slice(2, -2).trim());
      else if (n.kind === 'section') {
        names.push(`#${n.name}`);
        walk(n.children);
      }
    }
  };
  walk(parse(text));
  return names;
}

export interface TemplateScope {
  /** identity.* is bound (for_each = "identities"). */
  identity: boolean;
  /** container.* is bound (for_each = "legacy_containers"). */
  container: boolean;
  /** Declared container names, for ip("…"). */
  containers: readonly string[];
}

/** Problems with a template in a given scope, as messages; empty when it is fine. */
export function checkTemplate(text: string, scope: TemplateScope): string[] {
  let nodes: Node[];
  try {
    nodes = parse(text);
  } catch (err) {
    return [(err as Error).message];
  }
  const problems: string[] = [];
  const walk = (list: Node[], identity: boolean, container: boolean) => {
    for (const n of list) {
      if (n.kind === 'section') walk(n.children, identity || n.name === 'identities', container || n.name === 'legacy_containers');
      if (n.kind !== 'expr') continue;
      const e = n.expr;
      if (e.kind === 'identity' && !identity) problems.push(`"${n.raw}" is only bound inside for_each = "identities" or a {{#identities}} section`);
      if (e.kind === 'container' && !container) problems.push(`"${n.raw}" is only bound inside for_each = "legacy_containers" or a {{#legacy_containers}} section`);
      if (e.kind === 'ip' && !scope.containers.includes(e.container)) problems.push(`"${n.raw}" names container "${e.container}", which is not declared in [[containers]]`);
    }
  };
  walk(nodes, scope.identity, scope.container);
  return problems;
}

/** YYYYMMDD-HHMMSS in local time, as in Caddyfile.bak.<label>-20260510-004551. */
export function timestamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

function evaluate(node: Extract<Node, { kind: 'expr' }>, ctx: TemplateContext, resolvers: TemplateResolvers): string {
  const e = node.expr;
  switch (e.kind) {
    case 'identity': {
      if (!ctx.identity) throw new TemplateError(`"${node.raw}" is only bound inside for_each = "identities" or a {{#identities}} section`);
      const v = ctx.identity[e.field];
      if (v === undefined) throw new TemplateError(`"${node.raw}": identity "${ctx.identity.slug}" has no ${e.field}`);
      return String(v);
    }
    case 'container':
      if (!ctx.container) throw new TemplateError(`"${node.raw}" is only bound inside for_each = "legacy_containers" or a {{#legacy_containers}} section`);
      return String(ctx.container[e.field as 'name' | 'role']);
    case 'runbook':
      return ctx.runbook[e.field as 'name' | 'host'];
    case 'now':
      return ctx.now ? timestamp(ctx.now) : node.raw;
    case 'env': {
      if (e.name === 'CUTOVER_LAB_DIR') {
        try {
          return labDir(ctx.env);
        } catch (err) {
          throw new TemplateError(`"${node.raw}": ${(err as Error).message}`);
        }
      }
      const v = ctx.env[e.name];
      if (v === undefined) throw new TemplateError(`"${node.raw}": environment variable ${e.name} is not set`);
      return v;
    }
    case 'ip':
      return resolvers.ip ? resolvers.ip(e.container) : node.raw;
    case 'baseline':
      return resolvers.baseline ? resolvers.baseline(e.field, ctx.identity?.slug) : node.raw;
  }
}

export function renderTemplate(text: string, ctx: TemplateContext, resolvers: TemplateResolvers = {}): string {
  const render = (nodes: Node[], c: TemplateContext): string =>
    nodes
      .map((n) => {
        if (n.kind === 'text') return n.text;
        if (n.kind === 'expr') return evaluate(n, c, resolvers);
        if (n.name === 'identities') return (c.identities ?? []).map((identity) => render(n.children, { ...c, identity })).join('');
        return (c.legacyContainers ?? []).map((container) => render(n.children, { ...c, container })).join('');
      })
      .join('');
  return render(parse(text), ctx);
}

/** Unresolved run-time placeholders as readable markers for `plan`: `<ip of posta>`, `<baseline public_key>`, `<now>`. */
export function markRuntime(text: string): string {
  return text
    .replace(/\{\{\s*ip\(\s*["']([^"']*)["']\s*\)\s*\}\}/g, '<ip of $1>')
    .replace(/\{\{\s*baseline\.([A-Za-z_]+)\s*\}\}/g, '<baseline $1>')
    .replace(/\{\{\s*(now|timestamp)\s*\}\}/g, '<$1>');
}
