// Placeholder until its issue lands: says so plainly instead of pretending.
import { CliError } from '../cli/io.ts';

export const help = `Usage: cutover restore …

Not built yet.
`;

export async function run(): Promise<number> {
  throw new CliError('restore: not built yet', 2);
}
