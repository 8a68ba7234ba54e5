// gate.stability: the decommission waits until the cutover has been stable for a window (or a waiver).
import { z } from 'zod';
import { duration, slug } from '../schema.ts';
import type { ActionDescriptor } from './types.ts';
import { str } from './plan-text.ts';

export const gateStability: ActionDescriptor = {
  params: z.strictObject({
    window: duration.default('7d'),
    /** Runbook whose recorded cutover end starts the window (e.g. the cutover this decommission follows); default this one. */
    since: slug.optional(),
    /** Minimums of the verification history (cutover verify --every) below which the gate blocks: "90%", "0". */
    min_coverage: z.string().regex(/^\d+(\.\d+)?%$/, 'a percentage, e.g. "90%"').optional(),
    max_red: z.string().regex(/^\d+$/, 'a whole number of red periods, e.g. "0"').optional(),
  }),
  example: { window: '7d' },
  plan: (p) => [`wait until ${str(p, 'window')} have passed since the recorded end of ${p.since ? `runbook ${str(p, 'since')}` : 'this cutover'} (or record a waiver with its reason)`],
  undo: { kind: 'none', reason: 'a gate: it changes nothing (a waiver is journaled)' },
  preflight: { none: 'the gate itself is the check: it reads the journal when it runs' },
  cockpit: { bindings: ['waive'], failed: { hint: 'w waives the window with a typed reason (journaled), or wait.' } },
  onceOnly: true,
  readOnly: true,
};
