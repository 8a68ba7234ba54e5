// The Runtime contract against the lab's incus, plus the adapter's own error paths.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createIncusRuntime, IncusError } from '../../src/adapters/incus.ts';
import { runtimeContract } from '../contract/runtime-contract.ts';
import { startLab } from '../helpers/lab.ts';

test('Runtime contract on the lab incus', async (t) => {
  const lab = await startLab(t, ['--identities', '1']);
  await runtimeContract(t, lab.runtime, { image: 'images:alpine/3.21', prefix: 'contract', expectIpv4: true });
});

test('adapter: incus missing is a clear error', async () => {
  const rt = createIncusRuntime({ env: { ...process.env, CUTOVER_INCUS: '/nonexistent/incus' } });
  await assert.rejects(rt.list(), (e: unknown) => e instanceof IncusError && e.kind === 'missing' && /CUTOVER_INCUS/.test(e.message));
});

test('adapter: an unknown remote is reported, REMOTE:NAME is passed through', async (t) => {
  const lab = await startLab(t, ['--identities', '1']);
  const viaRemote = createIncusRuntime({ env: { ...process.env, ...lab.env }, remote: 'lab' });
  assert.equal((await viaRemote.get('arne-msg'))?.status, 'Running');
  const r = await viaRemote.exec('arne-msg', ['service', 'posta', 'status']);
  assert.equal(r.exitCode, 0);
  const bad = createIncusRuntime({ env: { ...process.env, ...lab.env }, remote: 'fismen' });
  await assert.rejects(bad.list(), /remote "fismen" doesn't exist/);
});
