// Placeholder until its issue lands: says so plainly instead of pretending.
import { CliError } from '../cli/io.ts';

export const help = `Usage: cutover apply …

Not built yet.
`;

export async function run(): Promise<number> {
  throw new CliError('apply: not built yet', 2);
}
