// Thin wrapper over node:util parseArgs that turns its errors into operator-facing CliErrors.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError } from './io.ts';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export function parseCommandArgs<O extends OptionSpec>(command: string, argv: string[], options: O, opts: { positionals?: [number, number] } = {}) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new CliError(`${command}: ${(err as Error).message.replace(/\. To specify a positional.*$/s, '')}. See cutover ${command} --help.`, 'usage');
  }
  const [min, max] = opts.positionals ?? [0, Infinity];
  if (parsed.positionals.length < min) throw new CliError(`${command}: missing argument. See cutover ${command} --help.`, 'usage');
  if (parsed.positionals.length > max) throw new CliError(`${command}: unexpected argument "${parsed.positionals[max]}". See cutover ${command} --help.`, 'usage');
  return parsed as { values: ReturnType<typeof parseArgs<{ options: O; allowPositionals: true; strict: true }>>['values']; positionals: string[] };
}
