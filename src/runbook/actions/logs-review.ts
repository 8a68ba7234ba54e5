// logs.review: read the target's logs for restarts, panics and per-identity errors; the operator acknowledges.
import { z } from 'zod';
import { tmpl } from '../schema.ts';
import type { ActionDescriptor } from './types.ts';
import { container } from './plan-text.ts';

export const logsReview: ActionDescriptor = {
  params: z.strictObject({
    container: tmpl,
    sources: z
      .array(
        z.strictObject({
          kind: z.enum(['file', 'openrc', 'journalctl', 'incus']),
          path: z.string().optional(),
          unit: z.string().optional(),
        }),
      )
      .min(1),
  }),
  example: { container: 'posta', sources: [{ kind: 'file', path: '/var/log/posta.log' }, { kind: 'openrc' }] },
  plan: (p, rb) => {
    const c = container(p, rb);
    return ((p.sources as { kind: string; path?: string; unit?: string }[]) ?? []).map((s) =>
      s.kind === 'file' ? `incus exec ${c} -- cat ${s.path}   (restarts, panics, per-identity errors)`
      : s.kind === 'openrc' ? `incus exec ${c} -- rc-status --all`
      : s.kind === 'journalctl' ? `incus exec ${c} -- journalctl -u ${s.unit ?? 'posta'} --since -7d`
      : `incus info ${c} --show-log`,
    );
  },
  undo: { kind: 'none', reason: 'read-only: it reads logs and changes nothing' },
  preflight: { none: 'the review is itself the check, run when the step runs' },
  cockpit: { bindings: ['acknowledge'], failed: { code: 'not-acknowledged', hint: 'o shows the lines · a acknowledges them and runs the review again.' } },
  onceOnly: true,
  readOnly: true,
};
