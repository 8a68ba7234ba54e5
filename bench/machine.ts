// The machine a bench ran on, for the table's header and the README.
import { cpus, release, totalmem } from 'node:os';
import { readFileSync } from 'node:fs';

export interface Machine {
  cpu: string;
  cores: number;
  memGiB: number;
  os: string;
  node: string;
}

export function machine(): Machine {
  let os = `Linux ${release()}`;
  try {
    const pretty = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1];
    if (pretty) os = `${pretty}, kernel ${release()}`;
  } catch {
    /* not Linux-like: keep the kernel */
  }
  return { cpu: cpus()[0]?.model.trim() ?? 'unknown', cores: cpus().length, memGiB: Math.round(totalmem() / 1024 ** 3), os, node: process.version };
}

export function describeMachine(m: Machine): string {
  return `${m.cores} × ${m.cpu}, ${m.memGiB} GiB RAM, ${m.os}, Node ${m.node}`;
}
