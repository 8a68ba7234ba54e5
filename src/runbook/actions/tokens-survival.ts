// tokens.survival: every device token of the baseline is still there (and in use) in the target's token DB.
import { z } from 'zod';
import type { ActionDescriptor } from './types.ts';
import { forIdentity, identitiesOf } from './plan-text.ts';

export const tokensSurvival: ActionDescriptor = {
  params: z.strictObject({
    /** Limit to these identity slugs; default all identities. */
    identities: z.array(z.string()).optional(),
  }),
  example: {},
  plan: (p, rb) => {
    const t = rb.tokens;
    return identitiesOf(p, rb).map(
      (idn) => `sqlite3 -readonly ${t ? forIdentity(t.db, rb, idn) : '<no [tokens]>'} 'SELECT ${t?.name_column}, ${t?.last_seen_column} FROM ${t?.table}'   (${idn.slug}: baseline rows present, last_seen advancing)`,
    );
  },
  undo: { kind: 'none', reason: 'read-only: it changes nothing' },
  needs: 'tokens',
  preflight: { none: 'it compares against the baseline recorded by the baseline step; [tokens] is checked when the runbook is validated' },
  readOnly: true,
};
