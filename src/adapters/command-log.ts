// The argv each adapter really runs, reported to whoever asked for it around a piece of work: the runner wraps
// a step's execution in withCommandLog(), so the journal's "$ …" lines are the commands that ran (secrets are
// masked by the journal's redactor), not a paraphrase. Work outside such a call (the cockpit's polling) is
// not reported. AsyncLocalStorage keeps concurrent work apart without passing a logger through every port.
import { AsyncLocalStorage } from 'node:async_hooks';
import { basename } from 'node:path';

export type CommandListener = (argv: readonly string[]) => void;

const listeners = new AsyncLocalStorage<CommandListener>();

export function withCommandLog<T>(listener: CommandListener, work: () => Promise<T>): Promise<T> {
  return listeners.run(listener, work);
}

/** Called by an adapter right before it spawns `binary args…`; the binary is shown by its file name. */
export function logCommand(binary: string, args: readonly string[]): void {
  listeners.getStore()?.([basename(binary), ...args]);
}
