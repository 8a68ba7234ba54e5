// After a rollback, "rolled back" needs three proofs that the legacy path is what serves: (a) local probes at
// each legacy container's own address, (b) public probes through the proxy, (c) the live proxy config's dials
// for each site equal the recorded original (the repoint's journaled `from`, else its Caddyfile backup). A
// public smoke alone passes whichever backend answers; (c) is what says it is the legacy one.
import { readFileSync } from 'node:fs';
import { smoke } from '../actions/smoke.ts';
import type { ResolvedStep } from '../engine/types.ts';
import { sleep } from '../actions/inside.ts';
import { adaptText, getConfig } from '../adapters/caddy.ts';
import { dialsByHost } from '../caddyfile/dials.ts';
import { hostOfAddress } from '../caddyfile/parse.ts';
import { sha256Hex } from '../actions/files.ts';
import { dialHost } from '../../checks/upstreams.ts';
import type { SmokeItem } from '../../checks/types.ts';
import { undoRecord } from './changed.ts';
import type { RollbackHost, RunHooks } from './types.ts';
import { PROOF_LABEL, type LegacyProof, type ProofId } from '../engine/rollback.ts';

/** Legacy daemons need a moment after `service posta start` before every smoke check passes. */
const LEGACY_SMOKE_WAIT_MS = 10_000;

/** The three proofs, journaled as one note (state 'rollback-proofs') for `journal` and the report. */
export async function legacyProofs(run: RollbackHost, hooks?: RunHooks): Promise<LegacyProof[]> {
  // (a) and (b) are retried together while the legacy daemons come up; (c) is read once they answer.
  const [local, pub] = await Promise.all([smokeProof(run, 'local', hooks), smokeProof(run, 'public', hooks)]);
  const dials = await dialsProof(run);
  const proofs = [local, pub, dials];
  const text = proofs.map((p) => `${p.ok === null ? '·' : p.ok ? '✓' : '✗'} ${PROOF_LABEL[p.id]}: ${p.summary}`).join('\n');
  run.journal.event(run.runId, 'note', { state: 'rollback-proofs', detail: { who: run.record().operator, text: `after the rollback:\n${text}`, proofs } });
  for (const p of proofs) hooks?.onEvent?.({ kind: 'note', at: Date.now(), message: `${PROOF_LABEL[p.id]}: ${p.ok === null ? 'n/a' : p.ok ? 'ok' : 'FAILED'} ${p.summary}` });
  return proofs;
}

async function smokeProof(run: RollbackHost, vantage: 'local' | 'public', hooks?: RunHooks): Promise<LegacyProof> {
  const id: ProofId = vantage;
  if (!run.runbook.smoke.length || !run.runbook.identities.length) return { id, ok: null, summary: 'the runbook declares no smoke checks', failures: [] };
  if (vantage === 'public' && !run.runbook.proxy) return { id, ok: null, summary: 'the runbook has no proxy', failures: [] };
  const step: ResolvedStep = {
    key: `rollback:smoke-legacy-${vantage}`,
    id: `rollback-smoke-legacy-${vantage}`,
    index: 0,
    title: `${vantage} smoke of the legacy path after the rollback`,
    action: 'smoke',
    params: { vantage, via: 'legacy' },
    destructive: false,
    irreversible: false,
    rollback: { kind: 'none', reason: 'a check' },
    verify: [],
  };
  const until = Date.now() + LEGACY_SMOKE_WAIT_MS;
  for (;;) {
    const quiet = { ...hooks, onEvent: undefined };
    try {
      const res = await smoke.run(step, run.context(step.key, quiet, [], []));
      const items = ((res.changed as { items?: SmokeItem[] } | undefined)?.items ?? []);
      const where = vantage === 'local' ? ` at ${[...new Set(items.map((i) => i.url?.replace(/^https?:\/\/([^/]+).*$/, '$1')).filter(Boolean))].join(', ')}` : '';
      return { id, ok: true, summary: `${res.summary}${where}`, failures: [] };
    } catch (err) {
      // Retry while daemons come up (refused, 502, or too busy to answer in time) until the wait is over.
      if (Date.now() < until) {
        await sleep(500);
        continue;
      }
      const msg = run.journal.redactor.apply((err as Error).message)!;
      const items = (((err as { changed?: { items?: SmokeItem[] } }).changed?.items) ?? []).filter((i) => i.ok === false);
      const failures = items.length ? items.map((i) => ({ identity: i.identity, why: i.why ?? `${i.check}: ${i.actual}` })) : [{ identity: '?', why: msg }];
      return { id, ok: false, summary: msg.split('\n')[0]!, failures: failures.map((f) => ({ ...f, why: run.journal.redactor.apply(f.why)! })) };
    }
  }
}

interface SiteOriginal {
  site: string;
  host: string;
  dials: string[];
  source: string;
}

/** The recorded original dials of each site: the repoint's journaled `from`, else its backup adapted, else the legacy addresses. */
async function originals(run: RollbackHost): Promise<{ list: SiteOriginal[]; problem: string | null }> {
  const p = run.runbook.proxy!;
  const steps = run.steps();
  const repoint = [...steps.values()].find((s) => s.action === 'proxy.repoint' && s.state !== 'pending');
  const record = repoint ? (undoRecord(repoint.changed) ?? {}) : {};
  const intent = repoint ? (run.firstIntent(repoint.key) ?? {}) : {};
  const sites = Array.isArray(record.sites) ? (record.sites as { site: string; from: string[] }[]) : [];
  const backupPath = typeof intent.backupPath === 'string' ? intent.backupPath : typeof record.backupPath === 'string' ? record.backupPath : null;
  let fromBackup: Map<string, string[]> | null = null;
  let problem: string | null = null;
  if (backupPath) {
    try {
      const bytes = readFileSync(backupPath);
      if (typeof intent.backupSha256 === 'string' && sha256Hex(bytes) !== intent.backupSha256) problem = `the Caddyfile backup ${backupPath} changed since the repoint journaled it (sha256 ${sha256Hex(bytes).slice(0, 12)}…, journaled ${intent.backupSha256.slice(0, 12)}…)`;
      fromBackup = dialsByHost((await adaptText(bytes.toString('utf8'), p.caddyfile, p.binary)).config);
    } catch (err) {
      problem ??= `the Caddyfile backup ${backupPath} cannot be read: ${(err as Error).message}`;
    }
  }
  const instances = await run.context('rollback:proofs', undefined, [], []).runtime.list();
  const ipOf = (name: string) => instances.find((i) => i.name === name)?.ipv4 ?? null;
  const list = p.sites.map((site): SiteOriginal => {
    const host = (hostOfAddress(site) ?? site).toLowerCase();
    const identity = run.runbook.identities.find((i) => i.host.toLowerCase() === host);
    const legacyIp = identity ? ipOf(identity.legacy_container) : null;
    // A legacy container that came back with another address: the rollback re-resolved its dials (named in its output).
    const now = (dial: string) => (legacyIp && /^\d+\.\d+\.\d+\.\d+:\d+$/.test(dial) ? `${legacyIp}:${dial.split(':')[1]}` : dial);
    const recorded = sites.find((s) => (hostOfAddress(s.site) ?? s.site).toLowerCase() === host);
    if (recorded) return { site, host, dials: recorded.from.map(now), source: `journaled by ${repoint!.key}` };
    const backed = fromBackup?.get(host);
    if (backed) return { site, host, dials: backed.map(now), source: `backup ${backupPath}` };
    return { site, host, dials: identity && legacyIp ? [`${legacyIp}:${identity.port}`] : [], source: identity ? `no repoint in this run: ${identity.legacy_container}'s address` : 'no identity for this site' };
  });
  return { list, problem };
}

async function dialsProof(run: RollbackHost): Promise<LegacyProof> {
  const id: ProofId = 'dials';
  const p = run.runbook.proxy;
  if (!p) return { id, ok: null, summary: 'the runbook has no proxy', failures: [] };
  let live: Map<string, string[]>;
  let orig: Awaited<ReturnType<typeof originals>>;
  try {
    [live, orig] = await Promise.all([getConfig(p.admin).then((c) => dialsByHost(c.config)), originals(run)]);
  } catch (err) {
    const msg = run.journal.redactor.apply((err as Error).message)!;
    return { id, ok: false, summary: `cannot read the live config: ${msg}`, failures: [{ identity: p.sites.join(', '), why: msg }] };
  }
  const failures: LegacyProof['failures'] = [];
  const shown: string[] = [];
  const norm = (ds: string[]) => [...new Set(ds.map((d) => d.toLowerCase()))].sort();
  for (const o of orig.list) {
    const now = live.get(o.host) ?? [];
    const who = run.runbook.identities.find((i) => i.host.toLowerCase() === o.host)?.slug ?? o.host;
    if (!o.dials.length) failures.push({ identity: who, why: `${o.host}: no recorded original (${o.source})` });
    else if (norm(now).join(' ') !== norm(o.dials).join(' ')) failures.push({ identity: who, why: `${o.host} dials ${now.join(' ') || 'nothing'} live, recorded original ${o.dials.join(' ')} (${o.source})` });
    shown.push(`${o.host} ${now.join(' ') || 'nothing'}`);
  }
  if (orig.problem) failures.push({ identity: p.sites.join(', '), why: orig.problem });
  if (failures.length) return { id, ok: false, summary: failures.map((f) => f.why).join('; '), failures };
  const hosts = new Set(orig.list.flatMap((o) => o.dials.map(dialHost)));
  return { id, ok: true, summary: `${shown.join(', ')} = the recorded original (${hosts.size} legacy address${hosts.size === 1 ? '' : 'es'})`, failures: [] };
}

