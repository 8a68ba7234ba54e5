// Gatus-style conditions evaluated over one HTTP response. Pure. The grammar (parse) belongs to the runbook
// (src/runbook/conditions.ts, re-exported here for the checks); this file evaluates a parsed condition.

import { isParseError, parseCondition, type Comparison, type Condition, type Operator, type PathPart, type Selector } from '../src/runbook/conditions.ts';
export { OPERATORS, isParseError, parseCondition, type Comparison, type Condition, type Operator, type PathPart, type Selector } from '../src/runbook/conditions.ts';

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
  /** A single comparison's parts, for problem lines ("body.name: expected "Arne", got "Marcus""). */
  compare?: { selector: string; op: Operator; want: string; got: string };
}

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
  const parts = { selector: label, op: c.op, want: c.right, got: show(value) };
  if (typeof verdict === 'string') return { ok: false, expected: c.text, actual: `${actual} (${verdict})`, compare: { ...parts, got: `${parts.got} (${verdict})` } };
  return { ok: verdict, expected: c.text, actual, compare: parts };
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
