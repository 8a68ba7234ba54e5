// exec: run a command in a container and check its exit status.
import { z } from 'zod';
import { tmpl } from '../runbook/schema.ts';
import { container, list, q } from '../runbook/plan-text.ts';
import type { Action } from './types.ts';
import { execChecked } from './inside.ts';
import { str, strList } from './params.ts';

/** How much of an exec's stdout/stderr its verify conditions can read. */
const EXEC_DETAIL_LIMIT = 64 * 1024;

export const exec: Action = {
  params: z.strictObject({ container: tmpl, argv: z.array(z.string()).min(1), expect_exit: z.number().int().default(0) }),
  example: { container: 'posta', argv: ['rc-update', 'add', 'posta'] },
  doc: {
    keys: '`container`, `argv` (array, never a shell string), `expect_exit` (0)',
    does: 'output streamed line by line',
  },
  plan: (p, rb) => [`incus exec ${container(p, rb)} -- ${list(p, 'argv').map(q).join(' ')}${p.expect_exit ? `   (expect exit ${String(p.expect_exit)})` : ''}`],
  undo: { kind: 'none', reason: 'an arbitrary command: what it changed is unknown to cutover; a rollback step the runbook names undoes it' },
  preflight: { none: 'an arbitrary command: nothing can be judged before it runs beyond the container itself (container-missing)' },
  onceOnly: true,
  async run(step, ctx) {
    const container = await str(step, ctx, 'container');
    const argv = await strList(step, ctx, 'argv');
    const expect = typeof step.params.expect_exit === 'number' ? step.params.expect_exit : 0;
    const r = await execChecked(ctx, container, argv, expect);
    const last = r.stdout.trim().split('\n').pop() ?? '';
    // The output, for the step's own verify conditions (body.stdout …); capped, never journaled.
    const cap = (t: string) => (t.length > EXEC_DETAIL_LIMIT ? t.slice(0, EXEC_DETAIL_LIMIT) : t);
    return { summary: `${argv[0]} exited ${r.exitCode}${last ? `: ${last.slice(0, 80)}` : ''}`, changed: { container, argv }, details: { exitCode: r.exitCode, stdout: cap(r.stdout), stderr: cap(r.stderr) } };
  },
};
