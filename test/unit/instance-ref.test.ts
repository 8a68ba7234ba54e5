// runtime.remote: instances are named REMOTE:NAME to the operator (panels, plan, journal commands, report),
// while params, the journal's changed records and the runtime's lookups keep the bare name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadRunbook } from '../../src/runbook/load.ts';
import { instanceRef } from '../../src/runbook/instance-ref.ts';
import { evaluateContainers } from '../../checks/containers.ts';
import { renderSnapshot } from '../../checks/text.ts';
import { runbookFacts } from '../../src/report/data.ts';
import type { Instance } from '../../src/ports.ts';
import type { Snapshot } from '../../checks/types.ts';

const path = new URL('../../runbooks/posta-cutover.toml', import.meta.url).pathname;
const local = loadRunbook(path, { catalog: CATALOG }).runbook!;
const remote = { ...local, runtime: { ...local.runtime, remote: 'fismen' } };
const inst = (name: string, status: string): Instance => ({ name, status, type: 'container', ipv4: status === 'Running' ? '10.0.0.9' : null, config: {}, createdAt: null, lastUsedAt: null });

test('instanceRef: REMOTE:NAME with a remote (a trailing colon is the same remote), NAME without', () => {
  assert.equal(instanceRef(local, 'arne-msg'), 'arne-msg');
  assert.equal(instanceRef(remote, 'arne-msg'), 'fismen:arne-msg');
  assert.equal(instanceRef({ runtime: { remote: 'fismen:' } }, 'arne-msg'), 'fismen:arne-msg');
  assert.equal(instanceRef(remote, 'fismen:arne-msg'), 'fismen:arne-msg');
  assert.equal(instanceRef(undefined, 'arne-msg'), 'arne-msg');
});

test('containers panel: looked up by the bare name, shown as REMOTE:NAME in full', () => {
  const items = evaluateContainers(remote, [inst('posta', 'Stopped'), inst('arne-msg', 'Running'), inst('marcus-msg', 'Running'), inst('tarald-msg', 'Running')], 'before');
  assert.deepEqual(items.map((i) => [i.name, i.ref, i.status]), [['posta', 'fismen:posta', 'Stopped'], ['arne-msg', 'fismen:arne-msg', 'Running'], ['marcus-msg', 'fismen:marcus-msg', 'Running'], ['tarald-msg', 'fismen:tarald-msg', 'Running']]);
  assert.equal(evaluateContainers(local, [inst('arne-msg', 'Running')], 'before')[1]!.ref, undefined);
  const panel = { panel: 'containers', ok: true, items } as unknown as Snapshot['containers'];
  const empty = { ok: true, items: [] };
  const text = renderSnapshot({ ok: true, containers: panel, upstreams: empty, smoke: empty, tokens: empty } as unknown as Snapshot, { title: 't', width: 100, now: 0 }).join('\n');
  for (const n of ['fismen:posta', 'fismen:arne-msg', 'fismen:marcus-msg', 'fismen:tarald-msg']) assert.match(text, new RegExp(`\\s${n}\\s`), text);
});

test('report: the stored runbook\'s remote names the containers', () => {
  const text = readFileSync(path, 'utf8').replace(/^\[runtime\]\n/m, '[runtime]\nremote = "fismen"\n');
  const facts = runbookFacts({ runbookText: text, runbookName: 'x', host: 'h' });
  assert.deepEqual(facts.containers.map((c) => c.ref), ['fismen:posta', 'fismen:arne-msg', 'fismen:marcus-msg', 'fismen:tarald-msg']);
  assert.deepEqual(runbookFacts({ runbookText: readFileSync(path, 'utf8'), runbookName: 'x', host: 'h' }).containers.map((c) => c.ref), ['posta', 'arne-msg', 'marcus-msg', 'tarald-msg']);
});

// Every other operator-facing line that names an instance: preflight, status/verify texts, report, rollback commands.
import { otherSitesLines } from '../../src/preflight/index.ts';
import { formatFacts, runtimeRules } from '../../src/preflight/rules.ts';
import { evaluateVerify } from '../../checks/verify.ts';
import { evaluateUpstreams } from '../../checks/upstreams.ts';
import { renderReport } from '../../src/report/render.ts';
import { undoCommands } from '../../src/report/rollback.ts';
import type { ReportData } from '../../src/report/data.ts';
import type { RunRecord, StepRecord } from '../../src/journal/types.ts';
import type { WorldFacts, PreflightResult } from '../../src/preflight/types.ts';
import type { SnapshotResult } from '../../checks/snapshot.ts';
import type { RollbackEntry } from '../../src/engine/rollback.ts';

test('other sites: the legacy containers without an address are REMOTE:NAME with a remote, bare without', () => {
  const o = { list: [], unresolved: ['arne-msg', 'tarald-msg'] };
  const withRemote = otherSitesLines(o, remote).join('\n');
  assert.match(withRemote, /\(fismen:arne-msg, fismen:tarald-msg without an address now/);
  const bare = otherSitesLines(o, local).join('\n');
  assert.match(bare, /\(arne-msg, tarald-msg without an address now/);
  assert.doesNotMatch(bare, /fismen:/);
});

test('preflight: container problems and the copies\' sources name REMOTE:NAME (the fix is typed as shown)', () => {
  const facts: WorldFacts = {
    instances: { ok: true, value: [inst('arne-msg', 'Stopped'), inst('marcus-msg', 'Running')] },
    lab: { runtime: null, proxy: null, runtimeBinary: 'incus', caddyfile: null },
    sources: [{ stepKey: 'copy[arne]', container: 'arne-msg', path: '/var/lib/posta/keys.json', size: null, error: 'not found' }],
    space: [],
    smoke: null,
  };
  const steps = [{ key: 'repoint', action: 'proxy.repoint', params: {} }] as unknown as Parameters<typeof runtimeRules>[0]['steps'];
  const items = (rb: typeof local) => runtimeRules({ runbook: rb, runbookFile: 'rb.toml', steps, lineOf: () => undefined }, facts);
  const text = (rb: typeof local) => items(rb).map((x) => `${x.message} | ${x.fix}`).join('\n');
  const r = text(remote);
  assert.match(r, /legacy container fismen:arne-msg is Stopped/);
  assert.match(r, /incus start fismen:arne-msg /);
  assert.match(r, /container fismen:tarald-msg \(role legacy\) does not exist/);
  assert.match(r, /copy\[arne\]: fismen:arne-msg:\/var\/lib\/posta\/keys.json cannot be read/);
  assert.match(r, /incus exec fismen:arne-msg -- ls -l/);
  assert.doesNotMatch(text(local), /fismen:/);
  assert.match(text(local), /legacy container arne-msg is Stopped/);
  const pre = { items: [], diff: null, otherSites: [], sources: facts.sources, space: [] } as PreflightResult;
  assert.match(formatFacts(pre, remote), /copies read 1 file\(s\), .*: fismen:arne-msg:\/var\/lib\/posta\/keys.json MISSING/);
  assert.match(formatFacts(pre, local), /: arne-msg:\/var\/lib\/posta\/keys.json MISSING/);
});

test('verify: the criteria name the target and the legacy containers as REMOTE:NAME', () => {
  const empty = { ok: true, items: [] };
  const snap = (rb: typeof local): SnapshotResult => ({ phase: 'after', ok: true, containers: { ok: true, items: evaluateContainers(rb, [inst('posta', 'Running')], 'after') }, upstreams: empty, smoke: empty, tokens: empty }) as unknown as SnapshotResult;
  const gone = new Map(['arne-msg', 'marcus-msg', 'tarald-msg'].map((n) => [n, { runId: 4 }]));
  const text = (rb: typeof local) => evaluateVerify(rb, snap(rb), null, true, gone).map((c) => `${c.title}: ${c.expected}: ${c.actual}`).join('\n');
  const r = text(remote);
  assert.match(r, /^fismen:posta running the multi-tenant daemon: fismen:posta Running, .*: fismen:posta Running/m);
  assert.match(r, /^Caddy points at fismen:posta, no drift: .*pointing at fismen:posta/m);
  assert.match(r, /fismen:arne-msg, fismen:marcus-msg, fismen:tarald-msg deleted \(decommission run #4\)/);
  const l = text(local);
  assert.doesNotMatch(l, /fismen:/);
  assert.match(l, /^posta running the multi-tenant daemon/m);
  assert.match(l, /arne-msg, marcus-msg, tarald-msg deleted/);
});

test('upstreams: a site pointing elsewhere names both containers as the ref function puts them', () => {
  const obs = { sites: ['arne.example'], caddyfile: 'Caddyfile', fileDials: { 'arne.example': ['10.0.0.11:8080'] }, liveDials: { 'arne.example': ['10.0.0.11:8080'] }, pool: null };
  const byIp = new Map([['10.0.0.11', { container: 'arne-msg', status: 'Stopped' }]]);
  const [item] = evaluateUpstreams(obs, byIp, { container: 'posta' }, (n) => `fismen:${n}`);
  assert.equal(item!.pointsAt, 'arne-msg', 'the data keeps the bare name');
  assert.match(item!.why ?? '', /container fismen:arne-msg, which is Stopped/);
  assert.match(item!.why ?? '', /should point at fismen:posta but points at fismen:arne-msg/);
  assert.match(item!.expected, /pointing at fismen:posta/);
  const [bare] = evaluateUpstreams(obs, byIp, { container: 'posta' });
  assert.match(bare!.why ?? '', /should point at posta but points at arne-msg/);
});

test('report: the target, the rolled-back legacy path and the copies are REMOTE:NAME', () => {
  const text = readFileSync(path, 'utf8').replace(/^\[runtime\]\n/m, '[runtime]\nremote = "fismen"\n');
  const T0 = Date.UTC(2026, 4, 10);
  const run = (over: Partial<RunRecord>): RunRecord => ({ id: 7, runbookPath: 'rb.toml', runbookName: 'demo', runbookSha256: 'f'.repeat(64), runbookText: text, host: 'fismen', operator: 'kari', sshClient: null, mode: 'apply', pid: 1, startedAt: T0, endedAt: T0 + 60_000, outcome: 'succeeded', outage: { startedAt: T0, endedAt: T0 + 1000, ms: 1000 }, clientOutage: null, ...over });
  const step = (key: string, state: StepRecord['state'], over: Partial<StepRecord> = {}): StepRecord => ({ key, state, action: 'exec', title: key, startedAt: T0, endedAt: T0, durationMs: 0, attempts: 1, command: null, exitCode: 0, output: null, changed: null, backupPath: null, error: null, failureCode: null, rolledBack: null, ...over });
  const data = (r: RunRecord, steps: StepRecord[]): ReportData => ({ run: r, runbook: runbookFacts(r), plan: null, planProblem: 'x', catalog: CATALOG, steps, snapshot: null, baselines: [], waivers: [], stabilityWindow: '7d', stabilityWindowMs: 7 * 86_400_000, decommission: null });
  const copy = step('copy-db[arne]', 'succeeded', { action: 'copy', changed: { fromContainer: 'arne-msg', from: '/var/lib/posta/db.sqlite', toContainer: 'posta', to: '/var/lib/posta/arne/db.sqlite', size: 1024, mode: '0600', sha256: 'a'.repeat(64) } });
  const ok = renderReport(data(run({}), [copy]));
  assert.match(ok, /- `fismen:posta` container on/);
  assert.match(ok, /`fismen:arne-msg:\/var\/lib\/posta\/db.sqlite` → `fismen:posta:\/var\/lib\/posta\/arne\/db.sqlite`/);
  assert.match(ok, /Now served by the `fismen:posta` container\./);
  const back = renderReport(data(run({ outcome: 'rolled-back' }), [step('stop-legacy', 'rolled-back', { rolledBack: { at: T0 + 2000, error: null } } as Partial<StepRecord>)]));
  assert.match(back, /What runs now: the legacy path \(`fismen:arne-msg`, `fismen:marcus-msg`, `fismen:tarald-msg` behind the proxy\)/);
  assert.match(back, /Kept: .*the `fismen:posta` container/);
  assert.doesNotMatch(renderReport(data(run({ runbookText: readFileSync(path, 'utf8') }), [copy])), /fismen:(posta|arne-msg)/);
});

test('rollback commands by hand: `incus` is typed with REMOTE:NAME', () => {
  const entry = (action: string, params: Record<string, unknown>, undo: RollbackEntry['undo'] = { kind: 'auto' }) => ({ step: { key: 'k', action, params, title: 'k' }, undo, partial: false }) as unknown as RollbackEntry;
  const ref = (n: string) => instanceRef(remote, n);
  const rec = (changed: unknown) => ({ changed }) as StepRecord;
  assert.deepEqual(undoCommands(entry('config.set', {}), rec({ container: 'arne-msg', key: 'boot.autostart', from: 'true' }), CATALOG, ref), ['incus config set fismen:arne-msg boot.autostart=true']);
  assert.deepEqual(undoCommands(entry('container.stop', {}, { kind: 'step', action: 'container.start', params: { container: 'arne-msg' } }), undefined, CATALOG, ref), ['incus start fismen:arne-msg']);
  assert.deepEqual(undoCommands(entry('file.write', {}), rec({ container: 'posta', path: '/etc/init.d/posta', previous: { existed: false } }), CATALOG, ref), ['incus exec fismen:posta -- rm /etc/init.d/posta']);
  assert.deepEqual(undoCommands(entry('container.stop', {}, { kind: 'step', action: 'container.start', params: { container: 'arne-msg' } }), undefined, CATALOG), ['incus start arne-msg']);
});

import { evaluateTokens, readTokenDb } from '../../checks/tokens.ts';
import type { Runtime as RuntimePort } from '../../src/ports.ts';
import { CATALOG } from '../../src/actions/index.ts';

test('tokens: an unreadable DB and a lost token name the container as shown (REMOTE:NAME); the runtime gets the bare name', async () => {
  const asked: string[] = [];
  const runtime = { pullFile: async (name: string) => { asked.push(name); throw new Error('Error: not found\nmore'); } } as unknown as RuntimePort;
  await assert.rejects(readTokenDb(runtime, 'posta', '/var/lib/posta/arne/db.sqlite', undefined, undefined, 'fismen:posta'), /^Error: cannot read fismen:posta:\/var\/lib\/posta\/arne\/db.sqlite: Error: not found$/);
  await assert.rejects(readTokenDb(runtime, 'posta', '/db.sqlite'), /^Error: cannot read posta:\/db.sqlite/);
  assert.deepEqual(asked, ['posta', 'posta']);
  const baseline = { schemaVersion: 1, tokens: [{ device: 'phone', tokenHash: 'h', tokenMasked: 'abc…', createdAt: null, lastSeenAt: null }] };
  const lost = (read: { container: string; shownAs?: string }) =>
    evaluateTokens({ identity: 'arne', phase: 'after', read: { ...read, path: '/db.sqlite', schemaVersion: 1, rows: [] }, baseline, baselineRecordedAt: null, now: 0 } as unknown as Parameters<typeof evaluateTokens>[0]).map((i) => i.actual);
  assert.deepEqual(lost({ container: 'posta', shownAs: 'fismen:posta' }), ['missing from fismen:posta:/db.sqlite']);
  assert.deepEqual(lost({ container: 'posta' }), ['missing from posta:/db.sqlite']);
});

import { collectLogs } from '../../checks/logs.ts';
import { NoAddressError } from '../../src/actions/types.ts';
import type { Runtime } from '../../src/ports.ts';

test('log review and {{ip()}}: the instance log label and the no-address error name REMOTE:NAME', async () => {
  const asked: string[] = [];
  const runtime = { capabilities: ['log'], instanceLog: async (name: string) => (asked.push(name), 'lxc posta 20261203 INFO start\n') } as unknown as Runtime;
  const got = await collectLogs(runtime, 'posta', [{ kind: 'incus' }], { since: null, shownAs: instanceRef(remote, 'posta') });
  assert.deepEqual(asked, ['posta'], 'the runtime is asked by the bare name');
  assert.deepEqual(got.sources.map((s) => s.source), ['incus info --show-log fismen:posta']);
  assert.equal((await collectLogs(runtime, 'posta', [{ kind: 'incus' }], { since: null })).sources[0]!.source, 'incus info --show-log posta');
  assert.match(new NoAddressError('posta', instanceRef(remote, 'posta')).message, /container "fismen:posta" has no IPv4/);
  assert.equal(new NoAddressError('posta', instanceRef(remote, 'posta')).container, 'posta', 'the bare name for lookups');
});
