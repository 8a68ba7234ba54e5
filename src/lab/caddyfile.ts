// The lab's Caddyfile: shaped like production (global options, a comment, one site block per identity).
export interface LabSite {
  host: string;
  upstream: string;
}

export function labCaddyfile(o: { ip: string; httpPort: number; adminPort: number; sites: LabSite[] }): string {
  const blocks = o.sites.map((s) => `http://${s.host} {\n\tbind ${o.ip}\n\treverse_proxy ${s.upstream}\n}\n`);
  return [
    `{\n\tadmin ${o.ip}:${o.adminPort}\n\tauto_https off\n\thttp_port ${o.httpPort}\n}\n`,
    '# posta identities (cutover rehearsal lab): one site per identity, plain HTTP on loopback\n',
    ...blocks,
  ].join('\n');
}
