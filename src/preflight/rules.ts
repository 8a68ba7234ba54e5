// The preflight rules: everything that can be known before the outage, judged from facts already read (pure).
// Each blocker names the file and line it is about and the fix.
import type { Runbook } from '../runbook/schema.ts';
import type { ResolvedStep } from '../engine/types.ts';
import type { Instance } from '../ports.ts';
import { analyzeRepoint } from '../caddyfile/edit.ts';
import { containerDials, legacyMoves } from '../caddyfile/legacy.ts';
import { dialsByHost } from '../caddyfile/dials.ts';
import { hostOfAddress } from '../caddyfile/parse.ts';
import { configDifferences } from '../caddyfile/semantic.ts';
import { unifiedDiff } from '../caddyfile/diff.ts';
import { addHold, heldBodiesFail, holdProblems } from '../caddyfile/hold.ts';
import type { CaddyFacts, PreflightItem, PreflightResult, WorldFacts } from './types.ts';
import { instanceRef } from '../runbook/instance-ref.ts';

export interface RuleInputs {
  runbook: Runbook;
  runbookFile: string;
  steps: ResolvedStep[];
  /** 1-based line of a key path in the runbook (`proxy.caddyfile`), when found. */
  lineOf: (path: string) => number | undefined;
}

const MiB = 1024 * 1024;
/** Free space wanted beyond what the copies and backups take. */
export const SPACE_HEADROOM_BYTES = 256 * MiB;

const ipTemplate = /\{\{\s*ip\(\s*"([^"]+)"\s*\)\s*\}\}/g;

/** The repoint's upstream with {{ip("X")}} resolved, or a named placeholder `<ip-of-X>` while X has no address. */
export function upstreamFor(template: string, instances: Instance[]): { upstream: string; placeholder: boolean } {
  let placeholder = false;
  const upstream = template.replace(ipTemplate, (_m, name: string) => {
    const ip = instances.find((i) => i.name === name)?.ipv4;
    if (ip) return ip;
    placeholder = true;
    return `<ip-of-${name}>`;
  });
  return { upstream, placeholder };
}

/** The steps that stop a legacy daemon: a cutover whose window the preflight guards. */
export function repointStep(steps: ResolvedStep[]): ResolvedStep | undefined {
  return steps.find((s) => s.action === 'proxy.repoint');
}

function lineInMessage(message: string, path: string): number | null {
  const esc = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`${esc}:(\\d+)`).exec(message);
  return m ? Number(m[1]) : null;
}

export function caddyRules(i: RuleInputs, facts: WorldFacts): Pick<PreflightResult, 'items' | 'diff' | 'otherSites'> {
  const items: PreflightItem[] = [];
  const proxy = i.runbook.proxy;
  const step = repointStep(i.steps);
  const c = facts.caddy;
  if (!proxy || !step || !c) return { items, diff: null, otherSites: [] };
  const rbLine = i.lineOf('proxy.caddyfile') ?? null;
  const atRunbook = (code: string, message: string, fix: string) => items.push({ level: 'blocker', code, message, file: i.runbookFile, line: rbLine, fix });
  if (c.kind === 'missing') {
    atRunbook('caddyfile-missing', `proxy.caddyfile ${c.path} does not exist`, `point proxy.caddyfile at the Caddyfile Caddy runs (the --config of the caddy service: systemctl cat caddy)`);
    return { items, diff: null, otherSites: [] };
  }
  if (c.kind === 'directory') {
    atRunbook('caddyfile-directory', `proxy.caddyfile ${c.path} is a directory, not a Caddyfile`, `point proxy.caddyfile at the file itself (e.g. ${c.path.replace(/\/$/, '')}/Caddyfile)`);
    return { items, diff: null, otherSites: [] };
  }
  if (c.kind !== 'file' || c.text === undefined) {
    atRunbook('caddyfile-unreadable', `proxy.caddyfile ${c.path} cannot be read: ${c.error ?? c.kind}`, 'run cutover as a user that can read and write the Caddyfile (root on the host)');
    return { items, diff: null, otherSites: [] };
  }

  const instances = facts.instances.ok ? facts.instances.value : [];
  const sites = Array.isArray(step.params.sites) && step.params.sites.length ? (step.params.sites as string[]) : proxy.sites;
  const { moves } = legacyMoves({ sites, identities: i.runbook.identities, instances });
  const { upstream } = upstreamFor(String(step.params.upstream ?? ''), instances);
  const analysis = analyzeRepoint(c.text, moves, upstream, { mixed: proxy.mixed_upstreams ?? 'refuse' });
  for (const p of analysis.problems) {
    items.push({ level: p.level, code: p.code, message: p.message, file: c.path, line: p.line, fix: p.fix });
  }
  const editBlocked = analysis.problems.some((p) => p.level === 'blocker');
  if (!analysis.problems.some((p) => p.code === 'caddyfile-parse') && c.adapted && !c.adapted.ok) {
    items.push({ level: 'blocker', code: 'caddy-adapt', message: `caddy adapt fails on ${c.path}: ${c.adapted.error}`, file: c.path, line: lineInMessage(c.adapted.error, c.path), fix: 'fix the Caddyfile until `caddy adapt --config FILE` succeeds, then reload Caddy' });
  }
  if (c.live && !c.live.ok) {
    items.push({ level: 'blocker', code: 'caddy-admin', message: `the Caddy admin API ${proxy.admin} does not answer: ${c.live.error}`, file: i.runbookFile, line: i.lineOf('proxy.admin') ?? null, fix: 'start Caddy with its admin API on that loopback address, or correct proxy.admin' });
  } else if (c.live?.ok && c.adapted?.ok) {
    const drift = configDifferences(c.adapted.value, c.live.value);
    if (drift.length) {
      items.push({
        level: 'blocker',
        code: 'caddy-drift',
        message: `${c.path} differs from the config Caddy is running (edited without reload, or changed through the admin API): ${drift.slice(0, 3).join('; ')}${drift.length > 3 ? `; … ${drift.length - 3} more` : ''}`,
        file: c.path,
        line: null,
        fix: `make the file and the live config agree first: caddy reload --config ${c.path} --adapter caddyfile (if the file is right), or put the running config back into the file`,
      });
    }
  }
  const holdBlocked = proxy.hold ? holdRules(i, facts, c, sites, items) : false;
  const planned = proxy.hold && !editBlocked && !holdBlocked ? addHold(analysis.text, sites, proxy.hold) : analysis.text;
  const diff = editBlocked ? null : unifiedDiff(c.path, c.text, planned);
  return { items, diff, otherSites: otherSites(i, facts, c, sites, instances, items) };
}

/**
 * Hold mode ([proxy] hold): refused where Caddy cannot hold — a route with an active health check or settings
 * hold mode owns, hold lines `caddy adapt` rejects, or a Caddy version that fails held requests with a body
 * while the runbook's smoke or the lab's devices send bodies. True when one of them blocks.
 */
function holdRules(i: RuleInputs, facts: WorldFacts, c: CaddyFacts, sites: string[], items: PreflightItem[]): boolean {
  const before = items.length;
  for (const p of holdProblems(c.text ?? '', sites)) items.push({ level: p.level, code: p.code, message: `hold mode: ${p.message}`, file: c.path, line: p.line, fix: p.fix });
  const h = facts.hold;
  const holdLine = i.lineOf('proxy.hold') ?? null;
  if (h?.adapted && !h.adapted.ok) {
    items.push({ level: 'blocker', code: 'hold-adapt', message: `caddy adapt fails on ${c.path} with the hold settings added: ${h.adapted.error}`, file: c.path, line: lineInMessage(h.adapted.error, c.path), fix: 'fix the Caddyfile so the hold lines adapt (or run without [proxy] hold, the seed order)' });
  }
  if (h && !h.version.ok) {
    items.push({ level: 'blocker', code: 'hold-caddy-version', message: `hold mode: cannot tell which Caddy runs (caddy version: ${h.version.error})`, file: i.runbookFile, line: i.lineOf('proxy.binary') ?? holdLine, fix: 'point proxy.binary at the caddy binary the service runs' });
  } else if (h?.version.ok && heldBodiesFail(h.version.value) && h.bodies.length) {
    items.push({
      level: 'blocker',
      code: 'hold-bodies',
      message: `hold mode: Caddy ${h.version.value} fails a held request that has a body ("invalid Read on closed Body"), and ${h.bodies.join(', ')} send${h.bodies.length === 1 ? 's' : ''} bodies through the held sites`,
      file: i.runbookFile,
      line: holdLine,
      fix: 'upgrade Caddy to a release after 2.11.1 (caddyserver/caddy#7547), make those requests GETs, or run without [proxy] hold (the seed order)',
    });
  }
  return items.slice(before).some((x) => x.level === 'blocker');
}

/** Sites outside the runbook's that dial a legacy container: they answer 502 once it stops, unless acknowledged. */
function otherSites(i: RuleInputs, _facts: WorldFacts, c: CaddyFacts, sites: string[], instances: Instance[], items: PreflightItem[]) {
  if (!c.adapted?.ok) return [];
  const out = legacyDialers(i.runbook, c.adapted.value, instances, sites);
  for (const o of out) {
    items.push({
      level: o.acknowledged ? 'warning' : 'blocker',
      code: 'other-site-dials-legacy',
      message: `${o.host} (not in proxy.sites) dials the legacy ${o.dials.join(', ')}: it answers 502 once the legacy daemon stops${o.acknowledged ? ' (acknowledged in proxy.also_dials_legacy)' : ''}`,
      file: c.path,
      line: siteLine(c.text ?? '', o.host),
      fix: o.acknowledged ? 'none needed: acknowledged' : `repoint or retire ${o.host} first, or acknowledge it: proxy.also_dials_legacy = ["${o.host}"]`,
    });
  }
  for (const a of (i.runbook.proxy?.also_dials_legacy ?? []).map((s) => s.toLowerCase())) {
    if (!out.some((o) => o.host === a)) {
      items.push({ level: 'warning', code: 'also-dials-legacy-unused', message: `proxy.also_dials_legacy lists ${a}, which dials no legacy container`, file: i.runbookFile, line: i.lineOf('proxy.also_dials_legacy') ?? null, fix: `remove ${a} from proxy.also_dials_legacy` });
    }
  }
  return out;
}

export interface LegacyDialer {
  host: string;
  dials: string[];
  /** Listed in proxy.also_dials_legacy. */
  acknowledged: boolean;
}

/**
 * The sites of an adapted (or live) Caddy config that the runbook does not own but that dial one of its legacy
 * containers (its IPv4 from `instances`, or its name), on any port. Used by plan/apply (preflight) and by
 * status, verify and report.
 */
export function legacyDialers(rb: Runbook, config: unknown, instances: { name: string; ipv4: string | null }[], sites: string[] = rb.proxy?.sites ?? []): LegacyDialer[] {
  const owned = new Set([...sites, ...(rb.proxy?.sites ?? [])].map((s) => (hostOfAddress(s) ?? s).toLowerCase()));
  const names = new Set([...rb.identities.map((id) => id.legacy_container), ...rb.containers.filter((x) => x.role === 'legacy').map((x) => x.name)]);
  const legacyHosts = new Set<string>();
  for (const name of names) {
    const ip = instances.find((x) => x.name === name)?.ipv4 ?? null;
    for (const d of containerDials(name, ip, 1)) legacyHosts.add(d.replace(/:1$/, ''));
  }
  const acknowledged = new Set((rb.proxy?.also_dials_legacy ?? []).map((s) => (hostOfAddress(s) ?? s).toLowerCase()));
  const out: LegacyDialer[] = [];
  for (const [host, dials] of dialsByHost(config)) {
    if (owned.has(host)) continue;
    const hits = dials.filter((d) => legacyHosts.has(d.replace(/:\d+$/, '').toLowerCase()));
    if (hits.length) out.push({ host, dials: hits, acknowledged: acknowledged.has(host) });
  }
  return out;
}

/** Lines for status/verify/report: each other site dialing a legacy container, acknowledged or not. */
export function legacyDialersText(list: LegacyDialer[]): string[] {
  return list.map((o) => `${o.acknowledged ? '!' : '✗'} ${o.host} (not in proxy.sites) dials the legacy ${o.dials.join(', ')}: 502 once it stops${o.acknowledged ? ' (acknowledged: proxy.also_dials_legacy)' : ' — not acknowledged (proxy.also_dials_legacy)'}`);
}

/** The line of the site block naming `host`, found in the text (for messages). */
function siteLine(text: string, host: string): number | null {
  const lines = text.split('\n');
  const esc = host.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`^\\s*(?:[a-z]+://)?${esc}(?::\\d+)?(?:[\\s,{]|$)|,\\s*(?:[a-z]+://)?${esc}(?::\\d+)?(?:[\\s,{]|$)`, 'i');
  const k = lines.findIndex((l) => re.test(l));
  return k >= 0 ? k + 1 : null;
}

/** A lab runbook's host says so: `fismen-lab`, `lab`, `lab.example`. */
export const isLabHost = (host: string) => /(^|[-.])lab($|[-.])/i.test(host);

export function labRules(i: RuleInputs, facts: WorldFacts): PreflightItem[] {
  const items: PreflightItem[] = [];
  const host = i.runbook.runbook.host;
  const lab = isLabHost(host);
  const hostLine = i.lineOf('runbook.host') ?? null;
  const into = [
    ['runtime', facts.lab.runtime, `the runtime (incus binary ${facts.lab.runtimeBinary})`, 'runtime.binary'],
    ['proxy', facts.lab.proxy, `proxy.caddyfile ${facts.lab.caddyfile ?? ''}`, 'proxy.caddyfile'],
  ] as const;
  for (const [what, dir, label, key] of into) {
    if (!lab && dir) {
      items.push({
        level: 'blocker',
        code: 'lab-vs-production',
        message: `runbook.host = "${host}" is not a lab, but ${label} resolves into the rehearsal lab ${dir}`,
        file: i.runbookFile,
        line: hostLine,
        fix: `run it in a shell without the lab's environment (unset CUTOVER_LAB_DIR CUTOVER_INCUS, or use (eval "$(cutover lab env)"; …) in a subshell for rehearsals); for a rehearsal use the lab runbook`,
      });
    }
    if (lab && !dir && (what === 'runtime' || facts.lab.caddyfile)) {
      items.push({
        level: 'blocker',
        code: 'lab-vs-production',
        message: `runbook.host = "${host}" is a lab, but ${label} is not in a rehearsal lab (no lab.json above it)`,
        file: i.runbookFile,
        line: i.lineOf(key) ?? hostLine,
        fix: `start the lab and load its environment ((eval "$(cutover lab env)"; cutover plan …)), or set ${key} to the lab's (templates: {{env.CUTOVER_LAB_DIR}}/…)`,
      });
    }
  }
  return items;
}

const fmtBytes = (n: number) => (n >= 1024 * MiB ? `${(n / 1024 / MiB).toFixed(1)} GiB` : n >= MiB ? `${(n / MiB).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`);

export function runtimeRules(i: RuleInputs, facts: WorldFacts): PreflightItem[] {
  const items: PreflightItem[] = [];
  const rb = i.runbook;
  if (!facts.instances.ok) {
    items.push({ level: 'blocker', code: 'runtime-unreachable', message: `cannot list the containers: ${facts.instances.error}`, file: i.runbookFile, line: i.lineOf('runtime') ?? null, fix: 'check runtime.binary / CUTOVER_INCUS and that the incus daemon runs' });
    return items;
  }
  const instances = facts.instances.value;
  const created = new Set(i.steps.filter((s) => s.action === 'container.create').map((s) => String(s.params.container ?? '')));
  const cutover = Boolean(repointStep(i.steps));
  // Named to the operator as `incus` is typed: REMOTE:NAME with runtime.remote.
  const at = (name: string) => instanceRef(rb, name);
  rb.containers.forEach((ct, k) => {
    const inst = instances.find((x) => x.name === ct.name);
    const ref = at(ct.name);
    const line = i.lineOf(`containers[${k}].name`) ?? null;
    if (!inst && !created.has(ct.name)) {
      items.push({ level: 'blocker', code: 'container-missing', message: `container ${ref} (role ${ct.role}) does not exist and no step creates it`, file: i.runbookFile, line, fix: `check the name against incus list${rb.runtime.remote ? ` ${rb.runtime.remote.replace(/:$/, '')}:` : ''}, or add a container.create step for ${ct.name}` });
    } else if (inst && created.has(ct.name) && cutover) {
      items.push({ level: 'warning', code: 'target-exists', message: `container ${ref} already exists (${inst.status}); the container.create step will reuse it`, file: i.runbookFile, line, fix: `if it is left from an earlier attempt, check what it holds (incus exec ${ref} -- ls -la /var/lib) or delete it first` });
    }
    if (inst && ct.role === 'legacy' && cutover && inst.status !== 'Running') {
      items.push({ level: 'blocker', code: 'legacy-not-running', message: `legacy container ${ref} is ${inst.status}: it serves nothing to cut over from`, file: i.runbookFile, line, fix: `incus start ${ref} (and check its daemon), or remove it from the runbook` });
    }
  });
  for (const f of facts.sources) {
    if (f.size === null) {
      items.push({ level: 'blocker', code: 'source-missing', message: `${f.stepKey}: ${at(f.container)}:${f.path} cannot be read${f.error ? ` (${f.error})` : ''}`, file: i.runbookFile, line: i.steps.find((s) => s.key === f.stepKey)?.line ?? null, fix: `check the path in the legacy container (incus exec ${at(f.container)} -- ls -l ${f.path}) and the identity's legacy_keys / legacy_db` });
    }
  }
  const needed = facts.sources.reduce((n, f) => n + (f.size ?? 0), 0);
  for (const s of facts.space) {
    // The state dir holds the backups (compressed, at most the copied size) and the copies pass through it.
    const want = (s.what.startsWith('state') ? 2 * needed : needed) + SPACE_HEADROOM_BYTES;
    if (s.availableBytes === null) {
      items.push({ level: 'warning', code: 'space-unknown', message: `free space of the ${s.what} ${s.path} unknown: ${s.error ?? ''}`, file: null, line: null, fix: `check it by hand: df -h ${s.path}` });
    } else if (s.availableBytes < want) {
      items.push({ level: 'blocker', code: 'space-low', message: `the ${s.what} ${s.path} has ${fmtBytes(s.availableBytes)} free; the copies and backups need ${fmtBytes(want)} (${fmtBytes(needed)} of data + ${fmtBytes(SPACE_HEADROOM_BYTES)} headroom)`, file: null, line: null, fix: `free space on ${s.path}, or point runbook.state_dir / --state elsewhere` });
    }
  }
  return items;
}

export function smokeRules(i: RuleInputs, facts: WorldFacts): PreflightItem[] {
  if (!facts.smoke) return [];
  return facts.smoke
    .filter((s) => !s.ok)
    .map((s) => ({
      level: 'blocker' as const,
      code: 'legacy-smoke',
      message: `public smoke of the legacy path fails before the window: ${s.identity} ${s.check}: ${s.why}`,
      file: i.runbookFile,
      line: i.lineOf(`smoke`) ?? null,
      fix: 'make the public path work (or correct the [[smoke]] check) before the cutover: a path that never worked cannot prove the new one',
    }));
}

export function evaluatePreflight(i: RuleInputs, facts: WorldFacts): PreflightResult {
  const caddy = caddyRules(i, facts);
  const items = [...labRules(i, facts), ...caddy.items, ...runtimeRules(i, facts), ...smokeRules(i, facts)];
  return { items, diff: caddy.diff, otherSites: caddy.otherSites, sources: facts.sources, space: facts.space };
}

/** Blockers whose fix is in the runbook itself (exit 2); every other one is about the world (exit 1). */
export const RUNBOOK_CODES: ReadonlySet<string> = new Set(['caddyfile-missing', 'caddyfile-directory', 'lab-vs-production', 'bad-upstream', 'site-missing', 'no-legacy-dial']);

export const blockers = (r: PreflightResult) => r.items.filter((x) => x.level === 'blocker');

/** What the copies will read and the free space found, as plan shows it (containers as REMOTE:NAME with the runbook's remote). */
export function formatFacts(r: PreflightResult, rb: Pick<Runbook, 'runtime'>): string {
  const lines: string[] = [];
  if (r.sources.length) {
    const total = r.sources.reduce((n, f) => n + (f.size ?? 0), 0);
    lines.push(`copies read ${r.sources.length} file(s), ${fmtBytes(total)}: ${r.sources.map((f) => `${instanceRef(rb, f.container)}:${f.path} ${f.size === null ? 'MISSING' : fmtBytes(f.size)}`).join(', ')}`);
  }
  for (const s of r.space) lines.push(`free space, ${s.what}: ${s.availableBytes === null ? `unknown (${s.error ?? ''})` : fmtBytes(s.availableBytes)}`);
  return lines.length ? lines.join('\n') + '\n' : '';
}

/** One line per item: `✗ FILE:LINE: message` + `  fix: …`. */
export function formatPreflight(r: PreflightResult): string {
  if (!r.items.length) return 'preflight: ✓ nothing stands in the way\n';
  const lines = [`preflight: ${blockers(r).length} blocker(s), ${r.items.length - blockers(r).length} warning(s)`];
  for (const x of r.items) {
    const where = x.file ? `${x.file}${x.line ? `:${x.line}` : ''}: ` : '';
    lines.push(`${x.level === 'blocker' ? '✗ BLOCKER' : '! warning'} ${where}${x.message} [${x.code}]`);
    lines.push(`    fix: ${x.fix}`);
  }
  return lines.join('\n') + '\n';
}
