// The lab's Incus database: one JSON file of containers, changed under a lock by the shim and the supervisor.
import { mkdirSync, rmdirSync, statSync } from 'node:fs';
import { labLayout } from './layout.ts';
import { readJson, writeJsonAtomic } from './fsutil.ts';

export interface LabContainer {
  name: string;
  ip: string;
  status: 'Running' | 'Stopped';
  image: string;
  profiles: string[];
  config: Record<string, string>;
  createdAt: string;
  lastUsedAt: string | null;
  /** ms epoch of the last stop, for the autostart fault. */
  stoppedAt: number | null;
  /** Services started at boot (`rc-update add NAME default`). */
  enabledServices: string[];
  snapshots: { name: string; createdAt: string }[];
  /** An operation Incus still holds on the instance (a timed-out stop): config and file calls are refused. */
  busy?: string | null;
}

export interface LabState {
  containers: LabContainer[];
}

export function readState(dir: string): LabState {
  return readJson<LabState>(labLayout(dir).state) ?? { containers: [] };
}

/** Runs `fn` with the state locked; the state is written back when `fn` returns without throwing. */
export function withState<T>(dir: string, fn: (state: LabState) => T): T {
  const layout = labLayout(dir);
  lock(layout.stateLock);
  try {
    const state = readState(dir);
    const result = fn(state);
    writeJsonAtomic(layout.state, state);
    return result;
  } finally {
    try {
      rmdirSync(layout.stateLock);
    } catch {
      /* already gone */
    }
  }
}

function lock(path: string): void {
  const deadline = Date.now() + 5000;
  for (;;) {
    try {
      mkdirSync(path, { mode: 0o700 });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // A holder that died leaves the lock behind; nothing holds it longer than a second.
      try {
        if (Date.now() - statSync(path).mtimeMs > 10_000) rmdirSync(path);
      } catch {
        /* raced with its owner */
      }
      if (Date.now() > deadline) throw new Error(`lab state is locked (${path}); if no lab command is running, remove that directory`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
  }
}

export function findContainer(state: LabState, name: string): LabContainer | undefined {
  return state.containers.find((c) => c.name === name);
}

/** Next free address after the highest one in use (never reused within a lab's life). */
export function nextIp(state: LabState, subnet: string, firstHost: number): string {
  const used = state.containers.map((c) => Number(c.ip.split('.').pop()));
  const host = Math.max(firstHost - 1, ...used) + 1;
  if (host > 254) throw new Error(`lab subnet ${subnet}.0/24 is full`);
  return `${subnet}.${host}`;
}
