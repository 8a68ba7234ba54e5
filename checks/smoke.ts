// Smoke: every identity × smoke check × vantage, all at once. local = straight to the serving container's
// IP with the identity's Host header; public = through the proxy (proxy.public_url, default https://{host}).
// Each result is reported as it arrives, so one slow identity never holds back the others.
import type { Http, HttpResponse, Instance } from '../src/ports.ts';
import type { IdentityDecl, Runbook, SmokeCheck } from '../src/runbook/schema.ts';
import { HttpFailure } from '../src/adapters/http.ts';
import type { SmokeItem, Vantage } from './types.ts';
import { evaluateText, parseDurationMs, type ConditionResponse, type ConditionResult } from './conditions.ts';
import { BASELINE_PENDING, baselineSource, MissingBaseline, shortValue, type Baseline } from './baseline.ts';
import { renderForIdentity, type Phase, servingContainer } from './context.ts';
import { instanceRef } from '../src/runbook/instance-ref.ts';

export interface SmokeOptions {
  phase: Phase;
  /** Listed once by the caller (container IPs for the local vantage). */
  instances: Instance[];
  baseline: Baseline | null;
  env: Record<string, string | undefined>;
  vantages?: Vantage[];
  /** Limit to these check names / identity slugs. */
  checks?: string[];
  identities?: string[];
  /** Which container serves the local vantage; default follows the phase. */
  via?: 'target' | 'legacy';
  /** An existing device token for `auth = "token"` checks (from the identity's token DB). */
  tokenFor?: (identity: IdentityDecl) => Promise<string>;
  /** Called once per result, as soon as it is known. */
  onItem?: (item: SmokeItem) => void;
  /** Why the baseline is not used (it belongs to other instances); a condition needing it is pending, saying so. */
  baselinePending?: string;
}

export interface SmokeProbe {
  identity: IdentityDecl;
  check: SmokeCheck;
  vantage: Vantage;
}

/** The probes a run consists of, in display order (identity, then check, then vantage). */
export function smokeProbes(runbook: Runbook, opts: Pick<SmokeOptions, 'vantages' | 'checks' | 'identities'>): SmokeProbe[] {
  const vantages = opts.vantages ?? ['local', 'public'];
  const probes: SmokeProbe[] = [];
  for (const identity of runbook.identities) {
    if (opts.identities && !opts.identities.includes(identity.slug)) continue;
    for (const check of runbook.smoke) {
      if (opts.checks && !opts.checks.includes(check.name)) continue;
      for (const vantage of vantages) probes.push({ identity, check, vantage });
    }
  }
  return probes;
}

export async function runSmoke(runbook: Runbook, http: Http, opts: SmokeOptions): Promise<SmokeItem[]> {
  const probes = smokeProbes(runbook, opts);
  return Promise.all(
    probes.map(async (p) => {
      const item = await probeOne(runbook, http, p, opts);
      opts.onItem?.(item);
      return item;
    }),
  );
}

/** Where a probe connects: the URL and the Host header to send. */
export function probeTarget(runbook: Runbook, p: SmokeProbe, opts: Pick<SmokeOptions, 'phase' | 'instances' | 'via'>): { url: string; host: string } {
  const path = p.check.path;
  if (p.vantage === 'public') {
    const base = (runbook.proxy?.public_url ?? 'https://{host}').replaceAll('{host}', p.identity.host).replace(/\/+$/, '');
    return { url: base + path, host: p.identity.host };
  }
  const phase = opts.via ? (opts.via === 'target' ? 'after' : 'before') : opts.phase;
  const container = servingContainer(runbook, p.identity, phase);
  const inst = opts.instances.find((i) => i.name === container);
  if (!inst) throw new ProbeSetupError(`container ${instanceRef(runbook, container)} does not exist`);
  if (!inst.ipv4) throw new ProbeSetupError(`container ${instanceRef(runbook, container)} has no IPv4 address (${inst.status})`);
  return { url: `http://${inst.ipv4}:${p.identity.port}${path}`, host: p.identity.host };
}

class ProbeSetupError extends Error {}

async function probeOne(runbook: Runbook, http: Http, p: SmokeProbe, opts: SmokeOptions): Promise<SmokeItem> {
  const { identity, check, vantage } = p;
  const base = { identity: identity.slug, check: check.name, vantage };
  const label = `${identity.slug} ${check.name} (${vantage})`;
  const rendered = check.conditions.map((text) => renderCondition(text, runbook, identity, opts));
  const expected = rendered.map((r) => r.text).join(' && ');
  // Where each condition's expectation comes from: the baseline (and the run that recorded it) or the runbook.
  const runbookSource = `runbook smoke "${check.name}"`;
  const sourceOf = (k: number) => (/\{\{\s*baseline\./.test(check.conditions[k] ?? '') ? baselineSource(opts.baseline) : runbookSource);
  let url: string | undefined;
  const fail = (error: string, timeMs: number | null = null, failure: NonNullable<SmokeItem['failure']> = 'setup'): SmokeItem => ({
    ...base,
    ...(url ? { url } : {}),
    ok: false,
    expected,
    actual: error,
    // What came back first (a narrow panel cuts the end), then where and what was expected, with its source.
    why: `${label}: ${error}${url ? ` at ${url}` : ''} — expected an answer (${runbookSource})`,
    status: null,
    timeMs,
    error,
    failure,
    conditions: [],
  });

  let target: { url: string; host: string };
  const headers: Record<string, string> = {};
  try {
    target = probeTarget(runbook, p, opts);
    url = target.url;
    if (check.auth === 'token') {
      if (!opts.tokenFor) return fail('no token source for an authenticated check');
      headers.authorization = `Bearer ${await opts.tokenFor(identity)}`;
    }
  } catch (err) {
    return fail((err as Error).message);
  }

  let res: HttpResponse;
  try {
    res = await http.request({ url: target.url, method: check.method, host: target.host, headers, timeoutMs: parseDurationMs(check.timeout) ?? undefined });
  } catch (err) {
    if (err instanceof HttpFailure) return fail(err.kind === 'timeout' ? `timed out (${err.message})` : err.message, err.timeMs, err.kind);
    return fail((err as Error).message, null, 'other');
  }

  // A condition whose expectation needs a baseline not recorded (for this world) is pending, not red.
  const conditions = rendered.map((r, k) => (r.missing ? { condition: r.text, ok: false, actual: r.missing, pending: r.pending, source: sourceOf(k), compare: undefined } : { ...conditionResult(r.text, res), pending: false, source: sourceOf(k) }));
  const failed = conditions.filter((c) => !c.ok && !c.pending);
  const waiting = conditions.filter((c) => c.pending);
  const ok = failed.length ? false : waiting.length ? null : true;
  const pending = ok === null ? waiting[0]!.actual : undefined;
  const actual = `${res.status} in ${res.timeMs} ms` + (ok === false ? ': ' + failed.map((c) => c.actual).join('; ') : pending ? `; pending: ${pending}` : '');
  return {
    ...base,
    url: target.url,
    ok,
    expected,
    actual,
    ...(pending ? { pending } : {}),
    ...(ok === false ? { why: `${label}: ${failed.map(problemText).join('; ')}` } : {}),
    status: res.status,
    timeMs: res.timeMs,
    conditions: conditions.map(({ pending: _p, compare: _c, source: _s, ...c }) => c),
  };
}

function conditionResult(text: string, res: ConditionResponse): { condition: string; ok: boolean; actual: string; compare?: ConditionResult['compare'] } {
  const r = evaluateText(text, res);
  return { condition: text, ok: r.ok, actual: r.actual, ...(r.compare ? { compare: r.compare } : {}) };
}

/**
 * One failed condition as a problem line says it: what was expected, where that comes from, what came back —
 * `body.publicKey: expected "Tc3qH1…" (baseline, run #1), got "LsBDx9…"`.
 */
export function problemText(c: { condition: string; actual: string; source: string; compare?: ConditionResult['compare'] }): string {
  const k = c.compare;
  if (!k) return `expected ${c.condition} (${c.source}), got ${c.actual}`;
  const quoted = k.got.startsWith('"') ? JSON.stringify(k.want) : k.want;
  const want = k.op === '==' ? shortValue(quoted) : `${k.op} ${shortValue(quoted)}`;
  return `${k.selector}: expected ${want} (${c.source}), got ${/^".*"$/.test(k.got) ? shortValue(k.got) : k.got}`;
}

/**
 * A condition with its templates filled in; `missing` says why it cannot be evaluated, `pending` when that is
 * only a baseline not recorded yet for this world (nothing is wrong: the expectation does not exist yet).
 */
function renderCondition(text: string, runbook: Runbook, identity: IdentityDecl, opts: SmokeOptions): { text: string; missing?: string; pending?: boolean } {
  try {
    return { text: renderForIdentity(text, runbook, identity, opts.env, { instances: opts.instances, baseline: opts.baseline }) };
  } catch (err) {
    if (err instanceof MissingBaseline) return { text, missing: opts.baselinePending ?? BASELINE_PENDING, pending: true };
    return { text, missing: (err as Error).message };
  }
}
