// What each resolved step will do, as the commands an operator would type: shown by `plan` and the
// cockpit's preview. Run-time values appear as markers (`<ip of posta>`). Pure.
import type { ResolvedRollback, ResolvedStep } from '../engine/types.ts';
import { NOTHING_TO_UNDO } from '../engine/rollback.ts';
import type { Runbook } from './schema.ts';
import { markRuntime, renderTemplate } from './template.ts';
import { shellQuote as q } from '../shell.ts';
import { instanceRef } from './instance-ref.ts';

type P = Record<string, unknown>;
const str = (p: P, k: string) => markRuntime(String(p[k] ?? ''));
const list = (p: P, k: string) => (Array.isArray(p[k]) ? (p[k] as unknown[]).map((v) => markRuntime(String(v))) : []);
/** Multi-line text as indented lines, blank edges dropped. */
const textLines = (t: string) => t.trim().split('\n').map((l) => `  ${l.trimEnd()}`);
const owner = (o: string) => {
  const [u, g] = o.split(':');
  return `--uid ${u} --gid ${g ?? u}`;
};

/** A per-identity template (smoke condition, token DB path) rendered for one identity, run-time values as markers. */
function forIdentity(text: string, rb: Runbook, identity: Runbook['identities'][number]): string {
  try {
    return markRuntime(renderTemplate(text, { runbook: rb.runbook, identity, identities: rb.identities, env: {} }));
  } catch {
    return markRuntime(text);
  }
}

export function describeAction(action: string, p: P, rb: Runbook, item?: string): string[] {
  const c = (k = 'container') => instanceRef(rb, str(p, k));
  const identities = (slugs?: string[]) => (slugs?.length ? rb.identities.filter((i) => slugs.includes(i.slug)) : rb.identities);
  const caddyfile = rb.proxy?.caddyfile ?? '<no [proxy]>';
  const caddy = rb.proxy?.binary ?? 'caddy';
  switch (action) {
    case 'container.create':
      return [`incus launch ${str(p, 'image')} ${c()} --profile ${str(p, 'profile')}`];
    case 'container.stop':
      return [`incus stop ${c()}${p.force ? ' --force' : ` --timeout ${stopSeconds(str(p, 'timeout'))}${p.on_timeout === 'force' ? '   (then incus stop --force if it timed out)' : ''}`}`];
    case 'container.start':
      return [`incus start ${c()}`];
    case 'container.delete':
      return [
        ...(p.archive !== false ? [`incus export ${c()} <state dir>/${str(p, 'container')}-<now>.tar.gz   (archive, mode 0600)`] : []),
        `incus config set ${c()} security.protection.delete=false   (only if set)`,
        `incus delete ${c()}${p.force ? ' --force' : ''}`,
      ];
    case 'file.push':
      return [`incus file push ${q(str(p, 'source'))} ${c()}${str(p, 'path')} --mode ${str(p, 'mode')} ${owner(str(p, 'owner'))}`];
    case 'file.write': {
      const lines = String(p.content ?? '').split('\n').filter((l, i, a) => l !== '' || i < a.length - 1).length;
      return [`incus file push - ${c()}${str(p, 'path')} --mode ${str(p, 'mode')} ${owner(str(p, 'owner'))}   (${lines} lines; previous content kept for undo)`];
    }
    case 'dir.create': {
      const [u, g] = str(p, 'owner').split(':');
      return [`incus exec ${c()} -- install -d -m ${str(p, 'mode')} -o ${u} -g ${g ?? u} ${str(p, 'path')}`];
    }
    case 'exec':
      return [`incus exec ${c()} -- ${list(p, 'argv').map(q).join(' ')}${p.expect_exit ? `   (expect exit ${String(p.expect_exit)})` : ''}`];
    case 'service.stop':
    case 'service.start':
      return [`incus exec ${c()} -- service ${str(p, 'service')} ${action === 'service.stop' ? 'stop' : 'start'}`];
    case 'copy': {
      const files = p.sqlite && !p.online ? ['', '-wal', '-shm'] : [''];
      const online = p.sqlite && p.online ? [`incus exec ${c('from_container')} -- sqlite3 ${str(p, 'from')} ".backup <tmp in ${c('from_container')}>"   (online: the daemon keeps running)`] : [];
      return [
        ...online,
        ...files.map((sfx) => `incus file pull ${c('from_container')}${str(p, 'from')}${sfx} <tmp>   ${sfx ? '(if present)' : ''}`.trimEnd()),
        ...files.map((sfx) => `incus file push <tmp> ${c('to_container')}${str(p, 'to')}${sfx} --mode ${str(p, 'mode')} ${owner(str(p, 'owner'))}`),
        `verify size + sha256 + mode ${str(p, 'mode')} + owner ${str(p, 'owner')} of ${str(p, 'to')}`,
        ...(p.sqlite ? [`sqlite3 ${str(p, 'to')} 'PRAGMA integrity_check'${p.online ? '' : '   (source daemon must be stopped)'}`] : []),
      ];
    }
    case 'config.set':
      return [`incus config set ${c()} ${str(p, 'key')}=${q(str(p, 'value'))}   (previous value kept for undo)`];
    case 'proxy.repoint': {
      const sites = list(p, 'sites').length ? list(p, 'sites') : (rb.proxy?.sites ?? []);
      const label = rb.proxy?.backup_label ?? rb.runbook.name;
      return [
        `cp -p ${caddyfile} ${caddyfile}.bak.${label}-<now>`,
        `edit reverse_proxy of ${sites.join(', ')} → ${str(p, 'upstream')}   (only these dials change, checked with caddy adapt)`,
        ...(rb.proxy?.hold ? [`hold: add lb_try_duration ${rb.proxy.hold}, lb_try_interval, transport dial_timeout to them (Caddy holds requests until the new daemon answers)`] : []),
        `${caddy} validate --config ${caddyfile} --adapter caddyfile`,
        `${caddy} reload --config ${caddyfile} --adapter caddyfile`,
        `confirm through ${rb.proxy?.admin ?? 'the admin API'}/config/ and /reverse_proxy/upstreams; restore the backup on failure`,
      ];
    }
    case 'proxy.release': {
      const sites = list(p, 'sites').length ? list(p, 'sites') : (rb.proxy?.sites ?? []);
      return [
        `wait until every upstream of ${sites.join(', ')} accepts connections, then until nothing is held`,
        `remove the hold lines (#cutover:hold) from ${caddyfile}; backup, caddy adapt (only the hold settings change), validate`,
        `${caddy} reload --config ${caddyfile} --adapter caddyfile`,
      ];
    }
    case 'proxy.restore':
      return [`cp -p <latest ${caddyfile}.bak.${rb.proxy?.backup_label ?? rb.runbook.name}-*> ${caddyfile}`, `${caddy} reload --config ${caddyfile} --adapter caddyfile`];
    case 'smoke': {
      const names = list(p, 'checks');
      const checks = names.length ? rb.smoke.filter((s) => names.includes(s.name)) : rb.smoke;
      const local = p.vantage === 'local';
      return identities(p.identities as string[] | undefined).flatMap((idn) => {
        const via = p.via === 'legacy' ? idn.legacy_container : (rb.containers.find((x) => x.role === 'target')?.name ?? '?');
        const base = local ? `http://<ip of ${via}>:${idn.port}` : (rb.proxy?.public_url ?? `https://${idn.host}`);
        return checks.map((s) => `${s.method} ${base}${forIdentity(s.path, rb, idn)}  Host: ${idn.host}${s.auth === 'token' ? '  Authorization: Bearer <existing token>' : ''}  → ${s.conditions.map((x) => forIdentity(x, rb, idn)).join(' && ')}`);
      });
    }
    case 'tokens.survival': {
      const t = rb.tokens;
      return identities(p.identities as string[] | undefined).map(
        (idn) => `sqlite3 -readonly ${t ? forIdentity(t.db, rb, idn) : '<no [tokens]>'} 'SELECT ${t?.name_column}, ${t?.last_seen_column} FROM ${t?.table}'   (${idn.slug}: baseline rows present, last_seen advancing)`,
      );
    }
    case 'baseline':
      return rb.identities.map((idn) => `record ${idn.slug}: actor public key (GET https://${idn.host}/), token rows, Caddyfile dials`);
    case 'backup':
      return [`backup ${c()} ${list(p, 'paths').join(' ')} → <state dir>/backups (class ${str(p, 'class')}, sha256 manifest, 0600)`];
    case 'gate.operator':
      return [`operator confirms (recorded in the journal):`, ...textLines(str(p, 'prompt'))];
    case 'gate.stability':
      return [`wait until ${str(p, 'window')} have passed since the recorded end of ${p.since ? `runbook ${str(p, 'since')}` : 'this cutover'} (or record a waiver with its reason)`];
    case 'logs.review':
      return ((p.sources as { kind: string; path?: string; unit?: string }[]) ?? []).map((s) =>
        s.kind === 'file' ? `incus exec ${c()} -- cat ${s.path}   (restarts, panics, per-identity errors)`
        : s.kind === 'openrc' ? `incus exec ${c()} -- rc-status --all`
        : s.kind === 'journalctl' ? `incus exec ${c()} -- journalctl -u ${s.unit ?? 'posta'} --since -7d`
        : `incus info ${c()} --show-log`,
      );
    case 'note':
      return ['note for the operator (recorded in the journal and the report):', ...textLines(str(p, 'text'))];
    default:
      return [`(unknown action ${action}${item ? ` for ${item}` : ''})`];
  }
}

export function describeStep(step: ResolvedStep, rb: Runbook): string[] {
  return describeAction(step.action, step.params, rb, step.item);
}

/** One line saying how the step is undone. */
export function describeRollback(step: ResolvedStep, rb: Runbook): string {
  const r: ResolvedRollback = step.rollback;
  if (r.kind === 'none') return r.reason === NOTHING_TO_UNDO ? 'nothing to undo' : `not undoable: ${r.reason}`;
  if (r.kind === 'auto') {
    if (step.action === 'proxy.repoint') return `auto: restore ${rb.proxy?.caddyfile ?? 'the Caddyfile'} from its backup, reload`;
    if (step.action === 'config.set') return `auto: incus config set ${String(step.params.container)} ${String(step.params.key)} back to its previous value`;
    if (step.action === 'file.write') return `auto: restore the previous ${String(step.params.path)} (or remove it if it did not exist)`;
    return 'auto';
  }
  return describeAction(r.action, r.params, rb, step.item).join('; ');
}

/** container.stop's `timeout` ("30s", "2m", "500ms") in whole seconds, at least 1, as `incus stop --timeout` takes it. */
function stopSeconds(text: string): number {
  const m = /^(\d+)(ms|s|m|h)$/.exec(text || '30s');
  if (!m) return 30;
  const ms = Number(m[1]) * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const)[m[2] as 'ms' | 's' | 'm' | 'h'];
  return Math.max(1, Math.ceil(ms / 1000));
}
