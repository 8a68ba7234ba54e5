// The lab's `caddy` (<lab>/bin/caddy): runs /usr/bin/caddy, except that with the reload-failure fault armed
// the next `caddy reload` is rejected the way Caddy rejects a bad load, and the fault disarms itself.
import { spawnSync } from 'node:child_process';
import { readFaults, writeFaults } from './faults.ts';

const dir = process.env.CUTOVER_LAB_SHIM_DIR;
const real = process.env.CUTOVER_LAB_REAL_CADDY || '/usr/bin/caddy';
const args = process.argv.slice(2);

if (dir && args[0] === 'reload') {
  const faults = readFaults(dir);
  if (faults.reloadFailureArmed) {
    writeFaults(dir, { ...faults, reloadFailureArmed: false });
    process.stderr.write(
      `${new Date().toISOString()}\tINFO\tusing provided configuration\n` +
        'Error: sending configuration to instance: caddy responded with error: HTTP 400: ' +
        '{"error":"loading config: loading new config: http app module: start: lab fault reload-failure: this reload was rejected on purpose"}\n',
    );
    process.exit(1);
  }
}
const r = spawnSync(real, args, { stdio: 'inherit' });
if (r.error) {
  process.stderr.write(`caddy (lab wrapper): cannot run ${real}: ${r.error.message}\n`);
  process.exit(127);
}
process.exit(r.status ?? 1);
