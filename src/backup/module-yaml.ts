// Reads the platform's module.yaml files (seed 003: modules/*/module.yaml with spec.runtime.statefulness).
// No YAML dependency ships with cutover, so this reads the block subset those files use: nested maps,
// lists of scalars, scalars (plain or quoted), comments. Anything else is reported with file:line.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { BackupError } from './contract.ts';

export type YamlValue = string | YamlValue[] | { [k: string]: YamlValue };

export function parseYamlSubset(text: string, file: string): { [k: string]: YamlValue } {
  const lines = text.split('\n').map((raw, i) => ({ raw: raw.replace(/\s+#.*$/, '').replace(/^\s*#.*$/, '').trimEnd(), n: i + 1 })).filter((l) => l.raw.trim() !== '' && l.raw.trim() !== '---');
  let i = 0;
  const indentOf = (s: string) => s.length - s.trimStart().length;
  const scalar = (v: string): string => {
    const t = v.trim();
    if ((t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'"))) return t.slice(1, -1);
    return t;
  };
  const block = (indent: number): YamlValue => {
    const first = lines[i];
    if (!first) return '';
    if (first.raw.trimStart().startsWith('- ') || first.raw.trim() === '-') {
      const list: YamlValue[] = [];
      while (lines[i] && indentOf(lines[i]!.raw) === indent && lines[i]!.raw.trimStart().startsWith('-')) {
        const item = lines[i]!.raw.trimStart().slice(1).trim();
        i++;
        if (item.includes(': ') || item.endsWith(':')) throw new BackupError(`${file}:${lines[i - 1]!.n}: lists of maps are not read here; use a list of plain values`, 'bad-input');
        list.push(scalar(item));
      }
      return list;
    }
    const map: { [k: string]: YamlValue } = {};
    while (lines[i] && indentOf(lines[i]!.raw) === indent) {
      const { raw, n } = lines[i]!;
      const m = /^\s*([^:]+?):(?:\s+(.*))?$/.exec(raw);
      if (!m) throw new BackupError(`${file}:${n}: expected "key: value"`, 'bad-input');
      i++;
      const key = scalar(m[1]!);
      if (m[2] !== undefined && m[2] !== '') map[key] = m[2].trim() === '[]' ? [] : scalar(m[2]);
      else if (lines[i] && indentOf(lines[i]!.raw) > indent) map[key] = block(indentOf(lines[i]!.raw));
      else if (lines[i] && indentOf(lines[i]!.raw) === indent && lines[i]!.raw.trimStart().startsWith('- ')) map[key] = block(indent);
      else map[key] = '';
    }
    if (lines[i] && indentOf(lines[i]!.raw) > indent) throw new BackupError(`${file}:${lines[i]!.n}: unexpected indentation`, 'bad-input');
    return map;
  };
  const doc = block(0);
  if (i < lines.length) throw new BackupError(`${file}:${lines[i]!.n}: unexpected indentation`, 'bad-input');
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new BackupError(`${file}: expected a map at the top level`, 'bad-input');
  return doc;
}

export interface ModuleInfo {
  name: string;
  file: string;
  stateful: boolean;
  /** spec.backup.class, when the module declares one. */
  backupClass?: string;
  /** spec.runtime.kind (docker, incus, host) and container name, when declared. */
  runtime?: string;
  container?: string;
  /** Data paths (spec.mounts), made absolute against the module's directory. */
  mounts: string[];
}

function get(doc: YamlValue | undefined, ...path: string[]): YamlValue | undefined {
  let cur = doc;
  for (const k of path) cur = cur && typeof cur === 'object' && !Array.isArray(cur) ? cur[k] : undefined;
  return cur;
}
const str = (v: YamlValue | undefined) => (typeof v === 'string' && v !== '' ? v : undefined);

export function readModule(file: string, dirName: string): ModuleInfo {
  const doc = parseYamlSubset(readFileSync(file, 'utf8'), file);
  const base = resolve(file, '..');
  const mounts = get(doc, 'spec', 'mounts');
  return {
    name: str(get(doc, 'metadata', 'name')) ?? dirName,
    file,
    stateful: str(get(doc, 'spec', 'runtime', 'statefulness')) === 'stateful',
    backupClass: str(get(doc, 'spec', 'backup', 'class')),
    runtime: str(get(doc, 'spec', 'runtime', 'kind')),
    container: str(get(doc, 'spec', 'runtime', 'container')),
    mounts: Array.isArray(mounts) ? mounts.filter((m): m is string => typeof m === 'string').map((m) => (isAbsolute(m) ? m : join(base, m))) : [],
  };
}

/** Every DIR/<module>/module.yaml, sorted by module name. */
export function loadModules(dir: string): ModuleInfo[] {
  if (!existsSync(dir)) throw new BackupError(`modules dir ${dir} does not exist (expected ${dir}/<module>/module.yaml)`, 'bad-input');
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'module.yaml')))
    .map((d) => readModule(join(dir, d.name, 'module.yaml'), d.name))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export function findModule(dir: string, name: string): ModuleInfo | undefined {
  const direct = join(dir, name, 'module.yaml');
  if (existsSync(direct)) return readModule(direct, name);
  return loadModules(dir).find((m) => m.name === name);
}
