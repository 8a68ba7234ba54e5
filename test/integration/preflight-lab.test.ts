// Preflight against the rehearsal lab and its real Caddy: every blocker class is found by `plan` (exit 1,
// file:line and a fix in --json) and refused by `apply` before any legacy daemon stops: the daemons keep their
// process ids, the Caddyfile is untouched, and no "ROLLBACK INCOMPLETE" is ever printed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { startLab, type TestLab } from '../helpers/lab.ts';
import { servicePidFile } from '../../src/lab/layout.ts';
import type { PreflightItem as Item } from '../../src/preflight/types.ts';

const LAB_RUNBOOK = readFileSync('runbooks/lab/posta-cutover.toml', 'utf8');


function variant(lab: TestLab, name: string, edit: (text: string) => string): string {
  const file = join(lab.dir, `${name}.toml`);
  const text = edit(LAB_RUNBOOK);
  assert.notEqual(text, name === 'as-shipped' ? null : LAB_RUNBOOK, `variant ${name} changes the runbook`);
  writeFileSync(file, text);
  return file;
}

const lineOf = (file: string, needle: string) => readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(needle)) + 1;

async function plan(lab: TestLab, file: string) {
  const r = await lab.cli(['plan', file, '--json', '--state', join(lab.dir, 'state')]);
  assert.ok(r.code === 0 || r.code === 1, `plan exit ${r.code}: ${r.stderr}`);
  const doc = JSON.parse(r.stdout) as { preflight: Item[]; caddyfileDiff: string | null; otherSites: { host: string; acknowledged: boolean }[] };
  return { code: r.code, doc, blockers: doc.preflight.filter((p) => p.level === 'blocker') };
}

const pids = (lab: TestLab) => lab.config.identities.map((i) => readFileSync(servicePidFile(lab.dir, i.container, 'posta'), 'utf8').trim());

/** apply is refused before the window: exit code, daemons keep their pids, Caddyfile byte-identical. */
async function refused(lab: TestLab, file: string, code: 1 | 2, codes: string[]) {
  const caddyfile = join(lab.dir, 'caddy', 'Caddyfile');
  const before = { pids: pids(lab), caddy: readFileSync(caddyfile) };
  const r = await lab.cli(['apply', file, '--yes', '--allow-destructive', '--state', join(lab.dir, 'state')]);
  const out = r.stdout + r.stderr;
  assert.equal(r.code, code, out);
  assert.match(r.stderr, /preflight: \d+ blocker\(s\) stand; refusing to open the outage window/);
  for (const c of codes) assert.ok(out.includes(`[${c}]`), `apply names ${c}:\n${out}`);
  assert.doesNotMatch(out, /ROLLBACK INCOMPLETE|stop-legacy\[/);
  assert.deepEqual(pids(lab), before.pids, 'the legacy daemons keep their pids');
  for (const p of before.pids) process.kill(Number(p), 0);
  assert.ok(readFileSync(caddyfile).equals(before.caddy), 'Caddyfile untouched');
}

function reloadCaddy(lab: TestLab) {
  execFileSync(join(lab.dir, 'bin', 'caddy'), ['reload', '--config', join(lab.dir, 'caddy', 'Caddyfile'), '--adapter', 'caddyfile', '--address', '127.0.10.1:2019'], { env: { ...process.env, ...lab.env }, stdio: 'pipe' });
}

test('preflight on the lab: clean plan with the whole diff, then each blocker class refused before any daemon stops', async (t) => {
  const lab = await startLab(t);
  const caddyfile = join(lab.dir, 'caddy', 'Caddyfile');
  const original = readFileSync(caddyfile, 'utf8');
  const shipped = variant(lab, 'as-shipped', (x) => x);

  await t.test('the shipped lab runbook: no blocker, the whole Caddyfile diff with the target as a placeholder', async () => {
    const p = await plan(lab, shipped);
    assert.deepEqual(p.blockers, [], JSON.stringify(p.doc.preflight, null, 2));
    assert.equal(p.code, 0);
    const diff = p.doc.caddyfileDiff ?? '';
    for (const ip of ['127.0.10.11', '127.0.10.12', '127.0.10.13']) assert.match(diff, new RegExp(`^-\\treverse_proxy ${ip.replaceAll('.', '\\.')}:8080$`, 'm'));
    assert.equal(diff.split('\n').filter((l) => l === '+\treverse_proxy <ip-of-posta>:8080').length, 3, diff);
    const text = await lab.cli(['plan', shipped, '--state', join(lab.dir, 'state')]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /Caddyfile diff the repoint will make:/);
    assert.match(text.stdout, /preflight: ✓ nothing stands in the way/);
    assert.match(text.stdout, /^copies read 6 file\(s\), [\d.]+ KiB: .*arne-msg:\/var\/lib\/posta\/keys\.json \d+ B/m);
    assert.match(text.stdout, /^free space, state dir: [\d.]+ [KMG]iB$/m);
    const sizes = (p.doc as unknown as { sources: { size: number | null }[] }).sources;
    assert.equal(sizes.length, 6);
    assert.ok(sizes.every((x) => typeof x.size === 'number' && x.size > 0), JSON.stringify(sizes));
  });

  await t.test('proxy.caddyfile does not exist: runbook line and fix; apply exit 2, nothing stopped', async () => {
    const file = variant(lab, 'missing', (x) => x.replace('caddyfile = "{{env.CUTOVER_LAB_DIR}}/caddy/Caddyfile"', 'caddyfile = "{{env.CUTOVER_LAB_DIR}}/caddy/Nope"'));
    const p = await plan(lab, file);
    assert.equal(p.code, 1);
    assert.deepEqual(p.blockers.map((b) => [b.code, b.file, b.line]), [['caddyfile-missing', file, lineOf(file, 'caddy/Nope')]]);
    assert.match(p.blockers[0]!.fix, /point proxy\.caddyfile at the Caddyfile Caddy runs/);
    await refused(lab, file, 2, ['caddyfile-missing']);
  });

  await t.test('proxy.caddyfile is a directory', async () => {
    const file = variant(lab, 'directory', (x) => x.replace('caddyfile = "{{env.CUTOVER_LAB_DIR}}/caddy/Caddyfile"', 'caddyfile = "{{env.CUTOVER_LAB_DIR}}/caddy"'));
    const p = await plan(lab, file);
    assert.deepEqual(p.blockers.map((b) => b.code), ['caddyfile-directory']);
    await refused(lab, file, 2, ['caddyfile-directory']);
  });

  await t.test('a copy source that does not exist in the legacy container', async () => {
    const file = variant(lab, 'nosource', (x) => x.replace('legacy_keys = "/var/lib/posta/keys.json"', 'legacy_keys = "/var/lib/posta/nokeys.json"'));
    const p = await plan(lab, file);
    assert.deepEqual(p.blockers.map((b) => b.code), ['source-missing']);
    assert.match(p.blockers[0]!.message, /copy-keys\[arne\]: arne-msg:\/var\/lib\/posta\/nokeys\.json cannot be read/);
    await refused(lab, file, 1, ['source-missing']);
  });

  await t.test('the Caddyfile on disk: a block serving another host, not parsing, a snippet, drift', async (st) => {
    st.after(() => writeFileSync(caddyfile, original));
    const cases: [string, (x: string) => string, string[]][] = [
      ['shared block', (x) => x.replace('http://arne.posta.no {', 'http://arne.posta.no, http://www.arne.posta.no {'), ['site-shared', 'caddy-drift']],
      ['does not parse', (x) => x.replace('http://marcus.posta.no {', 'http://marcus.posta.no {\n\thandle {'), ['caddyfile-parse']],
      ['caddy adapt fails', (x) => x.replace('http://marcus.posta.no {', 'http://marcus.posta.no {\n\tno_such_directive on'), ['caddy-adapt']],
      ['snippet', (x) => `(arne_up) {\n\treverse_proxy 127.0.10.11:8080\n}\n\n${x.replace(/(http:\/\/arne\.posta\.no \{\n\tbind [0-9.]+\n)\treverse_proxy [0-9.:]+\n/, '$1\timport arne_up\n')}`, ['dial-in-snippet']],
      ['mixed upstreams', (x) => x.replace(/(http:\/\/tarald\.posta\.no \{\n\tbind [0-9.]+\n\treverse_proxy [0-9.:]+)/, '$1 127.0.10.77:8080'), ['mixed-upstreams', 'caddy-drift']],
    ];
    for (const [name, edit, codes] of cases) {
      const text = edit(original);
      assert.notEqual(text, original, name);
      writeFileSync(caddyfile, text);
      const p = await plan(lab, shipped);
      for (const c of codes) assert.ok(p.blockers.some((b) => b.code === c), `${name}: ${c} in ${JSON.stringify(p.blockers, null, 2)}`);
      for (const b of p.blockers.filter((x) => x.code !== 'caddy-drift')) {
        assert.equal(b.file, caddyfile, `${name}: ${b.code} names the Caddyfile`);
        assert.ok(b.line && b.line > 0, `${name}: ${b.code} has a line`);
        assert.ok(b.fix.length > 10, `${name}: ${b.code} has a fix`);
      }
      await refused(lab, shipped, 1, codes);
      writeFileSync(caddyfile, original);
    }
  });

  await t.test('another site dials a legacy container: blocker until acknowledged in proxy.also_dials_legacy', async (st) => {
    st.after(() => {
      writeFileSync(caddyfile, original);
      reloadCaddy(lab);
    });
    writeFileSync(caddyfile, `${original}\nhttp://status.posta.no {\n\tbind 127.0.10.1\n\treverse_proxy 127.0.10.12:8080\n}\n`);
    reloadCaddy(lab);
    const p = await plan(lab, shipped);
    assert.deepEqual(p.blockers.map((b) => b.code), ['other-site-dials-legacy']);
    assert.match(p.blockers[0]!.message, /status\.posta\.no \(not in proxy\.sites\) dials the legacy 127\.0\.10\.12:8080/);
    assert.deepEqual(p.doc.otherSites.map((o) => [o.host, o.acknowledged]), [['status.posta.no', false]]);
    await refused(lab, shipped, 1, ['other-site-dials-legacy']);
    const status = await lab.cli(['status', shipped, '--json', '--state', join(lab.dir, 'state')]);
    const others = (JSON.parse(status.stdout) as { otherSites: { list: { host: string; dials: string[]; acknowledged: boolean }[] } }).otherSites;
    assert.deepEqual(others.list, [{ host: 'status.posta.no', dials: ['127.0.10.12:8080'], acknowledged: false }], 'status lists it too');
    const statusText = await lab.cli(['status', shipped, '--state', join(lab.dir, 'state')]);
    assert.match(statusText.stdout, /✗ status\.posta\.no \(not in proxy\.sites\) dials the legacy 127\.0\.10\.12:8080/);
    const acked = variant(lab, 'acked', (x) => x.replace('backup_label = "posta-multitenant-cutover"', 'backup_label = "posta-multitenant-cutover"\nalso_dials_legacy = ["status.posta.no"]'));
    const q = await plan(lab, acked);
    assert.deepEqual(q.blockers, []);
    assert.deepEqual(q.doc.otherSites.map((o) => [o.host, o.acknowledged]), [['status.posta.no', true]]);
    assert.ok(q.doc.preflight.some((w) => w.level === 'warning' && w.code === 'other-site-dials-legacy'));
  });

  await t.test('the production runbook evaluated with the lab environment: refused naming host and lab', async () => {
    const p = await plan(lab, 'runbooks/posta-cutover.toml');
    const lab1 = p.blockers.find((b) => b.code === 'lab-vs-production');
    assert.ok(lab1, JSON.stringify(p.blockers, null, 2));
    assert.match(lab1.message, /runbook\.host = "fismen" is not a lab, but the runtime \(incus binary .*\) resolves into the rehearsal lab /);
    assert.ok(lab1.message.includes(lab.dir));
    assert.equal(lab1.line, lineOf('runbooks/posta-cutover.toml', 'host = "fismen"'));
    assert.equal(p.code, 1);
  });
});
