// What a command ended with, as a code: commands return one, operator errors carry one, and src/cli's table
// (src/cli/exit-status.ts) alone turns it into the process exit status. Nothing matches on message text.
export const OUTCOMES = {
  ok: 'done as asked; everything checked is green',
  red: 'a check ran and found something wrong',
  failed: 'a step, undo, restore or drill failed',
  incomplete: 'a rollback ran but did not end on the proven legacy path',
  refused: 'the world stands in the way: a held lease, a preflight blocker, a run that must be rolled back first',
  usage: 'bad command-line arguments or a missing confirmation flag',
  'bad-input': 'a runbook, state dir or file that is invalid or missing',
  'cannot-check': 'the runtime, proxy or journal could not be read, so nothing was judged',
  internal: 'an unexpected error (a bug: run with --debug for the stack)',
} as const;

export type Outcome = keyof typeof OUTCOMES;
export type FailureOutcome = Exclude<Outcome, 'ok'>;

export function isOutcome(v: unknown): v is Outcome {
  return typeof v === 'string' && Object.hasOwn(OUTCOMES, v);
}

/** A check's three-valued verdict (true green, false red, null could not check) as an outcome. */
export function verdictOutcome(ok: boolean | null): Outcome {
  return ok === true ? 'ok' : ok === false ? 'red' : 'cannot-check';
}
