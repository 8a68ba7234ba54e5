// The condition grammar of the runbook (Gatus-style): `status == 200`, `body.name == "Arne"`,
// `header.content-type contains html`, `time < 500ms`, `len(body.items) > 0`, joined by && and ||.
// Pure: the runbook validator parses every condition once; checks/conditions.ts evaluates them per response.

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
