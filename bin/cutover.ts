#!/usr/bin/env node
// Entry point: owns process exit. Terminal teardown for the cockpit is installed by the run/watch commands.
import { main } from '../src/cli/main.ts';
import { processIO } from '../src/contract/io.ts';

const code = await main(process.argv.slice(2), processIO());
process.exitCode = code;
