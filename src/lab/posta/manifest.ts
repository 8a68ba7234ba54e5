// /etc/posta/identities.toml: the multi-tenant daemon's list of identities, as the cutover runbook writes it:
//   [[identity]]
//   slug = "arne"
//   url = "https://arne.posta.no"
//   keys = "/var/lib/posta/arne/keys.json"
//   db = "/var/lib/posta/arne/inbox.db"
import TOML from '@iarna/toml';
import { readFileSync } from 'node:fs';
import { PostaError } from './errors.ts';

export interface ManifestIdentity {
  slug: string;
  url: string;
  /** Lower-case host of `url`: the Host header this identity answers. */
  host: string;
  keys: string;
  db: string;
}

const SLUG = /^[a-z0-9][a-z0-9_-]*$/;

export function readManifest(path: string): ManifestIdentity[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new PostaError(`cannot read manifest ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseManifest(text, path);
}

export function parseManifest(text: string, path: string): ManifestIdentity[] {
  let doc: Record<string, unknown>;
  try {
    doc = TOML.parse(text) as Record<string, unknown>;
  } catch (err) {
    const e = err as Error & { line?: number; col?: number };
    const at = e.line !== undefined ? `:${e.line + 1}:${(e.col ?? 0) + 1}` : '';
    throw new PostaError(`corrupt manifest ${path}${at}: ${e.message.split('\n')[0]!.replace(/ at row \d+, col \d+, pos \d+:?$/, '')}`);
  }
  const entries = doc.identity;
  if (!Array.isArray(entries) || entries.length === 0) throw new PostaError(`manifest ${path}: no [[identity]] tables`);
  const seenSlugs = new Set<string>();
  const seenHosts = new Set<string>();
  return entries.map((entry: Record<string, unknown>, i) => {
    const where = `manifest ${path}: identity[${i}]`;
    for (const key of ['slug', 'url', 'keys', 'db'] as const) {
      if (typeof entry[key] !== 'string' || entry[key] === '') throw new PostaError(`${where}: ${key} must be a non-empty string`);
    }
    const { slug, url, keys, db } = entry as Record<'slug' | 'url' | 'keys' | 'db', string>;
    if (!SLUG.test(slug)) throw new PostaError(`${where}: slug "${slug}" must be lower-case letters, digits, - or _`);
    let host: string;
    try {
      host = new URL(url).hostname.toLowerCase();
    } catch {
      throw new PostaError(`${where}: url "${url}" is not a URL`);
    }
    if (seenSlugs.has(slug)) throw new PostaError(`${where}: duplicate slug "${slug}"`);
    if (seenHosts.has(host)) throw new PostaError(`${where}: duplicate host "${host}"`);
    seenSlugs.add(slug);
    seenHosts.add(host);
    return { slug, url, host, keys, db };
  });
}
