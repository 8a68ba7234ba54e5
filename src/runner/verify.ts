// A step's own `verify` conditions, checked right after it succeeded: the same Gatus-style grammar as smoke
// checks, read over the step's result instead of an HTTP response. A failed condition fails the step (and so
// puts it in the rollback plan as possibly partly applied). Pure.
import { evaluateText, type ConditionResponse } from '../../checks/conditions.ts';
import type { ActionResult } from '../actions/types.ts';

/**
 * The step's result as the conditions see it: `status` is the exit status (exec: the command's own; any other
 * action: 0, it succeeded), `time` the step's duration, `body` a JSON document of the summary and the action's
 * details (exec: stdout, stderr, exitCode), so `body.stdout contains "ok"` or `body.summary contains "sha256 ok"`.
 */
export function stepResponse(result: ActionResult, durationMs: number): ConditionResponse {
  const details = result.details && typeof result.details === 'object' && !Array.isArray(result.details) ? (result.details as Record<string, unknown>) : {};
  const status = typeof details.exitCode === 'number' ? details.exitCode : 0;
  return { status, headers: {}, body: JSON.stringify({ summary: result.summary, ...details }), timeMs: durationMs };
}

/** null when every condition holds; else one line per failed condition: what was expected and what was read. */
export function failedVerify(conditions: readonly string[], result: ActionResult, durationMs: number): string | null {
  const res = stepResponse(result, durationMs);
  const failed = conditions.map((c) => evaluateText(c, res)).filter((r) => !r.ok);
  return failed.length ? failed.map((r) => `${r.expected} (got ${r.actual})`).join('; ') : null;
}
