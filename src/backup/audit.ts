// Audit of stateful modules: class, mounts, data size, last backup, last successful drill, readiness. For
// modules that run in Docker, the container, its mounts and their sizes come from the daemon.
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { resolveClass, type ClassMapping } from './class-map.ts';
import { byteScale, formatBytes } from './contract.ts';
import { readDrills } from './drill.ts';
import { treeSize } from './hash.ts';
import { listManifests, manifestBytes } from './manifest.ts';
import type { ModuleInfo } from './module-yaml.ts';
import type { DockerRuntime } from '../adapters/docker.ts';
import type { BackupClass } from './types.ts';

export type Readiness = 'restore proven' | 'backup proven' | 'neither';

/** One mount of a module's container, as `docker inspect` reports it, with its size. */
export interface RuntimeMount {
  type: string;
  /** Volume name (type volume), else null. */
  name: string | null;
  source: string;
  destination: string;
  /** Bytes; null when unknown. */
  bytes: number | null;
  /** Where the size comes from: `docker system df` (volumes), `du` (bind sources read here). */
  sizeFrom: 'docker system df' | 'du' | null;
}

/** What the runtime says about one module: its container and mounts (docker), or why it could not say. */
export interface RuntimeFacts {
  runtime: string;
  container?: string;
  mounts?: RuntimeMount[];
  error?: string;
}

export interface AuditRow {
  module: string;
  class: BackupClass;
  classSource: string;
  /** spec.mounts, or the container's mount destinations when the runtime reported them. */
  mounts: string[];
  /** Bytes under the mounts readable here, or the runtime's sizes; null when unknown. */
  dataBytes: number | null;
  runtime?: RuntimeFacts;
  lastBackup: { created: string; bytes: number; manifest: string; intact: boolean } | null;
  lastDrill: { started: string; manifest: string } | null;
  readiness: Readiness;
}

export function auditModules(modules: ModuleInfo[], backupDir: string, mapping?: ClassMapping, facts: Map<string, RuntimeFacts> = new Map()): AuditRow[] {
  const manifests = listManifests(backupDir);
  const drills = readDrills(backupDir);
  return modules
    .filter((m) => m.stateful)
    .map((m) => {
      const { cls, source } = resolveClass(m.name, { metadata: m.backupClass, mapping });
      const readable = m.mounts.filter((p) => existsSync(p));
      const last = manifests.filter((x) => x.manifest.module === m.name).at(-1);
      const drill = drills.filter((d) => d.module === m.name && d.ok).at(-1);
      const intact = last ? last.manifest.files.every((f) => statSync(join(dirname(last.path), basename(f.name)), { throwIfNoEntry: false })?.size === f.size) : false;
      const rt = facts.get(m.name);
      const rtBytes = rt?.mounts?.length && rt.mounts.every((x) => x.bytes !== null) ? rt.mounts.reduce((n, x) => n + x.bytes!, 0) : null;
      return {
        module: m.name,
        class: cls,
        classSource: source,
        mounts: rt?.mounts && !m.mounts.length ? rt.mounts.map((x) => x.destination) : m.mounts,
        dataBytes: readable.length ? treeSize(readable) : rtBytes,
        ...(rt ? { runtime: rt } : {}),
        lastBackup: last ? { created: last.manifest.created, bytes: manifestBytes(last.manifest), manifest: basename(last.path), intact } : null,
        lastDrill: drill ? { started: drill.started, manifest: drill.manifest } : null,
        readiness: drill ? 'restore proven' : last && intact ? 'backup proven' : 'neither',
      } satisfies AuditRow;
    });
}

/**
 * Docker facts for the stateful modules that run in Docker: the container (compose labels, then name), its
 * mounts from `docker inspect`, volume sizes from `docker system df -v`, bind sources measured here. A
 * module whose container cannot be found gets an error instead (the audit still lists it).
 */
export async function dockerAuditFacts(modules: ModuleInfo[], docker: DockerRuntime, opts: { composeProject?: string } = {}): Promise<Map<string, RuntimeFacts>> {
  const out = new Map<string, RuntimeFacts>();
  let sizes: Map<string, number> | undefined;
  for (const m of modules.filter((x) => x.stateful)) {
    try {
      const container = await docker.resolveContainer(m.container ?? m.name, opts);
      const mounts: RuntimeMount[] = [];
      for (const mt of await docker.mounts(container)) {
        if (mt.type === 'volume' && mt.name) {
          sizes ??= await docker.volumeSizes();
          const bytes = sizes.get(mt.name);
          mounts.push({ ...mt, bytes: bytes ?? null, sizeFrom: bytes === undefined ? null : 'docker system df' });
        } else {
          const here = mt.source && existsSync(mt.source);
          mounts.push({ ...mt, bytes: here ? treeSize([mt.source]) : null, sizeFrom: here ? 'du' : null });
        }
      }
      out.set(m.name, { runtime: 'docker', container, mounts: mounts.map(({ type, name, source, destination, bytes, sizeFrom }) => ({ type, name, source, destination, bytes, sizeFrom })) });
    } catch (err) {
      out.set(m.name, { runtime: 'docker', error: (err as Error).message });
    }
  }
  return out;
}

export const AUDIT_COLUMNS = ['name', 'module', 'class', 'mounts', 'size', 'backup', 'drill', 'readiness'] as const;
export type AuditColumn = (typeof AUDIT_COLUMNS)[number];

const READINESS_ORDER: Record<Readiness, number> = { neither: 0, 'backup proven': 1, 'restore proven': 2 };

/** Sorted copy; size, backup and drill put the biggest / most recent first, readiness the least ready first. */
export function sortAudit(rows: AuditRow[], col: AuditColumn): AuditRow[] {
  const key = (r: AuditRow): string | number => {
    switch (col) {
      case 'name':
      case 'module':
        return r.module;
      case 'class':
        return r.class + r.module;
      case 'mounts':
        return -r.mounts.length;
      case 'size':
        return -(r.dataBytes ?? -1);
      case 'backup':
        return -Date.parse(r.lastBackup?.created ?? '1970-01-01');
      case 'drill':
        return -Date.parse(r.lastDrill?.started ?? '1970-01-01');
      case 'readiness':
        return READINESS_ORDER[r.readiness];
    }
  };
  return [...rows].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? -1 : ka > kb ? 1 : a.module.localeCompare(b.module);
  });
}

export const AUDIT_WIDTH = 80;

/** Compact byte sizes for the table: 512B, 9.9K, 44M, 1.2G (binary units). */
export function shortBytes(n: number): string {
  const { value, power } = byteScale(n);
  return power === 0 ? `${n}B` : `${value < 10 ? value.toFixed(1) : Math.floor(value)}${['B', 'K', 'M', 'G', 'T'][power]}`;
}

const READY_WORD: Record<Readiness, string> = { 'restore proven': 'restore', 'backup proven': 'backup', neither: 'neither' };

/**
 * The audit as a table that fits 80 columns: long module names are cut with "…" (the JSON has them whole).
 * Dates are UTC days; the backup column is its day and size.
 */
export function renderAuditTable(rows: AuditRow[], width = AUDIT_WIDTH): string {
  const header = ['MODULE', 'CL', 'MNT', 'DATA', 'LAST BACKUP', 'LAST DRILL', 'PROVEN'];
  const body = rows.map((r) => [
    r.module,
    r.class,
    String(r.mounts.length),
    r.dataBytes === null ? '?' : shortBytes(r.dataBytes),
    r.lastBackup ? `${r.lastBackup.created.slice(0, 10)} ${shortBytes(r.lastBackup.bytes)}${r.lastBackup.intact ? '' : ' !'}` : '—',
    r.lastDrill ? r.lastDrill.started.slice(0, 10) : '—',
    READY_WORD[r.readiness],
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => [...row[i]!].length)));
  const rest = widths.slice(1).reduce((a, b) => a + b, 0) + 2 * (widths.length - 1);
  widths[0] = Math.max(6, Math.min(widths[0]!, width - rest));
  const cut = (c: string, w: number) => ([...c].length > w ? [...c].slice(0, w - 1).join('') + '…' : c);
  const fmt = (cells: string[]) => cells.map((c, i) => cut(c, widths[i]!).padEnd(widths[i]!)).join('  ').trimEnd();
  return [fmt(header), ...body.map(fmt)].join('\n') + '\n';
}

export const AUDIT_LEGEND = [
  'PROVEN: restore = a drill restored it and compared equal; backup = a backup',
  'with all its files; neither. "!" = files of the last backup are missing.',
].join('\n');
