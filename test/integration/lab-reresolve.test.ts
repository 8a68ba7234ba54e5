// Issue 19, behaviour 8: the rollback restores the Caddyfile from its backup, but a legacy container the
// rollback started again may have another address now (real Incus: a lost DHCP lease; the lab: fault
// new-address). The restored dials are re-resolved against the runtime, so every identity is served again.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { startLab } from '../helpers/lab.ts';

const RUNBOOK = 'runbooks/lab/posta-cutover.toml';

test('lab rollback re-resolves legacy addresses that changed while the containers were stopped (new-address)', async (t) => {
  const lab = await startLab(t);
  const state = join(lab.dir, 'state');
  const caddyfile = join(lab.dir, 'caddy', 'Caddyfile');
  const before = new Map((await lab.runtime.list()).map((i) => [i.name, i.ipv4]));
  const apply = await runCli(['apply', RUNBOOK, '--yes', '--allow-destructive', '--state', state], { env: lab.env, timeoutMs: 180_000 });
  assert.equal(apply.code, 0, apply.stdout + apply.stderr);
  assert.equal((await lab.cli(['lab', 'fault', 'new-address', '--dir', lab.dir])).code, 0);
  const rollback = await runCli(['rollback', RUNBOOK, '--yes', '--state', state], { env: lab.env, timeoutMs: 180_000 });
  assert.equal(rollback.code, 0, rollback.stdout + rollback.stderr);
  assert.match(rollback.stdout, /legacy addresses re-resolved/);
  const text = readFileSync(caddyfile, 'utf8');
  for (const i of lab.config.identities) {
    const now = (await lab.runtime.get(i.container))?.ipv4;
    assert.ok(now && now !== before.get(i.container), `${i.container} has a new address (${before.get(i.container)} → ${now})`);
    assert.match(text, new RegExp(`reverse_proxy ${now!.replace(/\./g, '\\.')}:8080`), `${i.host} dials ${now}`);
    assert.ok(!text.includes(`${before.get(i.container)}:8080`), `no dial to the old ${before.get(i.container)}`);
  }
  const status = await lab.cli(['status', RUNBOOK, '--state', state]);
  assert.equal(status.code, 0, `every identity served through Caddy again:\n${status.stdout}${status.stderr}`);
});
