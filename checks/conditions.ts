// Gatus-style conditions over one HTTP response: `status == 200`, `body.name == "Arne"`,
// `header.content-type contains html`, `time < 500ms`, `len(body.items) > 0`, joined by && and ||.
// Pure: parse once (the runbook validator reports parse errors), evaluate per response.

export const OPERATORS = ['==', '!=', '<=', '>=', '<', '>', 'contains'] as const;
export type Operator = (typeof OPERATORS)[number];

/** What a comparison reads from the response. `path` is a JSON path below the body ("items[0].name"). */
export type Selector =
  | { kind: 'status' }
  | { kind: 'time' }
  | { kind: 'body'; path: PathPart[] }
  | { kind: 'header'; name: string }
  | { kind: 'len'; of: Selector };

export type PathPart = string | number;

export interface Comparison {
  type: 'compare';
  /** The comparison's own text, as written. */
  text: string;
  left: Selector;
  op: Operator;
  /** The right side as a literal string (quotes removed); durations and numbers are read at evaluation. */
  right: string;
}

export type Condition = Comparison | { type: 'and' | 'or'; text: string; parts: Condition[] };

export interface ConditionResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  timeMs: number;
}

export interface ConditionResult {
  ok: boolean;
  /** The condition as written. */
  expected: string;
  /** What the response held for each side that was read, e.g. `status = 404`. */
  actual: string;
}

/** Parses a condition; the error quotes the part that is wrong. */
export function parseCondition(text: string): Condition | { error: string } {
  try {
    return parseOr(text.trim());
  } catch (err) {
    return { error: (err as Error).message };
  }
}

export function isParseError(c: Condition | { error: string }): c is { error: string } {
  return 'error' in c;
}

function parseOr(text: string): Condition {
  const parts = splitTopLevel(text, '||');
  if (parts.length === 1) return parseAnd(text);
  return { type: 'or', text, parts: parts.map(parseAnd) };
}

function parseAnd(text: string): Condition {
  const parts = splitTopLevel(text, '&&');
  if (parts.length === 1) return parseComparison(text);
  return { type: 'and', text, parts: parts.map(parseComparison) };
}

/** Splits on `sep` outside double quotes; every piece must be non-empty. */
function splitTopLevel(text: string, sep: string): string[] {
  const out: string[] = [];
  let inQuote = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\' && inQuote) {
      i++;
      continue;
    }
    if (ch === '"') inQuote = !inQuote;
    else if (!inQuote && text.startsWith(sep, i)) {
      out.push(text.slice(start, i).trim());
      start = i + sep.length;
      i += sep.length - 1;
    }
  }
  if (inQuote) throw new Error(`unterminated string in "${text}"`);
  out.push(text.slice(start).trim());
  if (out.length > 1 && out.some((p) => p === '')) throw new Error(`"${sep}" needs a condition on both sides in "${text}"`);
  return out;
}

const OPERATOR_RE = /\s*(==|!=|<=|>=|<|>)\s*|\s+(contains)\s+/;

function parseComparison(text: string): Comparison {
  if (text === '') throw new Error('empty condition');
  const m = OPERATOR_RE.exec(text);
  if (!m) throw new Error(`no operator in "${text}" (expected one of ${OPERATORS.join(' ')})`);
  const leftText = text.slice(0, m.index).trim();
  const rightText = text.slice(m.index + m[0].length).trim();
  if (leftText === '') throw new Error(`missing left side before "${(m[1] ?? m[2])}" in "${text}"`);
  const op = (m[1] ?? m[2]) as Operator;
  if (rightText === '') throw new Error(`missing right side after "${op}" in "${text}"`);
  return { type: 'compare', text, left: parseSelector(leftText), op, right: parseLiteral(rightText) };
}

/** Gatus' own placeholders are accepted too: [STATUS], [BODY].x, [RESPONSE_TIME]. */
const GATUS_ALIASES: [RegExp, string][] = [
  [/^\[STATUS\]/, 'status'],
  [/^\[RESPONSE_TIME\]/, 'time'],
  [/^\[BODY\]/, 'body'],
];

function parseSelector(raw: string): Selector {
  let text = raw;
  for (const [re, to] of GATUS_ALIASES) text = text.replace(re, to);
  const len = /^len\((.*)\)$/.exec(text);
  if (len) return { kind: 'len', of: parseSelector(len[1]!.trim()) };
  if (text === 'status') return { kind: 'status' };
  if (text === 'time') return { kind: 'time' };
  if (text === 'body') return { kind: 'body', path: [] };
  if (text.startsWith('body.') || text.startsWith('body[')) return { kind: 'body', path: parsePath(text.slice(4), raw) };
  if (text.startsWith('header.') && text.length > 7) return { kind: 'header', name: text.slice(7).toLowerCase() };
  throw new Error(`unknown left side "${raw}" (expected status, time, body, body.<path>, header.<name> or len(…))`);
}

/** `.a.b[0].c` → ['a', 'b', 0, 'c']. */
function parsePath(rest: string, raw: string): PathPart[] {
  const parts: PathPart[] = [];
  const re = /\.([^.[\]]+)|\[(\d+)\]/y;
  let pos = 0;
  while (pos < rest.length) {
    re.lastIndex = pos;
    const m = re.exec(rest);
    if (!m) throw new Error(`bad JSON path "${raw}" at "${rest.slice(pos)}"`);
    parts.push(m[1] !== undefined ? m[1] : Number(m[2]));
    pos = re.lastIndex;
  }
  return parts;
}

function parseLiteral(text: string): string {
  if (!text.startsWith('"')) return text;
  if (text.length < 2 || !text.endsWith('"') || text.endsWith('\\"')) throw new Error(`unterminated string ${text}`);
  return text.slice(1, -1).replace(/\\(["\\])/g, '$1');
}

// ── evaluation ──────────────────────────────────────────────────────────────────────────────────────

const MISSING = Symbol('missing');
type Value = unknown;

export function evaluate(cond: Condition, res: ConditionResponse): ConditionResult {
  if (cond.type === 'compare') return compare(cond, res);
  const results = cond.parts.map((p) => evaluate(p, res));
  const ok = cond.type === 'and' ? results.every((r) => r.ok) : results.some((r) => r.ok);
  return { ok, expected: cond.text, actual: results.map((r) => r.actual).join(cond.type === 'and' ? '; ' : ' | ') };
}

/** Parses and evaluates; a parse error is a failed condition that says so. */
export function evaluateText(text: string, res: ConditionResponse): ConditionResult {
  const cond = parseCondition(text);
  if (isParseError(cond)) return { ok: false, expected: text, actual: `invalid condition: ${cond.error}` };
  return evaluate(cond, res);
}

function compare(c: Comparison, res: ConditionResponse): ConditionResult {
  const read = select(c.left, res);
  const label = selectorText(c.left);
  if ('error' in read) return { ok: false, expected: c.text, actual: `${label}: ${read.error}` };
  const value = read.value;
  const actual = `${label} = ${show(value)}`;
  const verdict = apply(c.op, value, c.right, c.left);
  if (typeof verdict === 'string') return { ok: false, expected: c.text, actual: `${actual} (${verdict})` };
  return { ok: verdict, expected: c.text, actual };
}

function apply(op: Operator, value: Value, right: string, left: Selector): boolean | string {
  if (op === 'contains') {
    if (Array.isArray(value)) return value.some((v) => scalarText(v) === right);
    return scalarText(value).includes(right);
  }
  const rightNum = left.kind === 'time' ? parseDurationMs(right) : numberOf(right);
  const leftNum = typeof value === 'number' ? value : numberOf(scalarText(value));
  if (op === '==' || op === '!=') {
    const equal = rightNum !== null && leftNum !== null ? leftNum === rightNum : scalarText(value) === right;
    return op === '==' ? equal : !equal;
  }
  if (leftNum === null) return 'left side is not a number';
  if (rightNum === null) return `"${right}" is not a number${left.kind === 'time' ? ' or duration' : ''}`;
  switch (op) {
    case '<':
      return leftNum < rightNum;
    case '<=':
      return leftNum <= rightNum;
    case '>':
      return leftNum > rightNum;
    case '>=':
      return leftNum >= rightNum;
  }
}

/** Reads what a selector points at in a response (also used to capture baseline values). */
export function select(s: Selector, res: ConditionResponse): { value: Value } | { error: string } {
  switch (s.kind) {
    case 'status':
      return { value: res.status };
    case 'time':
      return { value: Math.round(res.timeMs) };
    case 'header': {
      const key = Object.keys(res.headers).find((k) => k.toLowerCase() === s.name);
      return key === undefined ? { error: 'header absent' } : { value: res.headers[key] };
    }
    case 'body': {
      if (s.path.length === 0) return { value: res.body };
      let doc: unknown;
      try {
        doc = JSON.parse(res.body);
      } catch {
        return { error: `body is not JSON (${show(res.body.slice(0, 40))})` };
      }
      const v = walk(doc, s.path);
      return v === MISSING ? { error: 'absent in body' } : { value: v };
    }
    case 'len': {
      const inner = select(s.of, res);
      if ('error' in inner) return inner;
      const v = inner.value;
      if (Array.isArray(v) || typeof v === 'string') return { value: v.length };
      if (v && typeof v === 'object') return { value: Object.keys(v).length };
      return { error: `len() of ${show(v)}` };
    }
  }
}

function walk(doc: unknown, path: PathPart[]): unknown {
  let cur: unknown = doc;
  for (const part of path) {
    if (cur === null || typeof cur !== 'object') return MISSING;
    const next = (cur as Record<string | number, unknown>)[part];
    if (next === undefined || (typeof part === 'number' && !Array.isArray(cur))) return MISSING;
    cur = next;
  }
  return cur;
}

export function selectorText(s: Selector): string {
  switch (s.kind) {
    case 'status':
    case 'time':
      return s.kind;
    case 'header':
      return `header.${s.name}`;
    case 'body':
      return 'body' + s.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('');
    case 'len':
      return `len(${selectorText(s.of)})`;
  }
}

function scalarText(v: Value): string {
  if (typeof v === 'string') return v;
  if (v === null || typeof v !== 'object') return String(v);
  return JSON.stringify(v);
}

function show(v: Value): string {
  const t = typeof v === 'string' ? JSON.stringify(v) : scalarText(v);
  return t.length > 60 ? t.slice(0, 57) + '…' : t;
}

function numberOf(text: string): number | null {
  if (!/^-?\d+(\.\d+)?$/.test(text.trim())) return null;
  return Number(text);
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "500ms", "3s", "2m" → milliseconds; a bare number is milliseconds. Null when it is neither. */
export function parseDurationMs(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!m) return null;
  return Number(m[1]) * UNIT_MS[m[2] ?? 'ms']!;
}
