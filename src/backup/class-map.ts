// Which backup class a module gets: --class, else the module's own metadata (module.yaml spec.backup.class),
// else the mapping (exact name before patterns, patterns in file order), else E (mounted data archive).
// The default mapping is the platform's table from seed 003; a TOML file replaces it:
//   [classes]
//   postgres = "A"
//   "*postgres" = "A"
import { readFileSync } from 'node:fs';
import TOML from '@iarna/toml';
import { BackupError } from './contract.ts';
import { BACKUP_CLASSES, type BackupClass } from './types.ts';

export type ClassMapping = [pattern: string, cls: BackupClass][];

export const DEFAULT_CLASS_MAPPING: ClassMapping = [
  ['agaria-postgres', 'G'],
  ['agaria-redis', 'G'],
  ['karakeep-meilisearch', 'F'],
  ['searxng', 'F'],
  ['vault', 'C'],
  ['minio', 'D'],
  ['postgres', 'A'],
  ['honcho-postgres', 'A'],
  ['agent-plane-shadow-postgres', 'A'],
  ['*postgres', 'A'],
  ['redis', 'B'],
  ['honcho-redis', 'B'],
  ['infisical-redis', 'B'],
  ['*redis', 'B'],
];

export function parseClass(value: string, where: string): BackupClass {
  const v = value.trim().toUpperCase();
  if ((BACKUP_CLASSES as readonly string[]).includes(v)) return v as BackupClass;
  throw new BackupError(`${where}: unknown backup class "${value}" (expected one of ${BACKUP_CLASSES.join(', ')})`, 'bad-input');
}

export function loadClassMapping(file: string): ClassMapping {
  let doc: Record<string, unknown>;
  try {
    doc = TOML.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    const e = err as Error & { line?: number; col?: number };
    const at = e.line !== undefined ? `${file}:${e.line + 1}:${(e.col ?? 0) + 1}` : file;
    throw new BackupError(`${at}: ${e.message.split('\n')[0]}`, 'bad-input');
  }
  const classes = doc.classes;
  if (!classes || typeof classes !== 'object') throw new BackupError(`${file}: missing [classes] table (module or pattern = "A".."G" | "S")`, 'bad-input');
  return Object.entries(classes as Record<string, unknown>).map(([pattern, cls]) => [pattern, parseClass(String(cls), `${file}: classes.${pattern}`)]);
}

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*').replaceAll('?', '.')}$`);
}

export function resolveClass(module: string, opts: { override?: string; metadata?: string; mapping?: ClassMapping } = {}): { cls: BackupClass; source: string } {
  if (opts.override) return { cls: parseClass(opts.override, '--class'), source: '--class' };
  if (opts.metadata) return { cls: parseClass(opts.metadata, `${module} module.yaml spec.backup.class`), source: 'module.yaml' };
  const mapping = opts.mapping ?? DEFAULT_CLASS_MAPPING;
  const exact = mapping.find(([p]) => !p.includes('*') && !p.includes('?') && p === module);
  if (exact) return { cls: exact[1], source: `mapping: ${exact[0]}` };
  const pattern = mapping.find(([p]) => globToRegExp(p).test(module));
  if (pattern) return { cls: pattern[1], source: `mapping: ${pattern[0]}` };
  return { cls: 'E', source: 'default' };
}
