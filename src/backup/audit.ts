// Audit of stateful modules: class, mounts, data size, last backup, last successful drill, readiness.
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { resolveClass, type ClassMapping } from './class-map.ts';
import { formatBytes } from './contract.ts';
import { readDrills } from './drill.ts';
import { treeSize } from './hash.ts';
import { listManifests, manifestBytes } from './manifest.ts';
import type { ModuleInfo } from './module-yaml.ts';
import type { BackupClass } from './types.ts';

export type Readiness = 'restore proven' | 'backup proven' | 'neither';

export interface AuditRow {
  module: string;
  class: BackupClass;
  classSource: string;
  mounts: string[];
  /** Bytes under the mounts readable here; null when none are (e.g. inside a remote container). */
  dataBytes: number | null;
  lastBackup: { created: string; bytes: number; manifest: string; intact: boolean } | null;
  lastDrill: { started: string; manifest: string } | null;
  readiness: Readiness;
}

export function auditModules(modules: ModuleInfo[], backupDir: string, mapping?: ClassMapping): AuditRow[] {
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
      return {
        module: m.name,
        class: cls,
        classSource: source,
        mounts: m.mounts,
        dataBytes: readable.length ? treeSize(readable) : null,
        lastBackup: last ? { created: last.manifest.created, bytes: manifestBytes(last.manifest), manifest: basename(last.path), intact } : null,
        lastDrill: drill ? { started: drill.started, manifest: drill.manifest } : null,
        readiness: drill ? 'restore proven' : last && intact ? 'backup proven' : 'neither',
      } satisfies AuditRow;
    });
}

export const AUDIT_COLUMNS = ['module', 'class', 'mounts', 'size', 'backup', 'drill', 'readiness'] as const;
export type AuditColumn = (typeof AUDIT_COLUMNS)[number];

const READINESS_ORDER: Record<Readiness, number> = { neither: 0, 'backup proven': 1, 'restore proven': 2 };

export function sortAudit(rows: AuditRow[], col: AuditColumn): AuditRow[] {
  const key = (r: AuditRow): string | number => {
    switch (col) {
      case 'module':
        return r.module;
      case 'class':
        return r.class + r.module;
      case 'mounts':
        return -r.mounts.length;
      case 'size':
        return -(r.dataBytes ?? -1);
      case 'backup':
        return r.lastBackup?.created ?? '';
      case 'drill':
        return r.lastDrill?.started ?? '';
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

const day = (iso: string) => iso.slice(0, 16).replace('T', ' ');

export function renderAuditTable(rows: AuditRow[]): string {
  const header = ['MODULE', 'CLASS', 'MOUNTS', 'DATA', 'LAST BACKUP', 'LAST DRILL', 'READINESS'];
  const body = rows.map((r) => [
    r.module,
    r.class,
    String(r.mounts.length),
    r.dataBytes === null ? '?' : formatBytes(r.dataBytes),
    r.lastBackup ? `${day(r.lastBackup.created)} ${formatBytes(r.lastBackup.bytes)}${r.lastBackup.intact ? '' : ' ✗ files missing'}` : '—',
    r.lastDrill ? day(r.lastDrill.started) : '—',
    `${r.readiness === 'restore proven' ? '✓✓' : r.readiness === 'backup proven' ? '✓ ' : '✗ '} ${r.readiness}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [fmt(header), ...body.map(fmt)].join('\n') + '\n';
}
