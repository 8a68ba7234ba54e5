// {{env.X}} in the runbook's settings (proxy.caddyfile, proxy.binary, runtime.binary, runbook.state_dir), so a
// lab runbook can say "{{env.CUTOVER_LAB_DIR}}/caddy/Caddyfile". Rendered once at load; pure.
import type { Runbook } from './schema.ts';
import { renderTemplate } from './template.ts';

const FIELDS = [
  ['proxy', 'caddyfile'],
  ['proxy', 'binary'],
  ['proxy', 'public_url'],
  ['runtime', 'binary'],
  ['runbook', 'state_dir'],
] as const;

/** Renders the settings in place; returns the problems as {path, message}. */
export function renderSettings(runbook: Runbook, env: Record<string, string | undefined>): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  for (const [section, field] of FIELDS) {
    const holder = runbook[section] as Record<string, unknown> | undefined;
    const v = holder?.[field];
    if (!holder || typeof v !== 'string' || !v.includes('{{')) continue;
    try {
      holder[field] = renderTemplate(v, { runbook: { name: runbook.runbook.name, host: runbook.runbook.host }, env });
    } catch (err) {
      problems.push({ path: `${section}.${field}`, message: (err as Error).message });
    }
  }
  return problems;
}
