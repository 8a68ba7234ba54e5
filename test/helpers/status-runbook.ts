// A runbook pointing at a rehearsal lab (lab.json), for the status/verify integration tests and the bench:
// the production posta runbook's watch sections with the lab's Caddy, addresses and daemon port.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface LabJson {
  caddy: { ip: string; httpPort: number; adminPort: number };
  daemonPort: number;
  identities: { slug: string; name: string; host: string; container: string }[];
}

export function labStatusRunbook(labDir: string, opts: { name?: string; stateDir: string }): string {
  const lab = JSON.parse(readFileSync(join(labDir, 'lab.json'), 'utf8')) as LabJson;
  const q = JSON.stringify;
  const ids = lab.identities;
  const parts = [
    `[runbook]\nname = ${q(opts.name ?? 'lab-status')}\nhost = "fismen-lab"\nstate_dir = ${q(opts.stateDir)}\n`,
    `[[containers]]\nname = "posta"\nrole = "target"\n`,
    ...ids.map((i) => `[[containers]]\nname = ${q(i.container)}\nrole = "legacy"\n`),
    `[proxy]\ncaddyfile = ${q(join(labDir, 'caddy', 'Caddyfile'))}\nadmin = "http://${lab.caddy.ip}:${lab.caddy.adminPort}"\n` +
      `sites = [${ids.map((i) => q(i.host)).join(', ')}]\npublic_url = "http://${lab.caddy.ip}:${lab.caddy.httpPort}"\n`,
    ...ids.map(
      (i) =>
        `[[identities]]\nslug = ${q(i.slug)}\nhost = ${q(i.host)}\nurl = ${q(`https://${i.host}`)}\nlegacy_container = ${q(i.container)}\n` +
        `actor_name = ${q(i.name)}\nlegacy_keys = "/var/lib/posta/keys.json"\nlegacy_db = "/var/lib/posta/inbox.db"\n` +
        `data_dir = ${q(`/var/lib/posta/${i.slug}`)}\nport = ${lab.daemonPort}\n`,
    ),
    `[[smoke]]\nname = "actor"\npath = "/"\nconditions = ["status == 200", "body.name == {{identity.actor_name}}", "body.publicKey == {{baseline.public_key}}"]\n`,
    `[[smoke]]\nname = "401"\npath = "/api/v1/identity"\nconditions = ["status == 401"]\n`,
    `[[smoke]]\nname = "setup"\npath = "/setup"\nconditions = ["status == 200", "header.content-type contains html"]\n`,
    `[[smoke]]\nname = "410"\npath = "/api/v1/invite/info?invite=pinv_bogus"\nconditions = ["status == 410"]\n`,
    `[[smoke]]\nname = "auth"\npath = "/api/v1/identity"\nauth = "token"\nconditions = ["status == 200"]\n`,
    `[tokens]\ndb = "{{identity.data_dir}}/inbox.db"\n`,
    `[[steps]]\nid = "baseline"\ntitle = "record key fingerprints and token rows"\naction = "baseline"\n`,
  ];
  return parts.join('\n');
}

export function writeLabStatusRunbook(labDir: string, file: string, stateDir: string): string {
  writeFileSync(file, labStatusRunbook(labDir, { stateDir }));
  return file;
}
