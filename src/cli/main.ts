// argv → command. Owns nothing but dispatch and error printing; bin/ owns process exit and terminal teardown.
import { COMMANDS } from './commands.ts';
import { CliError, type CliIO } from '../contract/io.ts';
import { VERSION } from './version.ts';
import { EXIT_STATUS } from './exit-status.ts';
import type { Outcome } from '../contract/outcome.ts';

export function globalHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'Usage: cutover <command> [options]',
    '',
    'A terminal cockpit for live service migrations on Incus + Caddy hosts.',
    '',
    'Commands:',
    ...lines,
    '',
    'Global options:',
    '  -h, --help     show help (also: cutover <command> --help)',
    '  --version      print the version',
    '  --debug        print stack traces on errors',
    '',
    'Exit codes: 0 ok, 1 something failed or is red, 2 bad input or cannot check.',
    '',
  ].join('\n');
}

export async function main(argv: string[], io: CliIO): Promise<number> {
  const args = argv.filter((a) => a !== '--debug');
  io.debug = io.debug || args.length !== argv.length;
  const [name, ...rest] = args;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined;
    if (topic) return main([topic, '--help'], io);
    io.stdout.write(globalHelp());
    return exitStatus(name === undefined ? 'usage' : 'ok');
  }
  if (name === '--version' || name === '-V') {
    io.stdout.write(`cutover ${VERSION}\n`);
    return exitStatus('ok');
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    io.stderr.write(`cutover: unknown command "${name}"${suggest(name)}. See cutover --help.\n`);
    return exitStatus('usage');
  }
  try {
    const mod = await entry.load();
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout.write(mod.help.endsWith('\n') ? mod.help : mod.help + '\n');
      return exitStatus('ok');
    }
    return exitStatus(await mod.run(rest, io));
  } catch (err) {
    return reportError(err, io);
  }
}

/** The process exit status of an outcome: the one place outcomes become numbers. */
export function exitStatus(outcome: Outcome): number {
  return EXIT_STATUS[outcome];
}

export function reportError(err: unknown, io: CliIO): number {
  if (err instanceof CliError) {
    io.stderr.write(`cutover: ${err.message}\n`);
    if (io.debug && err.stack) io.stderr.write(err.stack + '\n');
    return exitStatus(err.outcome);
  }
  const e = err instanceof Error ? err : new Error(String(err));
  io.stderr.write(`cutover: ${e.message}\n`);
  if (io.debug) io.stderr.write((e.stack ?? '') + '\n');
  else io.stderr.write('(run with --debug for details)\n');
  return exitStatus('internal');
}

function suggest(name: string): string {
  const close = COMMANDS.map((c) => c.name).find((c) => c.startsWith(name.slice(0, 3)));
  return close ? ` (did you mean "${close}"?)` : '';
}
