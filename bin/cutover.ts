#!/usr/bin/env node
// Entry point: the one owner of process exit (commands return a code; the cockpit's signal and crash handlers
// end the process through io.exit). Terminal teardown for the cockpit is installed by the run/watch commands.
import { main } from '../src/cli/main.ts';
import type { CliIO } from '../src/contract/io.ts';

const io: CliIO = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd(), debug: false, exit: (code) => process.exit(code) };
const code = await main(process.argv.slice(2), io);
process.exitCode = code;
