// A problem found in a runbook, and the one line an operator reads for it.

export interface Problem {
  file: string;
  /** 1-based line, when the key could be found in the text. */
  line?: number;
  /** 1-based column; set for TOML syntax errors. */
  col?: number;
  /** Key path like `steps[3].container`; empty for syntax errors. */
  path: string;
  message: string;
}

/** `FILE:LINE:COL: message` (syntax), `FILE:LINE: path: message`, or `FILE: path: message` when no line is known. */
export function formatProblem(p: Problem): string {
  if (p.col !== undefined && p.line !== undefined) return `${p.file}:${p.line}:${p.col}: ${p.path ? `${p.path}: ` : ''}${p.message}`;
  const where = p.line !== undefined ? `${p.file}:${p.line}` : p.file;
  return `${where}: ${p.path ? `${p.path}: ` : ''}${p.message}`;
}

/** `['steps', 3, 'container']` → `steps[3].container`. */
export function keyPath(segments: readonly PropertyKey[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else out += out ? `.${String(s)}` : String(s);
  }
  return out;
}

/** Every problem on its own line, then a count: what validate and plan print on stderr. */
export function problemReport(file: string, problems: readonly Problem[]): string {
  return problems.map((p) => formatProblem(p) + '\n').join('') + `${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n`;
}

/** The one message every driver and view gives for a runbook that does not validate: the first ten problems. */
export function invalidRunbookMessage(file: string, problems: readonly Problem[]): string {
  const lines = problems.slice(0, 10).map(formatProblem);
  return `${file} is not a valid runbook:\n  ${lines.join('\n  ')}${problems.length > 10 ? `\n  … ${problems.length - 10} more (cutover validate ${file})` : ''}`;
}
