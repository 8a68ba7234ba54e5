// The Runtime port's capabilities: each adapter declares what it can do, need() narrows or names the limit,
// and every declared capability is backed by its methods (no stub that only throws).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { need, RUNTIME_CAPABILITIES, UnsupportedCapabilityError, type Runtime, type RuntimeCapability } from '../../src/ports.ts';
import { HostRuntime } from '../../src/adapters/host.ts';
import { DockerRuntime } from '../../src/adapters/docker.ts';
import { IncusRuntime } from '../../src/adapters/incus.ts';

const METHODS: Record<RuntimeCapability, string[]> = {
  create: ['launch'],
  power: ['start', 'stop'],
  delete: ['delete'],
  config: ['getConfig', 'setConfig', 'unsetConfig'],
  export: ['exportTo'],
  log: ['instanceLog'],
};

const runtimes: Runtime[] = [new HostRuntime(), new DockerRuntime(async () => ({ exitCode: 0, stdout: '', stderr: '' })), new IncusRuntime({ binary: '/nonexistent/incus' })];

test('each declared capability has its methods, each undeclared one has none', () => {
  for (const rt of runtimes) {
    for (const cap of RUNTIME_CAPABILITIES) {
      for (const m of METHODS[cap]) {
        const has = typeof (rt as unknown as Record<string, unknown>)[m] === 'function';
        assert.equal(has, rt.capabilities.includes(cap), `${rt.kind}: ${m} ${has ? 'present' : 'absent'} but ${cap} ${rt.capabilities.includes(cap) ? 'declared' : 'not declared'}`);
      }
    }
  }
});

test('incus can do everything; docker powers, deletes and exports; the host only runs and copies', () => {
  assert.deepEqual([...runtimes[2]!.capabilities].sort(), [...RUNTIME_CAPABILITIES].sort());
  assert.deepEqual([...runtimes[1]!.capabilities].sort(), ['delete', 'export', 'power']);
  assert.deepEqual([...runtimes[0]!.capabilities], []);
});

test('need() names the runtime and what it cannot do', () => {
  assert.throws(
    () => need(runtimes[0]!, 'power'),
    (e: unknown) => e instanceof UnsupportedCapabilityError && e.capability === 'power' && /the host runtime cannot start or stop instances/.test(e.message),
  );
  assert.throws(() => need(runtimes[1]!, 'config'), /the docker runtime cannot read or change instance config keys/);
  assert.equal(typeof need(runtimes[2]!, 'config').setConfig, 'function');
});
