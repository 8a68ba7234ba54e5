// Faults a rehearsal can inject; stored in faults.json so the shim, the supervisor and daemons see changes.
import { labLayout, type LabConfig } from './layout.ts';
import { readJson, writeJsonAtomic } from './fsutil.ts';
import { withState } from './state.ts';

export const FAULTS = {
  'truncated-copy': 'incus file push/pull writes only half of the file',
  'wrong-mode': 'incus file push ignores --mode (files land 0644)',
  'daemon-crash': 'the multi-tenant posta daemon exits right after it starts',
  'reload-failure': 'the next `caddy reload` through the lab caddy is rejected',
  'slow-identity': 'the first identity answers after 4.5 s (past the 3 s probe timeout)',
  autostart:
    "the legacy containers have boot.autostart=true (set where unset, as on fismen) and Incus restarts 3 s after one stops: as on real Incus, a container stopped with `incus stop` comes back at daemon start only with boot.autostart=true",
  'noisy-logs': 'the multi-tenant daemon logs a restart, a panic and per-identity errors',
  'late-crash': 'the multi-tenant daemon answers, then dies 0.7 s after it starts listening',
  'new-address': 'a legacy container that boots again comes back with another address (a lost DHCP lease)',
  'ignore-stop': "the legacy containers' init ignores the stop signal: incus stop waits out its --timeout (forever without one) and fails; --force still stops them",
} as const;
export type FaultName = keyof typeof FAULTS;

export interface FaultState {
  active: FaultName[];
  /** reload-failure is one-shot: set when armed, cleared by the reload it rejects. */
  reloadFailureArmed?: boolean;
}

export function isFaultName(name: string): name is FaultName {
  return Object.hasOwn(FAULTS, name);
}

export function readFaults(dir: string): FaultState {
  return readJson<FaultState>(labLayout(dir).faults) ?? { active: [] };
}

export function hasFault(dir: string, name: FaultName): boolean {
  return readFaults(dir).active.includes(name);
}

export function setFault(dir: string, name: FaultName, on: boolean): FaultState {
  const cur = readFaults(dir);
  const active = new Set(cur.active);
  if (on) active.add(name);
  else active.delete(name);
  const next: FaultState = { active: [...active].sort() };
  if (name === 'reload-failure') next.reloadFailureArmed = on;
  if (name === 'autostart' && on) armAutostart(dir);
  else if (cur.reloadFailureArmed) next.reloadFailureArmed = true;
  writeJsonAtomic(labLayout(dir).faults, next);
  return next;
}

/**
 * Fault autostart: real Incus starts a stopped instance at daemon start only when boot.autostart=true (unset
 * brings back only what was running when the daemon went down), so the seed's legacy containers that came back
 * after a reboot had it set. The fault sets it on the legacy containers where it is unset; false stays false.
 */
export function armAutostart(dir: string): void {
  const legacy = new Set((readJson<LabConfig>(labLayout(dir).config)?.identities ?? []).map((i) => i.container));
  if (!legacy.size) return;
  withState(dir, (state) => {
    for (const c of state.containers) if (legacy.has(c.name) && c.config['boot.autostart'] === undefined) c.config['boot.autostart'] = 'true';
  });
}

export function writeFaults(dir: string, state: FaultState): void {
  writeJsonAtomic(labLayout(dir).faults, state);
}
