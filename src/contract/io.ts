// What a command needs from the process, passed in so commands stay testable and one place owns exit.
import type { FailureOutcome } from './outcome.ts';

export interface CliIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number; rows?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
  debug: boolean;
  /** Ends the process at once (a signal or a crash in the cockpit). Supplied by bin/, the one owner of exit. */
  exit: (code: number) => never;
}

/** An error meant for the operator: printed without a stack trace; its outcome decides the exit status. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly outcome: FailureOutcome = 'bad-input',
  ) {
    super(message);
    this.name = 'CliError';
  }
}
