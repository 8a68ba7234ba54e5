// The Runtime contract against a REAL Incus daemon (lane `npm run test:incus`, not part of `npm test`: CI's
// bare machine has no Incus). scripts/test-incus.sh installs Incus, starts incusd and imports the image.
import { test } from 'node:test';
import { createIncusRuntime } from '../../src/adapters/incus.ts';
import { runtimeContract } from '../contract/runtime-contract.ts';

const image = process.env['CUTOVER_INCUS_IMAGE'] ?? 'cutover-busybox';

test('Runtime contract on real Incus', async (t) => {
  const rt = createIncusRuntime({ env: process.env });
  // No container networking is configured for this lane (no bridge on a sandbox), so no IPv4 is expected.
  await runtimeContract(t, rt, { image, prefix: 'cutover-contract', expectIpv4: false });
});
