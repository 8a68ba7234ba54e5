// The report: markdown an operator pastes into the issue, modelled on posta/server#3's "Cutover complete"
// comment (and #6's "Cleanup complete"). Pure: ReportData in, text out.
import type { SmokeItem, TokenItem } from '../../checks/types.ts';
import type {
  BackupTaken,
  CopiedFile,
  CreatedContainer,
  DeletedContainer,
  ProxyRepoint,
  SmokeResult,
  StabilityGate,
  TokenSurvival,
  WrittenFile,
} from '../journal/events.ts';
import type { StepRecord } from '../journal/types.ts';
import { describeGateHistory, type GateHistoryRecord } from '../../checks/history.ts';
import type { ReportData, RunSection } from './data.ts';
import { humanBytes, humanDuration, latency, table, utcDate, utcTime } from './format.ts';
import { rollbackEvidence, rollbackProcedure, type RollbackProcedure } from './rollback.ts';
import { instanceRef } from '../runbook/instance-ref.ts';

const NOT_RECORDED = '_not recorded_';

export function renderReport(d: ReportData): string {
  const rollback = rollbackProcedure(d);
  const out = [
    ...header(d),
    ...running(d),
    ...rollbackEvidence(d),
    ...smoke(d),
    ...tokens(d),
    ...caddy(d),
    ...artifacts(d, rollback),
    ...left(d),
    ...deployMd(d, rollback),
    ...(d.decommission ? cleanup(d, d.decommission) : []),
  ];
  return out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n';
}

/** How the report names an instance: `REMOTE:NAME` when the run's runbook reached Incus through a remote. */
function at(s: RunSection, name: string): string {
  return instanceRef({ runtime: { remote: s.runbook.remote } }, name);
}
/** Succeeded records of one action, in run order. */
function done(s: RunSection, action: string): StepRecord[] {
  return s.steps.filter((r) => r.action === action && r.state === 'succeeded');
}
/** The run was rolled back (its outcome, or undone steps with nothing left running): the legacy path serves. */
function rolledBack(s: RunSection): boolean {
  return s.run.outcome === 'rolled-back' || (s.steps.some((r) => r.state === 'rolled-back') && !s.steps.some((r) => r.state === 'running'));
}
/** Records of one action that succeeded and were later undone by the rollback. */
function undone(s: RunSection, action: string): StepRecord[] {
  return s.steps.filter((r) => r.action === action && r.state === 'rolled-back');
}
/** Legacy containers a later decommission deleted: name → "deleted by decommission run #N (archive …)". */
function deletedByDecommission(d: ReportData): Map<string, string> {
  const out = new Map<string, string>();
  if (!d.decommission) return out;
  for (const c of changedOf<DeletedContainer>(d.decommission, 'container.delete')) out.set(c.container, `deleted by decommission run #${d.decommission.run.id}${c.archive ? ` (archive \`${c.archive}\`)` : ''}`);
  return out;
}
function changedOf<T>(s: RunSection, action: string): T[] {
  return done(s, action).map((r) => r.changed as T).filter((c) => c !== null && c !== undefined);
}

function header(d: ReportData): string[] {
  const r = d.run;
  const ok = r.outcome === 'succeeded';
  const title = ok ? 'Cutover complete' : rolledBack(d) ? 'Cutover rolled back' : r.outcome ? `Cutover ${r.outcome}` : 'Cutover in progress (run not finished)';
  const lines = [
    `## ${title} — ${utcDate(r.endedAt ?? r.startedAt)}`,
    '',
    `${d.runbook.title ?? d.runbook.name} on **${d.runbook.host}**: run #${r.id} (${r.mode}) by ${r.operator}, runbook \`${r.runbookPath}\` (sha256 \`${r.runbookSha256.slice(0, 12)}\`).`,
    `Started ${utcTime(r.startedAt)}${r.endedAt ? `, ended ${utcTime(r.endedAt)} (${humanDuration(r.endedAt - r.startedAt)})` : ''}.`,
    '',
  ];
  const o = r.outage;
  if (o.startedAt !== null) {
    const span = o.endedAt !== null ? `**${humanDuration(o.endedAt - o.startedAt)}**, from ${utcTime(o.startedAt)} to ${utcTime(o.endedAt)}` : `opened ${utcTime(o.startedAt)} and never closed`;
    lines.push(`Outage window (measured by the driver, first legacy stop → public smoke green): ${span}.`);
  } else lines.push('Outage window: none recorded.');
  const c = r.clientOutage;
  if (c) {
    const per = c.perIdentity ? ` (${Object.entries(c.perIdentity).map(([k, v]) => `${k} ${humanDuration(v)}`).join(', ')})` : '';
    lines.push(`As clients saw it${c.source ? ` (${c.source})` : ''}: longest gap **${humanDuration(c.ms)}**${per}.`);
    if (c.requests !== undefined) lines.push(`Client requests during the run: ${c.requests}, **${c.failed ?? 0} failed**; the longest took ${latency(c.longestMs ?? 0)}${c.addedMs != null ? ` (added latency ${latency(c.addedMs)} over the usual ${latency(c.usualMs ?? 0)})` : ''}.`);
  }
  return [...lines, ''];
}

function running(d: ReportData): string[] {
  if (rolledBack(d)) return rolledBackNow(d);
  const target = d.runbook.containers.find((c) => c.role === 'target');
  const created = changedOf<CreatedContainer>(d, 'container.create')[0];
  const live = d.snapshot?.snapshot.containers.items.find((c) => c.name === target?.name);
  const ip = live?.ipv4 ?? created?.ipv4 ?? null;
  const lines = ["### What's running now", ''];
  if (target) {
    lines.push(`- \`${target.ref}\` container on ${d.runbook.host}${ip ? ` at \`${ip}\`` : ''}${live?.status ? ` (${live.status})` : ''}${created ? `, image \`${created.image}\`` : ''}`);
  }
  const files = [...changedOf<WrittenFile>(d, 'file.push'), ...changedOf<WrittenFile>(d, 'file.write')];
  for (const f of files) {
    const what = f.path.startsWith('/etc/init.d/') ? 'init script' : f.source ? 'binary' : 'file';
    const from = f.source ? ` from \`${f.source}\`${f.revision ? ` (${f.revision})` : ''}` : '';
    lines.push(`- ${what}: \`${f.path}\` ${f.mode}, ${humanBytes(f.size)}, sha256 \`${f.sha256.slice(0, 12)}\`${from}`);
    const cmd = f.content ? initCommand(f.content) : null;
    if (cmd) lines.push(`  - runs \`${cmd}\``);
    const listed = f.content && f.path.endsWith('.toml') ? [...f.content.matchAll(/^\s*slug\s*=\s*"([^"]+)"/gm)].map((m) => m[1]) : [];
    if (listed.length) lines.push(`  - lists ${listed.map((s) => `\`${s}\``).join(', ')}`);
  }
  const copies = changedOf<CopiedFile>(d, 'copy');
  if (copies.length) {
    lines.push('- data copied from the legacy containers (size + sha256 verified):');
    for (const c of copies) {
      const sqlite = c.sqlite ? `, integrity ${c.sqlite.integrity}${c.sqlite.schemaVersion != null ? `, schema v${c.sqlite.schemaVersion}` : ''}` : '';
      lines.push(`  - \`${at(d, c.fromContainer)}:${c.from}\` → \`${at(d, c.toContainer)}:${c.to}\` ${humanBytes(c.size)} ${c.mode} sha256 \`${c.sha256.slice(0, 12)}\`${sqlite}`);
    }
  }
  if (lines.length === 2) lines.push(NOT_RECORDED);
  return [...lines, ''];
}

/** After a rollback: what serves now (the legacy path), what was undone, what was kept. Only what was recorded. */
function rolledBackNow(d: ReportData): string[] {
  const legacy = d.runbook.containers.filter((c) => c.role === 'legacy').map((c) => `\`${c.ref}\``);
  const target = d.runbook.containers.find((c) => c.role === 'target')?.ref;
  const at = Math.max(0, ...d.steps.map((r) => r.rolledBack?.at ?? 0));
  const lines = [
    "### What's running now",
    '',
    `Run #${d.run.id} was **rolled back**${at ? ` (${utcTime(at)})` : ''}: the legacy path serves again${legacy.length ? ` — ${legacy.join(', ')} behind the proxy as before the cutover` : ''}.`,
    '',
    '### What was undone',
    '',
  ];
  const back = d.steps.filter((r) => r.state === 'rolled-back').sort((a, b) => (b.rolledBack?.at ?? 0) - (a.rolledBack?.at ?? 0));
  for (const r of back) lines.push(`- \`${r.key}\` ${r.title ?? ''}${r.rolledBack?.error ? ` — undo failed: ${r.rolledBack.error}` : ''}`);
  if (!back.length) lines.push(NOT_RECORDED);
  lines.push('', '### What was kept', '');
  const kept = d.steps.filter((r) => r.state === 'succeeded');
  for (const r of kept) lines.push(`- \`${r.key}\` ${r.title ?? ''}: done, not undone${r.backupPath ? ` (backup \`${r.backupPath}\`)` : ''}`);
  if (target) lines.push(`- the \`${target}\` container and the data copied into it are left in place for diagnosis (not serving)`);
  if (lines.at(-1) === '') lines.push('Nothing.');
  return [...lines, ''];
}

/** The command an OpenRC/systemd unit starts: command + command_args, or ExecStart. */
function initCommand(content: string): string | null {
  const val = (k: string) => new RegExp(`^\\s*${k}\\s*=\\s*"?([^"\\n]*)"?`, 'm').exec(content)?.[1];
  const exec = val('ExecStart');
  if (exec) return exec;
  const cmd = val('command');
  return cmd ? [cmd.split('/').pop(), val('command_args')].filter(Boolean).join(' ') : null;
}

function smokeItems(s: RunSection, vantage: 'local' | 'public'): SmokeItem[] {
  const fromSteps = changedOf<SmokeResult>(s, 'smoke').filter((c) => c.vantage === vantage).flatMap((c) => c.items);
  if (fromSteps.length) return fromSteps;
  return s.snapshot?.snapshot.smoke.items.filter((i) => i.vantage === vantage) ?? [];
}

function mark(ok: boolean | null): string {
  return ok === true ? '✓' : ok === false ? '✗' : '?';
}

function smoke(d: ReportData): string[] {
  const items = smokeItems(d, 'public');
  if (!items.length) return ['### Public smoke', '', NOT_RECORDED, ''];
  const rows = items.map((i) => [i.identity, i.check, i.expected, i.actual, mark(i.ok)]);
  const failed = items.filter((i) => i.ok === false).length;
  return ['### Public smoke', '', ...table(['identity', 'check', 'expected', 'actual', ''], rows), '', failed ? `**${failed} check(s) failed.**` : `All ${items.length} checks passed.`, ''];
}

function tokens(d: ReportData): string[] {
  const items: TokenItem[] = changedOf<TokenSurvival>(d, 'tokens.survival').flatMap((c) => c.items);
  const list = items.length ? items : (d.snapshot?.snapshot.tokens.items ?? []);
  const lines = ['### Token survival', ''];
  if (!list.length) return [...lines, NOT_RECORDED, ''];
  const baselined = d.baselines.filter((b) => b.kind === 'token').length;
  lines.push(`${baselined ? `${baselined} token row(s) in the baseline; ` : ''}${list.filter((t) => t.survived).length} of ${list.length} survived the cutover.`, '');
  lines.push(...table(['identity', 'device', 'token', 'last seen', 'survived'], list.map((t) => [t.identity, t.device, `\`${t.tokenMasked}\``, t.lastSeenAt ?? '—', t.survived === null ? '?' : t.survived ? '✓' : '✗'])), '');
  const bySlug = new Map<string, TokenItem>();
  for (const t of list) {
    const cur = bySlug.get(t.identity);
    if (t.survived && (!cur || (t.lastSeenAt ?? '') > (cur.lastSeenAt ?? ''))) bySlug.set(t.identity, t);
  }
  for (const [slug, t] of bySlug) lines.push(`- ${slug}: \`${t.device}\` (\`${t.tokenMasked}\`) still active, last seen ${t.lastSeenAt ?? 'never'}`);
  return [...lines, ''];
}

function caddy(d: ReportData): string[] {
  const repoints = changedOf<ProxyRepoint>(d, 'proxy.repoint');
  const restored = undone(d, 'proxy.repoint');
  if (restored.length) {
    const p = restored.map((r) => (r.changed ?? r.rolledBack?.changed) as ProxyRepoint | null).find((c) => c && c.caddyfile);
    return ['### Caddyfile change', '', `The proxy was repointed, then **restored by the rollback**${p ? ` from the backup \`${p.backupPath}\` (\`${p.caddyfile}\`)` : ''}: it points at the legacy containers again.`, ''];
  }
  if (!repoints.length) return ['### Caddyfile change', '', done(d, 'proxy.repoint').length ? NOT_RECORDED : 'The proxy was not repointed in this run.', ''];
  const lines = ['### Caddyfile change', ''];
  for (const p of repoints) {
    lines.push(`\`${p.caddyfile}\`:`, '', ...table(['site', 'before', 'after'], p.sites.map((s) => [s.site, s.from.join(', '), s.to.join(', ')])), '');
    lines.push(`Backup at \`${p.backupPath}\`.${p.reload ? ` Validated and reloaded (\`${p.reload}\`).` : ''}`, '');
  }
  return lines;
}

function artifacts(d: ReportData, rb: RollbackProcedure): string[] {
  const lines = ['### Rollback artifacts', ''];
  const legacy = d.runbook.containers.filter((c) => c.role === 'legacy');
  const live = d.snapshot?.snapshot.containers.items ?? [];
  const gone = deletedByDecommission(d);
  const checkedAt = d.snapshot ? ` (checked ${utcTime(d.snapshot.at)})` : '';
  for (const c of legacy) {
    // Only what was measured: the state from the recorded check, else "not checked"; never "data intact".
    const deleted = gone.get(c.name);
    if (deleted) {
      lines.push(`- \`${c.ref}\`: ${deleted}`);
      continue;
    }
    const l = live.find((x) => x.name === c.name);
    const facts = l && l.status ? `${[l.status, l.autostart === false ? 'autostart off' : l.autostart ? 'autostart ON' : null, l.protectedDelete ? 'delete-protected' : null].filter(Boolean).join(', ')}${checkedAt}; data not checked` : 'state not checked';
    lines.push(`- \`${c.ref}\`: ${facts}`);
  }
  const backups = new Map<string, string>();
  for (const r of d.steps) if (r.backupPath) backups.set(r.backupPath, r.title ?? r.key);
  for (const b of changedOf<BackupTaken>(d, 'backup')) backups.set(b.archive, `${at(d, b.container)}: ${b.paths.join(', ')}; ${humanBytes(b.size)}, sha256 ${b.sha256.slice(0, 12)}`);
  for (const [path, note] of backups) lines.push(`- backup \`${path}\` (${note})`);
  lines.push('', '#### Rollback procedure', '');
  lines.push(...procedureLines(d, rb));
  return [...lines, ''];
}

function procedureLines(d: ReportData, rb: RollbackProcedure): string[] {
  if (rb.problem) return [`Could not be derived from the stored runbook (${rb.problem}); use \`cutover rollback ${d.run.runbookPath}\`.`];
  if (!rb.steps.length) return ['Nothing to undo.'];
  const lines = [`In one command: \`cutover rollback ${d.run.runbookPath} --yes\`. By hand, in this order:`, ''];
  rb.steps.forEach((s, i) => {
    lines.push(`${i + 1}. undo \`${s.key}\` (${s.title}):`);
    for (const c of s.commands) lines.push(`   \`${c}\``);
  });
  for (const n of rb.notUndone) lines.push(`- stays: ${n.title} — ${n.reason}`);
  return lines;
}

function left(d: ReportData): string[] {
  const lines = ['### What is left', ''];
  const open = d.steps.filter((r) => r.state !== 'succeeded' && r.state !== 'skipped');
  const planned = d.plan?.filter((p) => !d.steps.some((r) => r.key === p.key)) ?? [];
  for (const r of open) lines.push(`- \`${r.key}\` ${r.title ?? ''}: **${r.state}**${r.error ? ` — ${r.error}` : ''}`);
  for (const p of planned) lines.push(`- \`${p.key}\` ${p.title}: not run`);
  const legacy = d.runbook.containers.filter((c) => c.role === 'legacy').map((c) => `\`${c.ref}\``);
  if (d.run.outcome === 'succeeded' && legacy.length) {
    const earliest = (d.run.endedAt ?? d.run.startedAt) + d.stabilityWindowMs;
    lines.push(`- Decommission of ${legacy.join(', ')} is gated by a ${d.stabilityWindow} stability window: safe to run from **${utcDate(earliest)}** at the earliest, pending a clean log review (\`cutover review\`).`);
  }
  if (lines.length === 2) lines.push('Nothing.');
  return [...lines, ''];
}

function deployMd(d: ReportData, rb: RollbackProcedure): string[] {
  const repoint = changedOf<ProxyRepoint>(d, 'proxy.repoint')[0];
  const target = d.runbook.containers.find((c) => c.role === 'target')?.ref;
  const body = [
    `## ${d.runbook.title ?? d.runbook.name} (${utcDate(d.run.endedAt ?? d.run.startedAt)})`,
    '',
    rolledBack(d)
      ? `Cutover attempted on ${d.runbook.host} by ${d.run.operator} with \`cutover\` (runbook \`${d.run.runbookPath}\`, journal run #${d.run.id}) and **rolled back**: the legacy containers serve (${d.runbook.containers.filter((c) => c.role === 'legacy').map((c) => `\`${c.ref}\``).join(', ')}).`
      : `Cut over on ${d.runbook.host} by ${d.run.operator} with \`cutover\` (runbook \`${d.run.runbookPath}\`, journal run #${d.run.id}).`,
    target && d.run.outcome === 'succeeded' ? `Now served by the \`${target}\` container.` : '',
    ...(rolledBack(d) ? rolledBackDeploy(d, target) : []),
    ...(d.decommission ? [...deletedByDecommission(d)].map(([name, how]) => `\`${at(d, name)}\`: ${how}.`) : []),
    repoint && !rolledBack(d) ? `Caddyfile backup from before the cutover: \`${repoint.backupPath}\`.` : '',
    '',
    '### Rollback',
    '',
    ...procedureLines(d, rb),
  ];
  return ['### For DEPLOY.md', '', '````markdown', ...body.filter((l, i, a) => l !== '' || a[i - 1] !== ''), '````', ''];
}

/** The DEPLOY.md words for a rolled-back run: what runs now (the legacy path), what was undone, what was kept. */
function rolledBackDeploy(d: ReportData, target: string | undefined): string[] {
  const back = d.steps.filter((r) => r.state === 'rolled-back').sort((a, b) => (b.rolledBack?.at ?? 0) - (a.rolledBack?.at ?? 0));
  const kept = d.steps.filter((r) => r.state === 'succeeded').map((r) => `\`${r.key}\``);
  const at = Math.max(0, ...back.map((r) => r.rolledBack?.at ?? 0));
  const legacy = d.runbook.containers.filter((c) => c.role === 'legacy').map((c) => `\`${c.ref}\``);
  return [
    `What runs now: the legacy path${legacy.length ? ` (${legacy.join(', ')} behind the proxy)` : ''}, as before the cutover${at ? `; rolled back ${utcTime(at)}` : ''}.`,
    `Undone (newest first): ${back.length ? back.map((r) => `\`${r.key}\``).join(', ') : 'nothing recorded'}.`,
    `Kept: ${[...kept, ...(target ? [`the \`${target}\` container and the data copied into it (not serving)`] : [])].join(', ') || 'nothing'}.`,
  ];
}

/** logs.review's journaled record (src/actions/decommission.ts). */
interface LogsReviewed {
  container: string;
  restarts: number;
  panics: number;
  errors: number;
  perIdentity?: { identity: string; count: number }[];
  clean: boolean;
  acknowledged: boolean;
}

/** The legacy binary's commit, as the decommission runbook's DEPLOY.md note names it ("commit 793e9ed"). */
function legacyCommit(s: RunSection): string | null {
  const notes = done(s, 'note').map((r) => r.output ?? '').join('\n');
  return /\bcommit ([0-9a-f]{7,40})\b/.exec(notes)?.[1] ?? /\bcommit ([0-9a-f]{7,40})\b/.exec(s.run.runbookText)?.[1] ?? null;
}

function cleanup(d: ReportData, s: RunSection): string[] {
  const r = s.run;
  const lines = [`## Cleanup ${r.outcome === 'succeeded' ? 'complete' : r.outcome ?? 'in progress'} — ${utcDate(r.endedAt ?? r.startedAt)}`, ''];
  const deleted = changedOf<DeletedContainer & { archiveSize?: number; archiveSha256?: string }>(s, 'container.delete').filter((x) => (x as { deleted?: boolean }).deleted !== false);
  if (deleted.length) {
    const forced = deleted.filter((x) => x.forced);
    lines.push(`Deleted with \`incus delete\`${forced.length === deleted.length ? ' (forced)' : ''}: ${deleted.map((x) => `\`${at(s, x.container)}\`${x.statusBefore ? ` (was ${x.statusBefore})` : ''}`).join(', ')}; run #${r.id} by ${r.operator}.`);
  } else lines.push(`No container was deleted in run #${r.id}.`);
  const gate = changedOf<StabilityGate>(s, 'gate.stability')[0];
  const waiver = s.waivers.find((w) => w.gate.includes('stability')) ?? s.waivers[0];
  const cutoverEnd = d.run.endedAt ?? d.run.startedAt;
  if (waiver) lines.push(`The ${d.stabilityWindow} stability window was **waived** by ${waiver.who} on ${utcTime(waiver.at)}: ${waiver.reason}`);
  else if (gate) lines.push(`The ${gate.window} stability window passed (earliest ${utcDate(gate.earliest)}; cleanup ${utcDate(r.startedAt)}, ${humanDuration(r.startedAt - cutoverEnd)} after the cutover).`);
  const decidedOn = (gate as { history?: GateHistoryRecord } | undefined)?.history;
  if (decidedOn) lines.push(`Verification history the gate decided on: ${describeGateHistory(decidedOn)}${decidedOn.shortfalls.length ? `; below the minimums, waived: ${decidedOn.shortfalls.join('; ')}` : ''}.`);
  for (const l of changedOf<LogsReviewed>(s, 'logs.review')) {
    const ids = (l.perIdentity ?? []).map((g) => `${g.identity} ${g.count}`).join(', ');
    lines.push(
      l.clean
        ? `Log review of \`${at(s, l.container)}\`: clean (no unexpected restart, no panic, no error line).`
        : `Log review of \`${at(s, l.container)}\`: ${l.restarts} unexpected restart(s), ${l.panics} panic(s), ${l.errors} error line(s)${ids ? ` (${ids})` : ''}; ${l.acknowledged ? 'acknowledged by the operator' : 'not acknowledged'}.`,
    );
  }
  lines.push('', '### State after cleanup', '');
  const containers = s.snapshot?.snapshot.containers.items ?? [];
  if (containers.length) for (const c of containers) lines.push(`- \`${c.ref ?? c.name}\`: ${c.status ?? 'absent'}${c.ipv4 ? ` (${c.ipv4})` : ''}`);
  else if (deleted.length) for (const x of deleted) lines.push(`- \`${at(s, x.container)}\`: absent (\`incus list\` no longer shows it after the delete)`);
  else lines.push(NOT_RECORDED);
  lines.push('', '### What remains', '');
  const repoint = changedOf<ProxyRepoint>(d, 'proxy.repoint')[0];
  if (repoint) lines.push(`- Caddyfile backup \`${repoint.backupPath}\` (points at the deleted containers: no longer a rollback target)`);
  for (const x of deleted) {
    if (!x.archive) continue;
    const facts = [x.archiveSize !== undefined ? humanBytes(x.archiveSize) : null, '0600', x.archiveSha256 ? `sha256 \`${x.archiveSha256.slice(0, 12)}\`` : null].filter(Boolean).join(', ');
    lines.push(`- export of \`${at(s, x.container)}\`: \`${x.archive}\` (${facts}; \`incus import ${x.archive}\`)`);
  }
  const target = d.runbook.containers.find((c) => c.role === 'target')?.ref ?? 'the target';
  const dataDirs = d.runbook.identities.map((i) => i.dataDir).filter(Boolean);
  const data = dataDirs.length ? dataDirs.map((p) => `\`${target}:${p}\``).join(', ') : `\`${target}\``;
  const commit = legacyCommit(s);
  const rebuild = `rebuild a legacy container from the legacy binary${commit ? ` at commit \`${commit}\`` : ''} and the per-identity data still in ${data}`;
  lines.push('', '### Recovery path', '');
  lines.push(deleted.some((x) => x.archive) ? `- Import the exported legacy containers above, then follow the rollback procedure of the cutover; or ${rebuild}.` : `- No live rollback target: ${rebuild}.`);
  if (deleted.length) {
    const names = deleted.map((x) => `\`${at(s, x.container)}\``).join(', ');
    const why = waiver ? ` The ${d.stabilityWindow} stability window was waived: ${waiver.reason}` : '';
    lines.push(
      '',
      '### For DEPLOY.md (rollback section)',
      '',
      '````markdown',
      '### Rollback',
      '',
      `${utcDate(r.endedAt ?? r.startedAt)}: ${names} deleted from ${s.runbook.host} with \`incus delete${deleted.every((x) => x.forced) ? ' --force' : ''}\` (journal run #${r.id}, by ${r.operator}).${why}`,
      '',
      `**There is no live rollback target any more.** Recovery: ${rebuild}${deleted.some((x) => x.archive) ? ', or import the exports listed in the cleanup report' : ''}.`,
      '````',
    );
  }
  return [...lines, ''];
}
