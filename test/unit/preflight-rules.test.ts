// The pure preflight pieces: other sites dialing a legacy container, the report's section from the journal note,
// the upstream placeholder, lab hosts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isLabHost, legacyDialers, upstreamFor } from '../../src/preflight/rules.ts';
import { otherSitesMarkdown, otherSitesNote } from '../../src/commands/preflight-gate.ts';
import type { Runbook } from '../../src/runbook/schema.ts';

const site = (host: string, ...dials: string[]) => ({ match: [{ host: [host] }], handle: [{ handler: 'reverse_proxy', upstreams: dials.map((dial) => ({ dial })) }] });
const config = { apps: { http: { servers: { srv0: { routes: [site('arne.posta.no', '10.0.0.11:80'), site('status.posta.no', '10.0.0.11:9100', '10.0.0.50:80'), site('blog.posta.no', '10.0.0.50:80'), site('old.posta.no', 'arne-msg.incus:80')] } } } } };
const rb = {
  runbook: { name: 'x', host: 'fismen' },
  containers: [{ name: 'arne-msg', role: 'legacy' }, { name: 'posta', role: 'target' }],
  identities: [{ slug: 'arne', host: 'arne.posta.no', legacy_container: 'arne-msg', port: 80 }],
  proxy: { sites: ['arne.posta.no'], also_dials_legacy: ['old.posta.no'] },
} as unknown as Runbook;

test('legacyDialers: sites outside proxy.sites that dial a legacy container by IP (any port) or DNS name', () => {
  assert.deepEqual(legacyDialers(rb, config, [{ name: 'arne-msg', ipv4: '10.0.0.11' }]), [
    { host: 'status.posta.no', dials: ['10.0.0.11:9100'], acknowledged: false },
    { host: 'old.posta.no', dials: ['arne-msg.incus:80'], acknowledged: true },
  ]);
  // Without the container's address (stopped), only its names are recognised.
  assert.deepEqual(legacyDialers(rb, config, []).map((o) => o.host), ['old.posta.no']);
});

test('the report section comes from the note apply journals', () => {
  const list = legacyDialers(rb, config, [{ name: 'arne-msg', ipv4: '10.0.0.11' }]);
  const md = otherSitesMarkdown([{ kind: 'note', detail: { text: 'something else' } }, { kind: 'note', detail: { text: otherSitesNote(list) } }]);
  assert.match(md, /### Other sites that dial a legacy container/);
  assert.match(md, /- `status\.posta\.no` dialled the legacy `10\.0\.0\.11:9100`: NOT acknowledged/);
  assert.match(md, /- `old\.posta\.no` .*acknowledged in `proxy\.also_dials_legacy`/);
  assert.match(otherSitesMarkdown([{ kind: 'note', detail: { text: otherSitesNote([]) } }]), /None: no site outside `proxy\.sites`/);
  assert.equal(otherSitesMarkdown([]), '', 'a run without a preflight note (older runs) gets no section');
});

test('upstreamFor: the target address, or a named placeholder until it exists', () => {
  assert.deepEqual(upstreamFor('{{ip("posta")}}:80', []), { upstream: '<ip-of-posta>:80', placeholder: true });
  assert.deepEqual(upstreamFor('{{ ip("posta") }}:80', [{ name: 'posta', ipv4: '10.0.0.14' } as never]), { upstream: '10.0.0.14:80', placeholder: false });
});

test('lab hosts', () => {
  assert.deepEqual(['fismen-lab', 'lab', 'lab.example', 'fismen', 'labrador', 'slab'].map(isLabHost), [true, true, true, false, false, false]);
});
