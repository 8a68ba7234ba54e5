// baseline: record what the cutover must keep (actor keys, token rows, Caddyfile dials) before it starts.
import { z } from 'zod';
import type { ActionDescriptor } from './types.ts';

export const baseline: ActionDescriptor = {
  params: z.strictObject({}),
  example: {},
  plan: (_p, rb) => rb.identities.map((idn) => `record ${idn.slug}: actor public key (GET https://${idn.host}/), token rows, Caddyfile dials`),
  undo: { kind: 'none', reason: 'read-only: it records to the state dir and changes nothing' },
  preflight: { none: 'it is itself a reading of the world before the cutover' },
  readOnly: true,
};
