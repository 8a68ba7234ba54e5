// Audit of stateful modules: class, mounts, data size, last backup, last successful drill, readiness.
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { resolveClass, type ClassMapping } from './class-map.ts';
import { byteScale, formatBytes } from './contract.ts';
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
