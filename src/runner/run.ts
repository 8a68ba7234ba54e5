// One driven run: steps through the executors, every transition journaled, the outage window kept.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { actionOf, type ActionRegistry } from '../actions/index.ts';
import { ActionError, type ActionEvent, type ActionResult } from '../actions/types.ts';
import type { CheckContext } from '../actions/checks.ts';
import { nextGroup, nextRunnable, type NextStep } from '../engine/next.ts';
import { outageClock, type OutageClock } from '../engine/outage.ts';
import { rollbackPlan, type RollbackPlan } from '../engine/rollback.ts';
import { canTransition, IllegalTransition, stateOf, type StepStates } from '../engine/transitions.ts';
import type { ResolvedStep } from '../engine/types.ts';
import { parseDuration } from '../engine/duration.ts';
import type { Journal } from '../journal/journal.ts';
import type { Lease } from '../journal/lease.ts';
import type { ResumePoint } from '../journal/resume.ts';
import type { ClientOutage, RunRecord, StepRecord } from '../journal/types.ts';
import type { Http, Runtime } from '../ports.ts';
import type { Runbook } from '../runbook/schema.ts';
import { fingerprint as fingerprintOf, type Baseline } from '../../checks/baseline.ts';
import { takeSnapshot } from '../../checks/snapshot.ts';
import { upstreamsPanel } from '../../checks/upstreams.ts';
import { fileBaselineStore } from '../../checks/baseline-store.ts';
import type { Snapshot } from '../../checks/types.ts';
import { journalChanged } from './changed.ts';
import { actionContext, commandsTo, withCommandLog } from './context.ts';
import { isRepeatable } from './policy.ts';
import { runRollback } from './rollback.ts';
import { labClientOutage } from './client-outage.ts';
import type { DecommissionFlags, RollbackOptions, RollbackOutcome, Run, RunHooks, RunnerEvent, StepOutcome } from './types.ts';
import { decommissionInputs } from '../actions/decommission-inputs.ts';
import { crashPoint, fillPoint } from '../crash-point.ts';
import { undoCommands } from '../report/rollback.ts';
import { instanceRef } from '../runbook/instance-ref.ts';
import { recordWorld } from './world.ts';
import { shellLine } from '../shell.ts';
import { failedVerify } from './verify.ts';

export interface RunDriverInputs {
  /** null: a deferred run, started by startRun() when its first step runs or is skipped. */
  runId: number | null;
  startRun?: () => number;
  /** The actions the runbook was loaded with: the run executes, undoes and journals through them. */
  actions: ActionRegistry;
  runbook: Runbook;
  runbookPath: string;
  plan: ResolvedStep[];
  stateDir: string;
  journal: Journal;
  lease: Lease;
  resumed: ResumePoint | null;
  runtime: Runtime;
  http: Http & { close?: () => Promise<void> };
  ownHttp: boolean;
  env: NodeJS.ProcessEnv;
  decommission?: DecommissionFlags;
}

type Loose = Record<string, unknown>;

/** A step journaled running whose effect has not run yet. */
interface Begun {
  step: ResolvedStep;
  started: number;
  output: string[];
  commands: string[];
  ctx: CheckContext;
}

/** A member of a group that was journaled running but never acted: the journal failed before the group started. */
function notStarted(key: string, why: string): StepOutcome {
  return { key, state: 'failed', summary: why, error: why, durationMs: 0, notRun: 'journal-failed' };
}

export class RunDriver implements Run {
  private id: number | null;
  readonly actions: ActionRegistry;
  readonly runbook: Runbook;
  readonly runbookPath: string;
  readonly plan: readonly ResolvedStep[];
  readonly stateDir: string;
  readonly journal: Journal;
  readonly resumed: ResumePoint | null;
  private readonly interrupted = new Set<string>();
  private closed = false;
  private worldKnown = false;

  constructor(private readonly i: RunDriverInputs) {
    this.id = i.runId;
    this.actions = i.actions;
    this.runbook = i.runbook;
    this.runbookPath = i.runbookPath;
    this.plan = i.plan;
    this.stateDir = i.stateDir;
    this.journal = i.journal;
    this.resumed = i.resumed;
    // The step the previous driver died in is not known to be done: it becomes failed (with why) and is
    // re-checked by runStep before anything else may run.
    // (A parallel step's expansions may have been running together: each is re-checked.)
    const r = i.resumed;
    const dead = r?.interruptedAll.length ? r.interruptedAll : r?.interrupted ? [r.interrupted] : [];
    for (const key of dead) {
      this.interrupted.add(key);
      i.journal.recordStep(this.runId, { stepKey: key, state: 'failed', error: 'the driver died while this step was running; re-checked on resume' });
    }
  }

  /** 0 until a deferred run starts. */
  get runId(): number {
    return this.id ?? 0;
  }

  /** The run, journaled now if it was deferred (its first step is about to run or be skipped). */
  private ensureRun(): number {
    if (this.id === null) {
      if (!this.i.startRun) throw new Error('no run to record this in');
      this.id = this.i.startRun();
    }
    return this.id;
  }

  record(): RunRecord {
    return this.journal.run(this.runId) ?? this.notStarted();
  }

  /** What record() says of a deferred run before its first step: nothing happened, nothing is journaled. */
  private notStarted(): RunRecord {
    const rb = this.runbook.runbook;
    const now = Date.now();
    return { id: 0, runbookPath: this.runbookPath, runbookName: rb.name, runbookSha256: '', runbookText: '', host: rb.host, operator: '', sshClient: null, mode: 'run', pid: process.pid, startedAt: now, endedAt: null, outcome: null, outage: { startedAt: null, endedAt: null, ms: null }, clientOutage: null };
  }

  steps(): Map<string, StepRecord> {
    return this.journal.stepStates(this.runId);
  }

  states(): StepStates {
    return Object.fromEntries([...this.steps()].map(([k, s]) => [k, s.state]));
  }

  next(): NextStep {
    return nextRunnable(this.plan, this.states());
  }

  outage(now = Date.now()): OutageClock {
    const startedAt: Record<string, number> = {};
    const succeededAt: Record<string, number> = {};
    for (const e of this.journal.events(this.runId)) {
      if (e.kind !== 'step' || !e.stepKey) continue;
      if (e.state === 'running' && startedAt[e.stepKey] === undefined) startedAt[e.stepKey] = e.at;
      if (e.state === 'succeeded') succeededAt[e.stepKey] = e.at;
    }
    return outageClock(this.plan, { startedAt, succeededAt }, now, parseDuration(this.runbook.runbook.outage_budget));
  }

  private step(key: string): ResolvedStep {
    const s = this.plan.find((x) => x.key === key);
    if (!s) throw new Error(`no step "${key}" in the plan`);
    return s;
  }

  private emitter(key: string, hooks: RunHooks | undefined, sink: string[], commands: string[]) {
    const r = this.journal.redactor;
    return (event: ActionEvent) => {
      let ev: ActionEvent = event;
      if (event.kind === 'command') {
        const line = r.apply(shellLine(event.argv))!;
        commands.push(line);
        sink.push(`$ ${line}`);
        ev = { kind: 'command', argv: event.argv.map((a) => r.apply(a)!) };
      } else if (event.kind === 'output') {
        ev = { ...event, line: r.apply(event.line)! };
        sink.push(ev.line);
      } else {
        ev = { ...event, message: r.apply(event.message)! };
      }
      hooks?.onEvent?.({ kind: 'action', key, at: Date.now(), event: ev });
    };
  }

  private tell(hooks: RunHooks | undefined, e: RunnerEvent) {
    hooks?.onEvent?.(e);
  }

  context(key: string, hooks: RunHooks | undefined, sink: string[], commands: string[]): CheckContext {
    const step = this.plan.find((s) => s.key === key);
    return actionContext({
      runbook: this.runbook,
      runbookPath: this.runbookPath,
      stateDir: this.stateDir,
      runId: this.runId,
      runtime: this.i.runtime,
      http: this.i.http,
      env: this.i.env,
      emit: this.emitter(key, hooks, sink, commands),
      confirm: (prompt) => (hooks?.confirm ? hooks.confirm(prompt, step, 'gate') : Promise.resolve(false)),
      ...(hooks?.confirmTyped ? { confirmTyped: (prompt: string, expected: string) => hooks.confirmTyped!(prompt, expected, step) } : {}),
      registerSecret: (s) => this.journal.registerSecrets(s),
      intend: (intent) => {
        this.journal.recordIntent(this.runId, key, intent);
        // Intent before effect: an intent that is only in memory does not start a change.
        if (this.journal.failure) throw new ActionError(`the journal cannot be written (${this.journal.failure.message}): ${key} changes nothing`);
      },
      decommission: this.decommissionInputs(hooks?.decommission),
    });
  }

  private decommissionInputs(perStep?: DecommissionFlags) {
    const f = { ...this.i.decommission, ...perStep };
    const who = this.journal.run(this.runId)?.operator ?? 'unknown';
    return decommissionInputs({
      journal: this.journal,
      runId: this.runId,
      self: this.runbook.runbook.name,
      env: this.i.env,
      ...(f.cutoverAt !== undefined ? { cutoverAt: f.cutoverAt } : {}),
      ...(f.waiver ? { waiver: { who, reason: f.waiver.reason } } : {}),
      ...(f.acknowledgeLogs !== undefined ? { acknowledgeLogs: f.acknowledgeLogs } : {}),
    });
  }

  async runStep(key: string, hooks?: RunHooks): Promise<StepOutcome> {
    this.assertOpen();
    const step = this.step(key);
    const states = this.states();
    const from = stateOf(states, key);
    if (!canTransition(from, 'running')) throw new IllegalTransition(key, from, 'running');
    if (from === 'pending') {
      const nx = nextRunnable(this.plan, states);
      if (!('step' in nx) || nx.step.key !== key) throw new Error(`step ${step.index} ${key} cannot run now: ${'step' in nx ? `step ${nx.step.index} ${nx.step.key} comes first` : nx.blocked}`);
    }
    if (this.interrupted.has(key) && !isRepeatable(this.actions, step.action)) {
      const ok = hooks?.confirm ? await hooks.confirm(`step ${step.index} ${key} (${step.action}) was running when the previous driver died; its effect is unknown. Run it again?`, step, 'recheck') : false;
      if (!ok) return { key, state: 'failed', summary: `not re-run: ${key} was interrupted and ${step.action} is not safe to repeat unconfirmed`, error: 'interrupted step not re-run', durationMs: 0, notRun: 'interrupted' };
    }
    await this.beforeFirstStep();
    const begun = this.begin(step, hooks);
    return 'ctx' in begun ? this.execute(begun, hooks) : begun;
  }

  /**
   * Runs the expansions of a `parallel` step at once (engine nextGroup: the next step and its pending
   * siblings). Intent before effect holds for the group as for one step: every member is journaled running
   * before any of them acts; each then journals its own result (and its intent, undo and outcome), so a
   * rollback or a resume sees each member as it ended. Resolves when every member has ended.
   */
  async runGroup(keys: string[], hooks?: RunHooks): Promise<StepOutcome[]> {
    if (keys.length === 1) return [await this.runStep(keys[0]!, hooks)];
    this.assertOpen();
    const nx = nextGroup(this.plan, this.states());
    if (!('steps' in nx) || keys.length > nx.steps.length || keys.some((k, i) => nx.steps[i]!.key !== k)) {
      throw new Error(`steps ${keys.join(', ')} cannot run together now: ${'steps' in nx ? `the next are ${nx.steps.map((s) => s.key).join(', ')}` : nx.blocked}`);
    }
    await this.beforeFirstStep();
    const begun: Begun[] = [];
    for (const key of keys) {
      const b = this.begin(this.step(key), hooks);
      // The journal cannot be written: no further member starts (those begun have not acted yet either).
      if (!('ctx' in b)) return [...begun.map((x) => notStarted(x.step.key, b.error!)), b];
      begun.push(b);
    }
    crashPoint('group-started', keys[0]);
    const settled = await Promise.allSettled(begun.map((b) => this.execute(b, hooks)));
    const thrown = settled.find((r) => r.status === 'rejected');
    if (thrown) throw thrown.reason;
    return settled.map((r) => (r as PromiseFulfilledResult<StepOutcome>).value);
  }

  private async beforeFirstStep(): Promise<void> {
    this.ensureRun();
    if (!this.worldKnown) {
      // The world this run works on, journaled once, so a resume can tell it is still the same one.
      await recordWorld(this.journal, this.runId, this.i.runtime, this.runbook);
      this.worldKnown = true;
    }
  }

  /** Journals the step running (and opens the outage window when it does); synchronous, on disk when it returns. */
  private begin(step: ResolvedStep, hooks: RunHooks | undefined): Begun | StepOutcome {
    const key = step.key;
    const started = Date.now();
    const output: string[] = [];
    const commands: string[] = [];
    const ctx = this.context(key, hooks, output, commands);
    const runningId = this.journal.recordStep(this.runId, { stepKey: key, state: 'running', action: step.action, title: step.title, at: started });
    if (this.journal.failure) {
      // The journal cannot be written (disk full, I/O error): no step starts from here on; the driver
      // decides what to undo from what it holds in memory.
      this.journal.forget(runningId);
      const why = `not started: the journal cannot be written (${this.journal.failure.message})`;
      return { key, state: 'failed', summary: why, error: why, durationMs: 0, notRun: 'journal-failed' };
    }
    this.tell(hooks, { kind: 'state', key, state: 'running', at: started });
    if (step.outage === 'opens' && this.record().outage.startedAt === null) {
      this.journal.outageOpened(this.runId, started);
      this.tell(hooks, { kind: 'outage', state: 'opened', at: started });
    }
    return { step, started, output, commands, ctx };
  }

  /** The step's effect and its journaled result (succeeded or failed, with output, changes, intent). */
  private async execute(b: Begun, hooks: RunHooks | undefined): Promise<StepOutcome> {
    const { step, started, output, commands, ctx } = b;
    const key = step.key;
    const wasInterrupted = this.interrupted.has(key);
    const executor = actionOf(step.action, this.actions);
    let result: ActionResult;
    let intent: Loose | null = null;
    try {
      if (!executor) throw new ActionError(`no executor for action "${step.action}"`);
      // The driver died inside this step: what its journaled intent says it was changing is looked at in the
      // world first (a Caddyfile written but not reloaded is taken back), then the step runs again.
      const earlier = wasInterrupted ? this.firstIntent(key) : null;
      if (earlier && executor.recover) {
        const did = await withCommandLog(commandsTo(ctx), () => executor.recover!(step, earlier, ctx));
        if (did) {
          output.push(did);
          this.journal.addNote(this.runId, `${key}: ${did}`);
          this.tell(hooks, { kind: 'note', at: Date.now(), message: did });
        }
      }
      result = await withCommandLog(commandsTo(ctx), () => executor.run(step, ctx));
      const unmet = step.verify.length ? failedVerify(step.verify, result, Date.now() - started) : null;
      if (unmet) throw new ActionError(`verify failed after ${result.summary}: ${unmet}`, result.changed);
    } catch (err) {
      intent = this.firstIntent(key);
      const error = (err as Error).message;
      const partial = err instanceof ActionError ? err.changed : undefined;
      const at = Date.now();
      this.journal.recordStep(this.runId, {
        stepKey: key,
        state: 'failed',
        at,
        exitCode: 1,
        command: commands.join('\n') || undefined,
        output: output.join('\n'),
        error,
        ...(err instanceof ActionError && err.code ? { code: err.code } : {}),
        ...(partial || intent ? { changed: { undo: { ...(partial ?? {}), ...(intent ?? {}) } } } : {}),
      });
      this.interrupted.delete(key);
      const shown = this.journal.redactor.apply(error)!;
      const code = err instanceof ActionError ? err.code : undefined;
      this.tell(hooks, { kind: 'state', key, state: 'failed', at, error: shown, ...(code ? { code } : {}) });
      return { key, state: 'failed', summary: shown.split('\n')[0]!, error: shown, durationMs: at - started };
    }
    intent = this.firstIntent(key);
    const extras = step.action === 'container.create' ? { ipv4: (await this.i.runtime.get(String(result.changed?.container ?? '')).catch(() => null))?.ipv4 ?? null } : {};
    const changed = journalChanged(this.actions, step, result, { ...extras, ...(intent ? { intent } : {}) });
    if (step.action === 'baseline') this.journalBaseline((result.details as { baseline?: Baseline } | undefined)?.baseline);
    const at = Date.now();
    this.journal.recordStep(this.runId, {
      stepKey: key,
      state: 'succeeded',
      at,
      exitCode: 0,
      command: commands.join('\n') || undefined,
      output: [...output, result.summary].join('\n'),
      changed,
      ...(result.backupPath ? { backupPath: result.backupPath } : {}),
    });
    this.interrupted.delete(key);
    const summary = this.journal.redactor.apply(result.summary)!;
    this.tell(hooks, { kind: 'state', key, state: 'succeeded', at, summary });
    if (step.outage === 'closes') {
      const s = this.states();
      const closing = this.plan.filter((x) => x.outage === 'closes');
      if (closing.every((x) => stateOf(s, x.key) === 'succeeded')) {
        this.journal.outageClosed(this.runId, at);
        this.tell(hooks, { kind: 'outage', state: 'closed', at });
      }
    }
    crashPoint('after-step', key);
    fillPoint('after-step', key, this.stateDir);
    return { key, state: 'succeeded', summary, durationMs: at - started, ...(result.backupPath ? { backupPath: result.backupPath } : {}) };
  }

  /**
   * The first intent a step journaled in this run: it describes the world before the step's first attempt
   * (a re-run's own intent would describe the half-changed world). Journals from before intents were
   * recorded kept config.set's previous value on the 'running' event.
   */
  firstIntent(key: string): Loose | null {
    const first = this.journal.intents(this.runId, key)[0];
    if (first) return first;
    for (const e of this.journal.events(this.runId)) {
      if (e.kind === 'step' && e.stepKey === key && e.state === 'running') {
        const c = e.changed as { intent?: Loose } | null;
        if (c?.intent) return c.intent;
      }
    }
    return null;
  }

  private journalBaseline(b: Baseline | undefined) {
    if (!b) return;
    for (const [identity, v] of Object.entries(b.identities)) {
      const pk = v.values.public_key;
      if (pk) this.journal.recordKeyBaseline(this.runId, { identity, fingerprint: fingerprintOf(pk), publicKey: pk });
      for (const t of v.tokens) this.journal.recordTokenBaseline(this.runId, { identity, device: t.device, tokenMasked: t.tokenMasked, createdAt: t.createdAt, lastSeenAt: t.lastSeenAt });
    }
  }

  skipStep(key: string, reason: string): void {
    this.assertOpen();
    const step = this.step(key);
    const from = stateOf(this.states(), key);
    if (!canTransition(from, 'skipped')) throw new IllegalTransition(key, from, 'skipped');
    this.ensureRun();
    this.journal.recordStep(this.runId, { stepKey: key, state: 'skipped', action: step.action, title: step.title, error: reason });
    this.interrupted.delete(key);
  }

  rollbackPlan(): RollbackPlan {
    return rollbackPlan(this.plan, this.states());
  }

  /** The exact commands to undo these plan entries by hand (what a rollback could not finish), from record and intent. */
  manualUndo(keys: string[]): { key: string; commands: string[] }[] {
    const steps = this.steps();
    return this.rollbackPlan()
      .entries.filter((e) => keys.includes(e.step.key))
      .map((e) => {
        const record = steps.get(e.step.key);
        const intent = record?.state === 'succeeded' ? null : this.firstIntent(e.step.key);
        // An unfinished step's intent, in the shape of the journaled record its action's byHand reads.
        const undo = actionOf(e.step.action, this.actions)?.undo;
        const changed = intent ? (undo?.kind === 'auto' && undo.fromIntent ? undo.fromIntent(intent) : intent) : record?.changed;
        return { key: e.step.key, commands: undoCommands(e, record ? { ...record, changed } : undefined, this.actions, (n) => instanceRef(this.runbook, n)) };
      });
  }

  async rollback(hooks?: RunHooks, opts?: RollbackOptions): Promise<RollbackOutcome> {
    this.assertOpen();
    if (this.id === null) throw new Error('nothing to roll back: no step of this run has run yet');
    return runRollback(this, hooks, opts);
  }

  measureClientOutage(): ClientOutage | null {
    if (this.id === null) return null;
    const rec = this.record();
    const m = labClientOutage(this.i.env, rec);
    if (m) this.journal.recordClientOutage(this.runId, m);
    return m;
  }

  async recordSnapshot(): Promise<Snapshot> {
    const baseline = await fileBaselineStore(this.stateDir).load().catch(() => null);
    const s = await takeSnapshot(this.runbook, { runtime: this.i.runtime, http: this.i.http, upstreams: (rb, instances) => upstreamsPanel(rb, instances) }, { phase: 'after', baseline, env: this.i.env });
    const snapshot: Snapshot = { ok: s.ok, containers: s.containers, upstreams: s.upstreams, smoke: s.smoke, tokens: s.tokens };
    if (this.id !== null) this.journal.recordSnapshot(this.id, 'verify', snapshot);
    return snapshot;
  }

  finish(outcome: 'succeeded' | 'failed' | 'aborted'): void {
    if (this.id === null) return;
    this.journal.endRun(this.runId, outcome);
  }

  /** What close() could not do cleanly after a storage failure (events not saved, the lease's fallback), in words. */
  readonly closeNotes: string[] = [];

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      try {
        this.i.lease.release();
      } catch (err) {
        this.closeNotes.push(`the driver lease could not be released (${(err as Error).message}); the next driver takes it over with --take-over (this process is gone)`);
      }
      // A run that ended keeps no scratch: its work dir goes (the backups are the only copies kept).
      try {
        if (this.journal.run(this.runId)?.endedAt != null) rmSync(join(this.stateDir, 'work', `run-${this.runId}`), { recursive: true, force: true });
      } catch {
        // Left for `journal --prune`; each copy already removed its own scratch.
      }
      if (this.journal.failure) {
        const held = this.journal.unsavedEvents().length;
        try {
          const n = this.journal.saveUnsaved();
          this.closeNotes.push(`journal: the ${n} event(s) held in memory since the write failed are now on disk (room freed from its reserve)`);
        } catch (err) {
          this.closeNotes.push(`journal: ${held} event(s) held in memory could NOT be written (${(err as Error).message}): the journal ends before them; what they said is printed above`);
        }
      }
    } finally {
      this.journal.close();
      if (this.i.ownHttp) await this.i.http.close?.();
    }
  }

  get runtime(): Runtime {
    return this.i.runtime;
  }

  get http(): Http {
    return this.i.http;
  }

  get env(): NodeJS.ProcessEnv {
    return this.i.env;
  }

  private assertOpen() {
    if (this.closed) throw new Error('the run is closed');
    if (this.i.lease.lost) throw new Error('the driver lease was lost (another driver took over); stop driving');
  }
}
