// `lab down`: stops everything the lab started (supervisor → Caddy + devices, daemons) and then scans the
// lab's loopback range for listeners left behind by processes of this lab.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { labLayout } from './layout.ts';
import { cmdline, inLabSubnet, isAlive, listeningSockets, readPid, removeFile, terminate, type ListeningSocket } from './procs.ts';
import { readState, withState } from './state.ts';

export interface LabDownResult {
  /** What was stopped, e.g. "supervisor 1234", "posta in arne-msg 1240". */
  stopped: string[];
  /** Listeners in 127.0.10.0/24 still open afterwards (not this lab's processes). */
  foreign: ListeningSocket[];
}

export async function labDown(dir: string): Promise<LabDownResult> {
  const layout = labLayout(dir);
  const stopped: string[] = [];
  const stopPidFile = async (file: string, label: string) => {
    const pid = readPid(file);
    if (pid !== null && isAlive(pid) && cmdline(pid).includes(dir)) {
      await terminate(pid);
      stopped.push(`${label} ${pid}`);
    }
    removeFile(file);
  };
  await stopPidFile(layout.supervisorPid, 'supervisor');
  await stopPidFile(layout.caddyPid, 'caddy');
  const services = join(layout.run, 'services');
  if (existsSync(services)) {
    for (const f of readdirSync(services)) {
      if (f.endsWith('.pid')) await stopPidFile(join(services, f), f.replace(/\.pid$/, '').replace(/^(.*)\.([^.]+)$/, '$2 in $1'));
    }
  }
  for (const s of listeningSockets(inLabSubnet)) {
    for (const pid of s.pids) {
      if (isAlive(pid) && cmdline(pid).includes(dir)) {
        await terminate(pid);
        stopped.push(`stray listener ${s.address}:${s.port} pid ${pid}`);
      }
    }
  }
  if (existsSync(layout.state) && readState(dir).containers.some((c) => c.status === 'Running')) {
    withState(dir, (state) => {
      for (const c of state.containers) {
        if (c.status === 'Running') Object.assign(c, { status: 'Stopped', stoppedAt: Date.now() });
      }
    });
  }
  const foreign = listeningSockets(inLabSubnet);
  return { stopped, foreign };
}

/** Whether a lab in `dir` has its supervisor running. */
export function labIsUp(dir: string): boolean {
  const pid = readPid(labLayout(dir).supervisorPid);
  return pid !== null && isAlive(pid) && cmdline(pid).includes(dir);
}
