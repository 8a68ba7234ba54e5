// logs.review: the new container's daemon logs for the window: restarts, panics, per-identity errors; anything
// found needs the operator's acknowledgement (ActionError code 'not-acknowledged' when it is refused).
import { z } from 'zod';
import { tmpl } from '../runbook/schema.ts';
import { container } from '../runbook/plan-text.ts';
import type { Action } from './types.ts';
import { ActionError } from './types.ts';
import { str } from './params.ts';
import { reviewLogs, type LogSourceDecl } from '../../checks/logs.ts';
import { renderSummary, summaryLine } from '../../checks/logs-summary.ts';
import { gateSince } from './gate-stability.ts';
import { instanceRef } from '../runbook/instance-ref.ts';

export const logsReview: Action = {
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
  doc: {
    keys: '`container`, `sources` (array of `{ kind = "file"|"openrc"|"journalctl"|"incus", path, unit }`)',
    does: "summarises the new daemon's logs: restarts, panics, errors per identity, counts per day; asks for acknowledgement",
  },
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
  async run(step, ctx) {
    const container = await str(step, ctx, 'container');
    const sources = (Array.isArray(step.params.sources) ? step.params.sources : []) as LogSourceDecl[];
    const { since } = gateSince(ctx);
    const end = ctx.decommission ? await ctx.decommission.cutoverEnd(since) : null;
    const review = await reviewLogs(ctx.runtime, container, sources, { from: end?.at ?? null, to: ctx.now(), identities: ctx.runbook.identities.map((i) => i.slug), shownAs: instanceRef(ctx.runbook, container) });
    for (const s of review.sources) ctx.emit({ kind: 'output', line: `${s.ok ? '✓' : '✗'} ${s.source}: ${s.lines} line(s)${s.note ? ` (${s.note})` : ''}` });
    for (const line of renderSummary(review.summary)) ctx.emit({ kind: 'output', line });
    if (!review.sources.some((s) => s.ok)) {
      throw new ActionError(`${container}: no log source could be read (${review.sources.map((s) => `${s.source}: ${s.note ?? 'empty'}`).join('; ')}); the review cannot be done`);
    }
    const line = summaryLine(review.summary);
    const s = review.summary;
    let acknowledged = false;
    if (!s.clean) {
      const prompt = `${container}'s logs since ${end ? new Date(end.at).toISOString() : 'the beginning'}: ${line}. These are the lines \`cutover review\` shows. Acknowledge them and go on with the decommission?`;
      ctx.emit({ kind: 'output', line: `acknowledgement needed: ${prompt}` });
      const given = ctx.decommission?.acknowledgeLogs;
      const ok = given === undefined ? await ctx.confirm(prompt) : given;
      if (!ok) {
        const how = given === undefined ? '' : ' (apply: pass --acknowledge-logs once you have read them)';
        throw new ActionError(`log review not acknowledged: ${line}; postpone, or read the lines with cutover review${how}`, undefined, 'not-acknowledged');
      }
      acknowledged = true;
    }
    return {
      summary: `${s.clean ? 'logs clean' : 'logs acknowledged'}: ${line}`,
      changed: {
        container,
        from: s.window.from,
        to: s.window.to,
        sources: review.sources,
        lines: s.lines,
        starts: s.starts,
        restarts: s.restarts.length,
        panics: s.panics.length,
        errors: s.errors.length,
        perIdentity: s.perIdentity.map((g) => ({ identity: g.identity, count: g.count })),
        perDay: s.perDay,
        clean: s.clean,
        acknowledged,
      },
      details: review,
    };
  },
};
