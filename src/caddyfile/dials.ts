// Reading Caddy's JSON config by meaning, never by route index (Caddy orders routes by specificity, so the
// index of a site's route changes when sites are added): which upstreams each host's routes dial.

type Json = unknown;
const isObj = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);
const arr = (v: Json): Json[] => (Array.isArray(v) ? v : []);

export interface ProxyHandlerRef {
  /** Path of the handler's `upstreams` array in the config, e.g. ["apps","http","servers","srv0","routes",0,…,"upstreams"]. */
  upstreamsPath: (string | number)[];
  /** Hosts the enclosing routes match (inherited by nested subroutes). Empty: matches any host. */
  hosts: string[];
  dials: string[];
}

/** Every reverse_proxy handler in apps.http.servers.*.routes (and errors.routes), nested subroutes included. */
export function proxyHandlers(config: Json): ProxyHandlerRef[] {
  const out: ProxyHandlerRef[] = [];
  const walk = (routes: Json, path: (string | number)[], inherited: string[]) => {
    arr(routes).forEach((route, ri) => {
      if (!isObj(route)) return;
      const matched = arr(route.match).flatMap((m) => (isObj(m) ? arr(m.host).filter((h): h is string => typeof h === 'string') : []));
      const hosts = matched.length ? matched.map((h) => h.toLowerCase()) : inherited;
      arr(route.handle).forEach((h, hi) => {
        if (!isObj(h)) return;
        const here = [...path, ri, 'handle', hi];
        if (h.handler === 'reverse_proxy') {
          const dials = arr(h.upstreams).flatMap((u) => (isObj(u) && typeof u.dial === 'string' ? [u.dial] : []));
          out.push({ upstreamsPath: [...here, 'upstreams'], hosts, dials });
        } else if (h.handler === 'subroute') walk(h.routes, [...here, 'routes'], hosts);
      });
    });
  };
  const http = isObj(config) && isObj(config.apps) && isObj(config.apps.http) ? config.apps.http : {};
  const servers = isObj(http.servers) ? http.servers : {};
  for (const [name, server] of Object.entries(servers)) {
    if (!isObj(server)) continue;
    const base = ['apps', 'http', 'servers', name];
    walk(server.routes, [...base, 'routes'], []);
    if (isObj(server.errors)) walk(server.errors.routes, [...base, 'errors', 'routes'], []);
  }
  return out;
}

/** host → the dials its routes proxy to, in config order, without duplicates. */
export function dialsByHost(config: Json): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const p of proxyHandlers(config)) {
    for (const host of p.hosts) {
      const list = map.get(host) ?? [];
      for (const d of p.dials) if (!list.includes(d)) list.push(d);
      map.set(host, list);
    }
  }
  return map;
}

/** The dial Caddy derives from a Caddyfile upstream: `10.0.0.1` → `10.0.0.1:80`, `https://h` → `h:443`. */
export function dialOfUpstream(upstream: string): string {
  const scheme = upstream.match(/^([a-z][a-z0-9+.-]*):\/\//i)?.[1]?.toLowerCase();
  const rest = upstream.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/\/.*$/, '');
  const hasPort = rest.startsWith('[') ? /\]:\d+$/.test(rest) : /:\d+$/.test(rest);
  return hasPort ? rest : `${rest}:${scheme === 'https' ? 443 : 80}`;
}
