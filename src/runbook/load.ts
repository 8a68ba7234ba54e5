// Reads a runbook and reports every problem in it with its place in the file: TOML syntax, schema,
// references, templates. `checkRunbookText` is the pure part; `loadRunbook` only adds the file read.
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import TOML from '@iarna/toml';
import type { Runbook } from './schema.ts';
import type { Problem } from './problems.ts';
import type { ResolvedStep } from '../engine/types.ts';
import { buildLocator } from './locate.ts';
import { checkShape, type ShapeProblem } from './shape.ts';
import { checkSemantics } from './semantics.ts';
import { checkReferences, checkResolved, type ConditionParser } from './references.ts';
import { expandSteps } from './expand.ts';
import { renderSettings } from './settings.ts';
import { parseCondition, isParseError } from './conditions.ts';
import type { ActionCatalog } from './catalog.ts';

/** Condition syntax check with checks/conditions.ts (pure). Templates are stood in by a word first. */
export const checkConditionSyntax: ConditionParser = (condition) => {
  const parsed = parseCondition(condition.replace(/\{\{[^}]*\}\}/g, 'X'));
  if (isParseError(parsed)) throw new Error(parsed.error);
};

export interface LoadOptions {
  /** The actions a step may name (src/actions/index.ts CATALOG; a test may add its own). */
  catalog: ActionCatalog;
  env?: Record<string, string | undefined>;
  /** Resolves {{now}} in the plan; absent = left for run time. */
  now?: Date;
  /** Checks one condition's syntax, throwing with a message when bad. Default: checkConditionSyntax. */
  parseCondition?: ConditionParser;
}

export interface LoadResult {
  runbook?: Runbook;
  /** The resolved plan; set when there are no problems. */
  steps?: ResolvedStep[];
  problems: Problem[];
  text: string;
  sha256: string;
}

function syntaxProblem(file: string, err: unknown): Problem {
  const e = err as { message?: string; line?: number; col?: number };
  const message = (e.message ?? String(err)).split('\n')[0]!.replace(/ at row \d+, col \d+, pos \d+:?$/, '');
  return { file, line: (e.line ?? 0) + 1, col: (e.col ?? 0) + 1, path: '', message: `TOML syntax error: ${message}` };
}

export function checkRunbookText(text: string, file: string, opts: LoadOptions): LoadResult {
  const sha256 = createHash('sha256').update(text).digest('hex');
  let data: unknown;
  try {
    data = TOML.parse(text);
  } catch (err) {
    return { problems: [syntaxProblem(file, err)], text, sha256 };
  }
  const locate = buildLocator(text);
  const lineOf = (path: string) => locate(path)?.line;
  const located = (list: ShapeProblem[]): Problem[] => list.map((p) => ({ file, path: p.path, message: p.message, ...(lineOf(p.path) ? { line: lineOf(p.path)! } : {}) }));

  const shape = checkShape(data, opts.catalog);
  const problems = located(shape.problems);
  const runbook = shape.runbook;
  if (!runbook) return { problems: sortByLine(problems), text, sha256 };

  problems.push(...located(renderSettings(runbook, opts.env ?? {})));
  problems.push(...located(checkReferences(runbook, { catalog: opts.catalog, lineOf, parseCondition: opts.parseCondition ?? checkConditionSyntax })));
  problems.push(...located(checkSemantics(runbook)));
  // Expand even when references failed, so problems only visible after templates resolve are listed too;
  // a template error already reported at the same key is not repeated.
  const reported = new Set(problems.map((p) => p.path));
  const steps = expandSteps(runbook, {
    catalog: opts.catalog,
    env: opts.env ?? {},
    ...(opts.now ? { now: opts.now } : {}),
    lineOf: (i) => lineOf(`steps[${i}]`),
    onError: (err) => {
      if (!reported.has(err.path)) problems.push(...located([{ path: err.path, message: err.message }]));
    },
  });
  problems.push(...located(checkResolved(runbook, steps)));
  return problems.length ? { runbook, problems: sortByLine(problems), text, sha256 } : { runbook, steps, problems, text, sha256 };
}

function sortByLine(problems: Problem[]): Problem[] {
  return [...problems].sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
}

/** Reads and checks a runbook file. `file` in problems is the path as given. */
export function loadRunbook(path: string, opts: LoadOptions): LoadResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    return { problems: [{ file: path, path: '', message: `cannot read runbook: ${why}` }], text: '', sha256: '' };
  }
  return checkRunbookText(text, path, opts);
}
