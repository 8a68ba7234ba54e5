// Which dials move in a repoint: for each site, the addresses of its identity's legacy container as Caddy
// would dial them (IPv4 from the runtime, and the container's DNS names), at the identity's port. Pure.
import type { SiteMove } from './edit.ts';
import { hostOfAddress } from './parse.ts';

export interface LegacyIdentity {
  host: string;
  legacy_container: string;
  port: number;
}

export interface LegacyInputs {
  sites: string[];
  identities: LegacyIdentity[];
  /** The runtime's instances (name → IPv4, null when it has none). */
  instances: { name: string; ipv4: string | null }[];
}

export interface LegacyMoves {
  moves: SiteMove[];
  /** Legacy containers whose address is not known (missing, or without IPv4): their IP dials cannot be matched. */
  unresolved: string[];
}

/** The dials of a container at a port: `IP:port`, `name:port`, `name.incus:port`, `name.lxd:port`. */
export function containerDials(name: string, ipv4: string | null, port: number): string[] {
  const bare = name.includes(':') ? name.slice(name.indexOf(':') + 1) : name;
  return [...(ipv4 ? [`${ipv4}:${port}`] : []), `${bare}:${port}`, `${bare}.incus:${port}`, `${bare}.lxd:${port}`].map((d) => d.toLowerCase());
}

/**
 * Each site with the dials to move: the site's identity's legacy container; a site no identity names moves the
 * dials of every identity's legacy container.
 */
export function legacyMoves(i: LegacyInputs): LegacyMoves {
  const ip = new Map(i.instances.map((x) => [x.name, x.ipv4]));
  const unresolved = new Set<string>();
  const dialsOf = (id: LegacyIdentity) => {
    const addr = ip.get(id.legacy_container) ?? null;
    if (!addr) unresolved.add(id.legacy_container);
    return containerDials(id.legacy_container, addr, id.port);
  };
  const moves = i.sites.map((site): SiteMove => {
    const host = (hostOfAddress(site) ?? site).toLowerCase();
    const own = i.identities.filter((id) => id.host.toLowerCase() === host);
    const from = own.length ? own : i.identities;
    return { host: site, legacy: [...new Set(from.flatMap(dialsOf))], container: [...new Set(from.map((id) => id.legacy_container))].join(', ') };
  });
  return { moves, unresolved: [...unresolved] };
}
