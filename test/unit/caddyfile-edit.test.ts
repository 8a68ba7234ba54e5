import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CaddyfileEditError, repointUpstreams as repointEdit, type SiteMove } from '../../src/caddyfile/edit.ts';
import { unifiedDiff } from '../../src/caddyfile/diff.ts';

/** The seed's legacy containers (10.228.107.x) and the fixtures' example upstreams (10.0.0.x, [::1]:8080). */
const LEGACY = [
  '10.228.107.201:80', '10.228.107.229:80', '10.228.107.205:80',
  ...['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80', '10.0.0.3:8080', '10.0.0.3:8081', '10.0.0.5:80', '10.0.0.6:80', '10.0.0.7:80', '10.0.0.7:8080', '10.0.0.7:8081', '10.0.0.9:80'],
  '[::1]:8080',
];
/** Every site's legacy dials are LEGACY (these fixtures only dial legacy containers; look-alikes are in caddyfile-legacy). */
const moves = (sites: string[]): SiteMove[] => sites.map((host) => ({ host, legacy: LEGACY }));
const repointUpstreams = (src: string, sites: string[], to: string) => repointEdit(src, moves(sites), to);

const fixture = (name: string) => readFileSync(new URL(`../fixtures/caddyfiles/${name}`, import.meta.url), 'utf8');

/** Independent oracle: the expected file is the old one with `from` replaced by `to` on the given lines only. */
function expectedText(old: string, edits: { line: number; from: string; to: string }[]): string {
  const eol = old.includes('\r\n') ? '\r\n' : '\n';
  const lines = old.split(eol);
  for (const e of edits) {
    const l = lines[e.line - 1]!;
    assert.ok(l.includes(e.from), `oracle: line ${e.line} should contain ${e.from}: ${JSON.stringify(l)}`);
    lines[e.line - 1] = l.replace(e.from, e.to);
  }
  return lines.join(eol);
}

interface Shape {
  name: string;
  text: string;
  sites: string[];
  to: string;
  edits: { line: number; from: string; to?: string }[];
}

const NEW = '10.228.107.168:80';
const production = fixture('posta-production.Caddyfile');
const shapes: Shape[] = [
  {
    name: 'seed production shape: three site blocks, global options, an unrelated alias on the same upstream',
    text: production,
    sites: ['arne.posta.no', 'marcus.posta.no', 'tarald.posta.no'],
    to: NEW,
    edits: [
      { line: 14, from: '10.228.107.201:80' },
      { line: 19, from: '10.228.107.229:80' },
      { line: 24, from: '10.228.107.205:80' },
    ],
  },
  {
    name: 'CRLF line endings are kept',
    text: production.replace(/\n/g, '\r\n'),
    sites: ['arne.posta.no'],
    to: NEW,
    edits: [{ line: 14, from: '10.228.107.201:80' }],
  },
  {
    name: 'several hosts per block, with scheme and port',
    text: fixture('multi-host.Caddyfile'),
    sites: ['arne.posta.no', 'marcus.posta.no', 'tarald.posta.no'],
    to: NEW,
    edits: [
      { line: 2, from: '10.228.107.201:80' },
      { line: 6, from: '10.228.107.205:80' },
    ],
  },
  {
    name: 'several reverse_proxy directives with named, path and * matchers',
    text: fixture('several-proxies.Caddyfile'),
    sites: ['app.example.com'],
    to: '127.0.10.5:9000',
    edits: [
      { line: 6, from: '10.0.0.7:8081' },
      { line: 7, from: '10.0.0.7:8080' },
      { line: 8, from: '10.0.0.7:80' },
    ],
  },
  {
    name: '`to` subdirective with two upstreams collapses to the new one; header_up placeholder untouched',
    text: fixture('to-subdirective.Caddyfile'),
    sites: ['app.example.com'],
    to: '10.0.0.9:80',
    edits: [{ line: 3, from: '10.0.0.1:80 10.0.0.2:80' }],
  },
  {
    name: 'comments (including a commented-out reverse_proxy and an inline comment) are kept',
    text: fixture('comments.Caddyfile'),
    sites: ['app.example.com'],
    to: '10.0.0.9:80',
    edits: [{ line: 4, from: '10.0.0.1:80' }],
  },
  {
    name: 'a site that imports a snippet for logging but has its own literal upstream',
    text: fixture('snippet-import.Caddyfile'),
    sites: ['a.example'],
    to: '10.0.0.8:80',
    edits: [{ line: 12, from: '10.0.0.1:80' }],
  },
  {
    name: 'handle, handle_path and route blocks',
    text: fixture('handle-blocks.Caddyfile'),
    sites: ['app.example.com'],
    to: '10.0.0.4:80',
    edits: [
      { line: 3, from: '10.0.0.3:8080' },
      { line: 10, from: '10.0.0.3:8081' },
      { line: 13, from: '10.0.0.3:80' },
    ],
  },
  {
    name: 'upstream without port, and with an http:// scheme (scheme kept)',
    text: fixture('no-port.Caddyfile'),
    sites: ['a.example', 'b.example'],
    to: '10.0.0.7:80',
    edits: [
      { line: 2, from: '10.0.0.5', to: '10.0.0.7:80' },
      { line: 5, from: 'http://10.0.0.6', to: 'http://10.0.0.7:80' },
    ],
  },
  {
    name: 'IPv6 upstream replaced by another IPv6 upstream',
    text: fixture('ipv6.Caddyfile'),
    sites: ['v6.example'],
    to: '[::1]:9090',
    edits: [{ line: 2, from: '[::1]:8080' }],
  },
  {
    name: 'spaces instead of tabs, extra spaces between upstreams, tab inside a spaces file',
    text: fixture('spaces-indent.Caddyfile'),
    sites: ['app.example.com'],
    to: '10.0.0.3:80',
    edits: [{ line: 3, from: '10.0.0.1:80  10.0.0.2:80' }],
  },
  {
    name: 'single site without braces',
    text: fixture('single-site.Caddyfile'),
    sites: ['arne.posta.no'],
    to: NEW,
    edits: [{ line: 4, from: '10.228.107.201:80' }],
  },
  {
    name: 'quoted upstream keeps its quotes',
    text: fixture('quoted-and-import-in-block.Caddyfile'),
    sites: ['a.example'],
    to: '10.0.0.2:80',
    edits: [{ line: 5, from: '"10.0.0.1:80"', to: '"10.0.0.2:80"' }],
  },
];

for (const s of shapes) {
  test(`repoint: ${s.name}`, () => {
    const r = repointUpstreams(s.text, s.sites, s.to);
    const edits = s.edits.map((e) => ({ line: e.line, from: e.from, to: e.to ?? s.to }));
    assert.equal(r.text, expectedText(s.text, edits));
    assert.deepEqual(
      r.changes.map((c) => ({ line: c.line, from: c.from, to: c.to })).sort((a, b) => a.line - b.line),
      edits,
    );
  });
}

test('repoint: the change names the site block; an unrelated site on the same upstream stays', () => {
  const r = repointUpstreams(production, ['arne.posta.no'], NEW);
  assert.deepEqual(r.changes, [{ site: 'arne.posta.no', line: 14, from: '10.228.107.201:80', to: NEW }]);
  assert.match(r.text, /gammel\.posta\.no \{\n\treverse_proxy 10\.228\.107\.201:80/);
});

test('repoint: a site already on the new upstream is no change, and the text is identical', () => {
  const once = repointUpstreams(production, ['arne.posta.no'], NEW);
  const twice = repointUpstreams(once.text, ['arne.posta.no'], NEW);
  assert.equal(twice.text, once.text);
  assert.deepEqual(twice.changes, []);
});

function refusal(fn: () => unknown, pattern: RegExp, line: number | null) {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof CaddyfileEditError, String(err));
    assert.match(err.message, pattern);
    assert.equal(err.line, line);
    return true;
  });
}

test('refuses: upstream from an imported snippet, naming the site and the import line', () => {
  refusal(() => repointUpstreams(fixture('snippet-import.Caddyfile'), ['b.example'], NEW), /site b\.example, line 16: the legacy dial 10\.0\.0\.9:80 comes from the snippet \(proxy\) \(line 7\) imported here/, 16);
});

test('refuses: {$ENV} placeholder upstream', () => {
  refusal(() => repointUpstreams(fixture('env-placeholder.Caddyfile'), ['a.example'], NEW), /site a\.example, line 2: upstream "\{\$APP_UPSTREAM\}" is a placeholder/, 2);
});

test('refuses: reverse_proxy whose block imports its upstreams', () => {
  refusal(() => repointUpstreams(fixture('quoted-and-import-in-block.Caddyfile'), ['b.example'], NEW), /site b\.example, line 9: reverse_proxy takes its settings from "import upstreams"/, 9);
});

test('refuses: a block that also serves a host outside the repoint set', () => {
  refusal(() => repointUpstreams(fixture('multi-host.Caddyfile'), ['arne.posta.no'], NEW), /site arne\.posta\.no, marcus\.posta\.no, line 1: the block also serves marcus\.posta\.no/, 1);
});

test('refuses: a host with no site block, and a site with no reverse_proxy', () => {
  refusal(() => repointUpstreams(production, ['arne.posta.no', 'nobody.posta.no'], NEW), /no site block for nobody\.posta\.no/, null);
  refusal(() => repointUpstreams(production, ['posta.no'], NEW), /site posta\.no, line 7: no reverse_proxy directive/, 7);
});

test('refuses: unbalanced braces, with the line', () => {
  refusal(() => repointUpstreams('a.example {\n\treverse_proxy 10.0.0.1:80\n', ['a.example'], NEW), /line 1: "\{" is never closed/, 1);
});

test('refuses a new upstream that is not one literal word', () => {
  refusal(() => repointUpstreams(production, ['arne.posta.no'], '{$X}'), /not a single literal address/, null);
  refusal(() => repointUpstreams(production, ['arne.posta.no'], '1.2.3.4:80 5.6.7.8:80'), /not a single literal address/, null);
});

test('unified diff shows exactly the changed lines', () => {
  const r = repointUpstreams(production, ['arne.posta.no', 'tarald.posta.no'], NEW);
  const d = unifiedDiff('/etc/caddy/Caddyfile', production, r.text);
  const changed = d.split('\n').filter((l) => /^[-+]\t/.test(l));
  assert.deepEqual(changed, [
    '-\treverse_proxy 10.228.107.201:80',
    '+\treverse_proxy 10.228.107.168:80',
    '-\treverse_proxy 10.228.107.205:80',
    '+\treverse_proxy 10.228.107.168:80',
  ]);
  assert.match(d, /^--- \/etc\/caddy\/Caddyfile/m);
  assert.equal(unifiedDiff('x', production, production), '');
});
