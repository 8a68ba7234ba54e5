// Preflight: reads the world (src/preflight/world.ts), judges it (src/preflight/rules.ts, pure). Run by `plan`,
// by `apply` and by the cockpit before the first step, which refuse to open the outage window while a blocker
// stands. Changes nothing.
import type { Runbook } from '../runbook/schema.ts';
import type { ResolvedStep } from '../engine/types.ts';
import type { Http, Runtime } from '../ports.ts';
import { buildLocator } from '../runbook/locate.ts';
import { runbookStateDir } from '../paths.ts';
import { createIncusRuntime } from '../adapters/incus.ts';
import { createHttp } from '../adapters/http.ts';
import { fileBaselineStore } from '../../checks/baseline-store.ts';
import { readWorld } from './world.ts';
import { evaluatePreflight, legacyDialers, legacyDialersText, type LegacyDialer } from './rules.ts';
import { getConfig } from '../adapters/caddy.ts';
import { instanceRef } from '../runbook/instance-ref.ts';
import type { PreflightResult } from './types.ts';

export { blockers, formatFacts, formatPreflight, RUNBOOK_CODES, legacyDialers, legacyDialersText, type LegacyDialer } from './rules.ts';
export type { PreflightItem, PreflightResult } from './types.ts';

export interface PreflightOptions {
  runbook: Runbook;
  steps: ResolvedStep[];
  /** The runbook file as given (messages) and its text (line numbers). */
  file: string;
  text: string;
  env: Record<string, string | undefined>;
  stateDir?: string;
  runtime?: Runtime;
  http?: Http;
}

export async function runPreflight(o: PreflightOptions): Promise<PreflightResult> {
  const rb = o.runbook;
  const runtime = o.runtime ?? createIncusRuntime({ env: o.env, ...(rb.runtime.binary ? { binary: rb.runtime.binary } : {}), ...(rb.runtime.remote ? { remote: rb.runtime.remote } : {}) });
  const ownHttp = o.http ? null : createHttp();
  const stateDir = runbookStateDir(rb, o.env, o.stateDir);
  try {
    const facts = await readWorld({ runbook: rb, steps: o.steps, runtime, http: o.http ?? ownHttp!, env: o.env, stateDir, baselines: fileBaselineStore(stateDir) });
    const locate = buildLocator(o.text);
    return evaluatePreflight({ runbook: rb, runbookFile: o.file, steps: o.steps, lineOf: (p) => locate(p)?.line }, facts);
  } finally {
    await ownHttp?.close();
  }
}

export interface OtherSites {
  list: LegacyDialer[];
  /** Legacy containers without an IPv4 now (stopped): dials to their old address cannot be recognised. */
  unresolved: string[];
}

/**
 * The sites of the live Caddy config the runbook does not own that dial one of its legacy containers (for
 * status, verify and report); null when the runbook has no proxy or the live config cannot be read.
 */
export async function otherSitesNow(rb: Runbook, runtime: Pick<Runtime, 'list'>): Promise<OtherSites | null> {
  if (!rb.proxy) return null;
  try {
    const [live, instances] = await Promise.all([getConfig(rb.proxy.admin), runtime.list().catch(() => [])]);
    const legacy = [...new Set([...rb.identities.map((i) => i.legacy_container), ...rb.containers.filter((c) => c.role === 'legacy').map((c) => c.name)])];
    return { list: legacyDialers(rb, live.config, instances), unresolved: legacy.filter((n) => !instances.find((x) => x.name === n)?.ipv4) };
  } catch {
    return null;
  }
}

/**
 * The text status and verify print for it (nothing when there is nothing to say). Containers are named as
 * `incus` is typed: REMOTE:NAME when the runbook has a `[runtime] remote`.
 */
export function otherSitesLines(o: OtherSites | null, rb: Pick<Runbook, 'runtime'>): string[] {
  if (!o || (!o.list.length && !o.unresolved.length)) return [];
  const lines = ['Other sites that dial a legacy container:', ...legacyDialersText(o.list).map((l) => `  ${l}`)];
  if (!o.list.length) lines.push('  none found');
  if (o.unresolved.length) lines.push(`  (${o.unresolved.map((n) => instanceRef(rb, n)).join(', ')} without an address now: sites dialling their old IP cannot be recognised)`);
  return lines;
}
