// Records the baseline before a cutover: for each identity the values smoke conditions compare against
// ({{baseline.public_key}} ← the actor doc's publicKey), read at the serving container, plus its token rows.
import type { Http, Instance, Runtime } from '../src/ports.ts';
import { instanceRef } from '../src/runbook/instance-ref.ts';
import type { IdentityDecl, Runbook } from '../src/runbook/schema.ts';
import { HttpFailure } from '../src/adapters/http.ts';
import { parseDurationMs, select, selectorText } from './conditions.ts';
import { baselineRefs, hashToken, maskToken, worldOfInstances, type Baseline, type IdentityBaseline } from './baseline.ts';
import type { Phase } from './context.ts';
import { probeTarget } from './smoke.ts';
import { readTokenDb, tokenDbLocation } from './tokens.ts';

export interface RecordOptions {
  phase: Phase;
  instances: Instance[];
  env: Record<string, string | undefined>;
  now: Date;
  /** The journal run recording it (the baseline step), or null (`status --baseline`): problem lines name it. */
  runId?: number | null;
}

/** Captures everything or fails naming each identity and what went wrong (a partial baseline is never saved). */
export async function recordBaseline(runbook: Runbook, deps: { runtime: Runtime; http: Http }, opts: RecordOptions): Promise<Baseline> {
  const problems: string[] = [];
  const entries = await Promise.all(
    runbook.identities.map(async (identity) => {
      const [values, tokens] = await Promise.all([
        captureValues(runbook, deps.http, identity, opts).catch((err: Error) => {
          problems.push(`${identity.slug}: ${err.message}`);
          return {};
        }),
        readTokens(runbook, deps.runtime, identity, opts).catch((err: Error) => {
          problems.push(`${identity.slug}: ${err.message}`);
          return null;
        }),
      ]);
      return [identity.slug, { values, tokens: tokens?.tokens ?? [], schemaVersion: tokens?.schemaVersion ?? null }] as const;
    }),
  );
  if (problems.length > 0) throw new Error(`cannot record the baseline:\n  ${problems.join('\n  ')}`);
  return {
    runbook: runbook.runbook.name,
    recordedAt: opts.now.toISOString(),
    identities: Object.fromEntries(entries) as Record<string, IdentityBaseline>,
    world: { instances: worldOfInstances(opts.instances, runbook.containers.map((c) => c.name)) },
    ...(opts.runId !== undefined ? { runId: opts.runId } : {}),
  };
}

async function captureValues(runbook: Runbook, http: Http, identity: IdentityDecl, opts: RecordOptions): Promise<Record<string, string>> {
  const values: Record<string, string> = {};
  for (const check of runbook.smoke) {
    const refs = check.conditions.flatMap(baselineRefs);
    if (refs.length === 0) continue;
    const target = probeTarget(runbook, { identity, check, vantage: 'local' }, opts);
    let res;
    try {
      res = await http.request({ url: target.url, method: check.method, host: target.host, timeoutMs: parseDurationMs(check.timeout) ?? undefined });
    } catch (err) {
      throw new Error(`${check.name} check at ${target.url}: ${err instanceof HttpFailure ? err.message : (err as Error).message}`);
    }
    if (res.status >= 400) throw new Error(`${check.name} check at ${target.url}: status ${res.status}`);
    for (const ref of refs) {
      const got = select(ref.selector, res);
      if ('error' in got) throw new Error(`${check.name} check: ${selectorText(ref.selector)}: ${got.error}`);
      values[ref.name] = typeof got.value === 'string' ? got.value : JSON.stringify(got.value);
    }
  }
  return values;
}

async function readTokens(runbook: Runbook, runtime: Runtime, identity: IdentityDecl, opts: RecordOptions) {
  const where = tokenDbLocation(runbook, identity, opts.phase, opts.env);
  const read = await readTokenDb(runtime, where.container, where.path, runbook.tokens, undefined, instanceRef(runbook, where.container));
  return {
    schemaVersion: read.schemaVersion,
    tokens: read.rows.map((r) => ({ device: r.device, tokenHash: hashToken(r.secret), tokenMasked: maskToken(r.secret), createdAt: r.createdAt, lastSeenAt: r.lastSeenAt })),
  };
}
