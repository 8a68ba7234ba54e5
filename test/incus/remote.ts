// The lane's incusd as an Incus remote, the way an operator's laptop (or a cluster member) reaches it: its HTTPS
// API on 127.0.0.1:8443 of the lane namespace's own loopback (nothing outside the namespace can reach it), a
// client certificate made non-interactively in the lane's INCUS_CONF, trusted through the local socket, and
// `incus remote add` with it.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { LANE_DIR } from './world.ts';

export const REMOTE = 'lane';
export const HTTPS_ADDRESS = '127.0.0.1:8443';

const incus = (args: string[]) => execa('incus', args, { env: process.env, stdin: 'ignore' });

let added: Promise<void> | undefined;
/** Idempotent: the first call makes the remote, later calls wait for it. */
export function ensureRemote(): Promise<void> {
  added ??= (async () => {
    const conf = process.env['INCUS_CONF'];
    if (!conf || !conf.startsWith(LANE_DIR)) throw new Error(`INCUS_CONF (${conf ?? 'unset'}) must be inside the lane directory: run through scripts/test-incus.sh`);
    await incus(['config', 'set', 'core.https_address', HTTPS_ADDRESS]);
    await incus(['remote', 'generate-certificate']);
    await incus(['config', 'trust', 'add-certificate', join(conf, 'client.crt'), '--name', 'cutover-lane-client']);
    await incus(['remote', 'add', REMOTE, `https://${HTTPS_ADDRESS}`, '--accept-certificate']);
  })();
  return added;
}

/** A copy of `runbook` that differs only in `[runtime] remote = "lane"`. */
export function remoteRunbook(runbook: string): string {
  const text = readFileSync(runbook, 'utf8');
  const out = text.replace(/^(\[runtime\]\n(?:[^[\n].*\n)*?binary = "incus"\n)/m, `$1# REMOTE COPY (test/incus/remote.ts): every instance is addressed ${REMOTE}:NAME through the HTTPS API\nremote = "${REMOTE}"\n`);
  if (out === text) throw new Error(`${runbook}: no [runtime] binary = "incus" line to add the remote after`);
  const file = join(LANE_DIR, runbook.split('/').pop()!.replace(/\.toml$/, '.remote.toml'));
  writeFileSync(file, out);
  return file;
}
