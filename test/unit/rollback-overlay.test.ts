// The cockpit's rollback overlay shows the plan the runner executes: for every prefix of the lab runbook
// (35 steps) — done through step k, and done through k-1 with step k failed — the overlay's list equals the
// runner's rollback plan computed from a real journal holding the same step states.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRunbook } from '../../src/runbook/load.ts';
import { openJournal } from '../../src/journal/journal.ts';
import type { Lease } from '../../src/journal/lease.ts';
import { RunDriver } from '../../src/runner/run.ts';
import type { Http, Runtime } from '../../src/ports.ts';
import { initialState, reduceAll } from '../../screens/state/reducer.ts';
import { rollbackPlan as overlayPlan } from '../../screens/state/rollback-plan.ts';
import type { StepState } from '../../src/engine/types.ts';
import { CATALOG, REGISTRY } from '../../src/actions/index.ts';
import { cockpitOf } from '../../src/runbook/catalog.ts';

const lease: Lease = { target: 't', holder: {} as Lease['holder'], lost: false, heartbeat: () => true, attachRun: () => {}, release: () => {} };

test('rollback overlay = runner plan for every prefix of the lab runbook (35 steps, done and failed-at-k)', () => {
  const env = { ...process.env, CUTOVER_LAB_DIR: '/nonexistent-lab' };
  const loaded = loadRunbook('runbooks/lab/posta-cutover.toml', { catalog: CATALOG, env });
  assert.equal(loaded.problems.length, 0, JSON.stringify(loaded.problems));
  const plan = loaded.steps!;
  assert.equal(plan.length, 35);
  const dir = mkdtempSync(join(tmpdir(), 'cutover-overlay-'));
  let compared = 0;
  let nonEmpty = 0;
  try {
    for (let k = 0; k <= plan.length; k++) {
      for (const failedAtK of [false, true]) {
        if (failedAtK && k === plan.length) continue;
        const states = new Map<string, StepState>();
        for (const s of plan.slice(0, k)) states.set(s.key, 'succeeded');
        if (failedAtK) states.set(plan[k]!.key, 'failed');

        const journal = openJournal({ stateDir: join(dir, `k${k}-${failedAtK}`), env });
        const runId = journal.startRun({ runbookPath: 'x.toml', runbookName: 'lab', runbookSha256: 'sha', runbookText: '', host: 'h', mode: 'run' });
        for (const [key, state] of states) {
          journal.recordStep(runId, { stepKey: key, state: 'running' });
          journal.recordStep(runId, { stepKey: key, state });
        }
        const run = new RunDriver({ runId, actions: REGISTRY, runbook: loaded.runbook!, runbookPath: 'x.toml', plan, stateDir: dir, journal, lease, resumed: null, runtime: {} as Runtime, http: {} as Http, ownHttp: false, env });
        const runner = run.rollbackPlan().entries.map((e) => `${e.step.key}${e.partial ? ' (partial)' : ''}`);
        journal.close();

        const cockpit = reduceAll(
          initialState({ runbook: { name: 'lab' }, steps: plan, actions: cockpitOf(CATALOG), outageBudgetMs: 180_000, driver: { name: 'me' }, now: 0 }),
          [...states].map(([key, state]) => ({ type: 'step-state' as const, key, state, at: 1 })),
        ).state;
        const overlay = overlayPlan(cockpit).map((i) => `${i.key}${i.partial ? ' (partial)' : ''}`);
        assert.deepEqual(overlay, runner, `done through ${k}${failedAtK ? `, step ${k + 1} failed` : ''}`);
        compared++;
        if (runner.length) nonEmpty++;
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(compared, 71);
  assert.ok(nonEmpty > 60, `most prefixes have something to undo (${nonEmpty})`);
});

test('the issue case: lab runbook failing at step 25 — the overlay lists what the runner undoes, not every done step', () => {
  const env = { ...process.env, CUTOVER_LAB_DIR: '/nonexistent-lab' };
  const plan = loadRunbook('runbooks/lab/posta-cutover.toml', { catalog: CATALOG, env }).steps!;
  const actions = [...plan.slice(0, 24).map((s) => ({ type: 'step-state' as const, key: s.key, state: 'succeeded' as const, at: 1 })), { type: 'step-state' as const, key: plan[24]!.key, state: 'failed' as const, at: 2 }];
  const cockpit = reduceAll(initialState({ runbook: { name: 'lab' }, steps: plan, actions: cockpitOf(CATALOG), outageBudgetMs: 180_000, driver: { name: 'me' }, now: 0 }), actions).state;
  const keys = overlayPlan(cockpit).map((i) => i.key);
  assert.deepEqual(keys, ['repoint-caddy', 'start-posta', 'stop-legacy[tarald]', 'stop-legacy[marcus]', 'stop-legacy[arne]', 'create-container']);
});
