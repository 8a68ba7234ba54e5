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
const local = loadRunbook(path).runbook!;
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
