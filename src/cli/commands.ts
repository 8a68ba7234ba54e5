// Every command once, as data: drives dispatch, `cutover --help` and lazy loading (heavy modules such as
// ink or better-sqlite3 are only imported by the commands that need them).
import type { CliIO } from '../contract/io.ts';
import type { Outcome } from '../contract/outcome.ts';

export interface CommandModule {
  /** Full help text: usage line, description, options, exit codes. */
  help: string;
  /** The outcome code; src/cli/exit-status.ts turns it into the exit status. */
  run(argv: string[], io: CliIO): Promise<Outcome>;
}

export interface CommandEntry {
  name: string;
  summary: string;
  load: () => Promise<CommandModule>;
}

export const COMMANDS: CommandEntry[] = [
  { name: 'validate', summary: 'check a runbook: schema and references (exit 0 valid, 2 invalid)', load: () => import('../commands/validate.ts') },
  { name: 'plan', summary: 'show the resolved steps, commands and rollback; changes nothing', load: () => import('../commands/plan.ts') },
  { name: 'schema', summary: 'print the runbook JSON Schema (for editors)', load: () => import('../commands/schema.ts') },
  { name: 'status', summary: 'one snapshot of every panel (exit 0 green, 1 red, 2 error)', load: () => import('../commands/status.ts') },
  { name: 'verify', summary: 'post-cutover verification (exit 0 pass, 1 fail, 2 error)', load: () => import('../commands/verify.ts') },
  { name: 'run', summary: 'the cockpit: drive the cutover from one screen (needs a TTY)', load: () => import('../commands/run.ts') },
  { name: 'watch', summary: 'the cockpit, read-only, following a running cutover', load: () => import('../commands/watch.ts') },
  { name: 'apply', summary: 'run the steps non-interactively', load: () => import('../commands/apply.ts') },
  { name: 'rollback', summary: 'run the rollback plan for what was done', load: () => import('../commands/rollback.ts') },
  { name: 'report', summary: 'markdown report of a run', load: () => import('../commands/report.ts') },
  { name: 'journal', summary: 'history of runs and steps', load: () => import('../commands/journal.ts') },
  { name: 'review', summary: 'summarise the new container\'s logs for the stability window', load: () => import('../commands/review.ts') },
  { name: 'lab', summary: 'the rehearsal lab: up | down | status | fault', load: () => import('../commands/lab.ts') },
  { name: 'backup', summary: 'back up a stateful module before a change (classes A–G, S)', load: () => import('../commands/backup.ts') },
  { name: 'restore', summary: 'restore a backup', load: () => import('../commands/restore.ts') },
  { name: 'drill', summary: 'backup + restore into a scratch target + compare', load: () => import('../commands/drill.ts') },
  { name: 'audit', summary: 'stateful modules, their class, size, last backup and drill', load: () => import('../commands/audit.ts') },
];
