// What the checks share: the runbook's declared things looked up by role, and per-identity templating.
import type { Instance } from '../src/ports.ts';
import type { IdentityDecl, Runbook } from '../src/runbook/schema.ts';
import { renderTemplate } from '../src/runbook/template.ts';
import { baselineResolver, type Baseline } from './baseline.ts';

/** before: the legacy containers serve; after: the target serves (Caddy points at it). */
export type Phase = 'before' | 'after';

export function targetName(runbook: Runbook): string | null {
  return runbook.containers.find((c) => c.role === 'target')?.name ?? null;
}

/** The container serving an identity in a phase: its legacy container before, the target after. */
export function servingContainer(runbook: Runbook, identity: IdentityDecl, phase: Phase): string {
  return phase === 'after' ? (targetName(runbook) ?? identity.legacy_container) : identity.legacy_container;
}

/** Renders a runbook template for one identity; ip("x") from the listed instances, baseline from the record. */
export function renderForIdentity(
  text: string,
  runbook: Runbook,
  identity: IdentityDecl,
  env: Record<string, string | undefined>,
  opts: { instances?: Instance[]; baseline?: Baseline | null } = {},
): string {
  return renderTemplate(
    text,
    { runbook: { name: runbook.runbook.name, host: runbook.runbook.host }, identity: { ...identity }, env },
    {
      ip: (name) => {
        const ip = opts.instances?.find((i) => i.name === name)?.ipv4;
        if (!ip) throw new Error(`container "${name}" has no IPv4 address (is it running?)`);
        return ip;
      },
      baseline: baselineResolver(opts.baseline ?? null),
    },
  );
}
