// `d` on a proxy.repoint shows the real Caddyfile diff, planned by planRepoint (real `caddy adapt`) on a real
// Caddyfile with {{ip("posta")}} resolved from the runtime; before the target exists it says the upstream is
// resolved when the step runs. file.write diffs the content against what the container holds now. The
// runtime is a fake port here (list/get/exec only); the e2e test does the same against the lab.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshState, POSTA_STEPS } from '../../screens/fixtures/posta.ts';
import type { CockpitState } from '../../screens/state/types.ts';
import { startPreviews } from '../../src/cockpit/preview.ts';
import type { Instance, Runtime } from '../../src/ports.ts';
import type { Runbook } from '../../src/runbook/schema.ts';
import type { BaselineStore } from '../../checks/baseline.ts';
import { diffLines } from '../../screens/components/diff-lines.ts';
import { renderScreen } from './render.tsx';

const SITES = ['arne.posta.test', 'marcus.posta.test'];
/** The legacy containers the sites dial: only their dials move. */
const LEGACY = SITES.map((_, i) => ({ name: `legacy-${i}`, status: 'Running', type: 'container' as const, ipv4: `127.0.10.${21 + i}`, config: {}, createdAt: null, lastUsedAt: null }));
const IDENTITIES = SITES.map((host, i) => ({ host, legacy_container: `legacy-${i}`, port: 80 }));
const CADDYFILE = SITES.map((s, i) => `http://${s} {\n\treverse_proxy 127.0.10.${21 + i}:80\n}\n`).join('\n');

function fakeRuntime(instances: Instance[], files: Record<string, string>): Runtime {
  const byName = (n: string) => instances.find((i) => i.name === n) ?? null;
  return {
    list: async () => instances,
    get: async (n: string) => byName(n),
    exec: async (n: string, argv: string[]) => {
      const f = files[`${n}:${argv[1]}`];
      return argv[0] === 'cat' && f !== undefined ? { exitCode: 0, stdout: f, stderr: '' } : { exitCode: 1, stdout: '', stderr: 'No such file' };
    },
  } as unknown as Runtime;
}

const instance = (name: string, ipv4: string | null): Instance => ({ name, status: ipv4 ? 'Running' : 'Stopped', type: 'container', ipv4, config: {}, createdAt: null, lastUsedAt: null });

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'cutover-preview-'));
  const caddyfile = join(dir, 'Caddyfile');
  writeFileSync(caddyfile, CADDYFILE);
  const runbook = { runbook: { name: 'posta-cutover', host: 'lab' }, runtime: {}, proxy: { caddyfile, admin: 'http://127.0.10.1:2019', sites: SITES }, identities: IDENTITIES, smoke: [], containers: [] } as unknown as Runbook;
  const steps = POSTA_STEPS.map((s) =>
    s.key === 'repoint-caddy' ? { ...s, params: { upstream: '{{ip("posta")}}:8080' } }
    : s.key === 'write-init' ? { ...s, params: { container: 'posta', path: '/etc/init.d/posta', content: '#!/sbin/openrc-run\ncommand_args="serve --manifest /etc/posta/identities.toml"\n', mode: '0755' } }
    : s,
  );
  const state: CockpitState = { ...freshState(), steps: freshState().steps.map((v, i) => ({ ...v, step: steps[i]! })) };
  return { dir, runbook, state, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const baselines = { load: async () => null, save: async () => {} } as unknown as BaselineStore;

async function previewed(state: CockpitState, runtime: Runtime, runbook: Runbook, select: string) {
  const s = await renderScreen({ ...state, selected: state.steps.findIndex((v) => v.step.key === select) }, { columns: 120, rows: 30 });
  const p = startPreviews(s.store, { runbook, runtime, env: {}, baselines });
  await p.settled();
  await s.press('d');
  return { s, p };
}

test('d on repoint-caddy: the real unified diff, old dials removed and the resolved new upstream added', async () => {
  const t = setup();
  const { s, p } = await previewed(t.state, fakeRuntime([instance('posta', '127.0.10.40'), ...LEGACY], {}), t.runbook, 'repoint-caddy');
  const text = s.text();
  assert.match(text, /Diff · repoint-caddy|diff · repoint-caddy/i);
  assert.match(text, /-\s+reverse_proxy 127\.0\.10\.21:80/);
  assert.match(text, /-\s+reverse_proxy 127\.0\.10\.22:80/);
  assert.match(text, /\+\s+reverse_proxy 127\.0\.10\.40:8080/);
  assert.match(text, /@@ -\d+,\d+ \+\d+,\d+ @@/);
  assert.doesNotMatch(text, /\{\{ip/);
  p.stop();
  s.unmount();
  t.cleanup();
});

test('diff colours: removed dial red, added dial green, hunk cyan; the glyphs carry the meaning without colour', async () => {
  const t = setup();
  const { s, p } = await previewed(t.state, fakeRuntime([instance('posta', '127.0.10.40'), ...LEGACY], {}), t.runbook, 'repoint-caddy');
  const lines = diffLines(s.store.getState().steps.find((v) => v.step.key === 'repoint-caddy')!.diff!);
  const colourOf = (re: RegExp) => lines.find((l) => re.test(l.map((x) => x.t).join('')))?.[0]?.c;
  assert.equal(colourOf(/^-\s+reverse_proxy 127\.0\.10\.21:80/), 'red');
  assert.equal(colourOf(/^\+\s+reverse_proxy 127\.0\.10\.40:8080/), 'green');
  assert.equal(colourOf(/^@@ /), 'cyan');
  p.stop();
  s.unmount();
  t.cleanup();
});

test('before the target container exists, d says the upstream is resolved when the step runs', async () => {
  const t = setup();
  const { s, p } = await previewed(t.state, fakeRuntime([...LEGACY], {}), t.runbook, 'repoint-caddy');
  assert.match(s.text(), /\(upstream resolved when the step runs: "posta" not created yet\)/);
  const diff = s.store.getState().steps.find((v) => v.step.key === 'repoint-caddy')!.diff!;
  assert.match(diff, /^\+\treverse_proxy <ip-of-posta>:8080$/m, 'the whole diff with the target as a named placeholder');
  assert.match(diff, /^-\treverse_proxy 127\.0\.10\.21:80$/m);
  assert.match(s.text(), /\$ cp -p .*Caddyfile .*Caddyfile\.bak\./, 'the commands still follow');
  p.stop();
  s.unmount();
  t.cleanup();
});

test('file.write: the content diff against the file in the container now', async () => {
  const t = setup();
  const old = '#!/sbin/openrc-run\ncommand_args="serve --config /etc/posta/arne.toml"\n';
  const { s, p } = await previewed(t.state, fakeRuntime([instance('posta', '127.0.10.40'), ...LEGACY], { 'posta:/etc/init.d/posta': old }), t.runbook, 'write-init');
  const text = s.text();
  assert.match(text, /-command_args="serve --config \/etc\/posta\/arne\.toml"/);
  assert.match(text, /\+command_args="serve --manifest \/etc\/posta\/identities\.toml"/);
  assert.match(text, /--- \/etc\/init\.d\/posta\s+posta now/);
  p.stop();
  s.unmount();
  t.cleanup();
});

test('the preview is refreshed when its step becomes the next one (the target now exists)', async () => {
  const t = setup();
  const instances: Instance[] = [...LEGACY];
  const s = await renderScreen({ ...t.state, selected: t.state.steps.findIndex((v) => v.step.key === 'repoint-caddy') }, { columns: 120, rows: 30 });
  const p = startPreviews(s.store, { runbook: t.runbook, runtime: fakeRuntime(instances, {}), env: {}, baselines });
  await p.settled();
  assert.match(s.store.getState().steps.find((v) => v.step.key === 'repoint-caddy')!.diff!, /not created yet/);
  instances.push(instance('posta', '127.0.10.40'));
  for (const v of s.store.getState().steps) {
    if (v.step.key === 'repoint-caddy') break;
    s.store.dispatch({ type: 'step-state', key: v.step.key, state: 'succeeded' });
  }
  await p.settled();
  assert.match(s.store.getState().steps.find((v) => v.step.key === 'repoint-caddy')!.diff!, /\+\s+reverse_proxy 127\.0\.10\.40:8080/);
  p.stop();
  s.unmount();
  t.cleanup();
});
