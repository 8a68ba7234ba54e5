// The one table from outcome codes to process exit statuses (0 ok, 1 something failed or is red, 2 bad input or
// cannot check). Only src/cli reads it; bin/ sets the status.
import type { Outcome } from '../contract/outcome.ts';

export const EXIT_STATUS: Record<Outcome, 0 | 1 | 2> = {
  ok: 0,
  red: 1,
  failed: 1,
  incomplete: 1,
  refused: 1,
  usage: 2,
  'bad-input': 2,
  'cannot-check': 2,
  internal: 2,
};
