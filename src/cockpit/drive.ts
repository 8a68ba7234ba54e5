// `run`: the screen's effects carried out on the runner, and the runner's events shown on the screen.
// The screen has already asked (y / typed name) before it requests a step, so the runner's own questions
// during that step (an operator gate, re-running an interrupted step) count as answered by that consent and
// are shown on the message line. Three answers are never implied: an irreversible step checks the name the
// operator typed (confirmTyped), the log review's findings need the explicit `a` acknowledgement, and the
// stability window is only waived with the reason typed after `w`.
import type { Run, RunHooks, RunnerEvent } from '../runner/index.ts';
import type { CockpitStore } from '../../screens/state/store.ts';
import type { Action, Effect } from '../../screens/state/types.ts';
import { outageEvent, stepEvents } from './journal-view.ts';
import { stateOf } from '../engine/transitions.ts';
import { incompleteReasons, newWritesLines } from '../engine/rollback.ts';
import { instanceRef } from '../runbook/instance-ref.ts';

export interface Driver {
  /** True while a step or the rollback is being carried out. */
  busy(): boolean;
  /** Settles when what is in flight has finished. */
  idle(): Promise<void>;
  /** True when every step is done and the run was finished as succeeded. */
  completed(): boolean;
  handle(effect: Effect): void;
}

/** Puts what the journal already has for this run (a resumed run) on the screen. */
export function showJournal(store: CockpitStore, run: Run): void {
  const events: Action[] = [...stepEvents(run.plan, run.steps()), outageEvent(run.record())];
  const r = run.resumed;
  if (r) {
    const where = r.interrupted ? `${r.interrupted} was running when the last driver stopped: enter re-runs it` : r.next ? `next: ${r.next}` : 'every step is done';
    events.push({ type: 'message', text: `resumed run #${r.runId}: ${r.done.length} steps done; ${where}`, level: r.interrupted ? 'warn' : 'info' });
  }
  store.dispatchAll(events);
}

export interface DriverOptions {
  recheck: () => Promise<void>;
  /**
   * The preflight, asked before the run's first destructive step: the blockers' lines (empty: go on). A
   * blocker refuses the step, so the outage window never opens while one stands.
   */
  preflight?: () => Promise<string[]>;
}

export function createDriver(store: CockpitStore, run: Run, o: DriverOptions): Driver {
  let inFlight: Promise<void> | null = null;
  let completed = run.record().outcome === 'succeeded';

  const onEvent = (e: RunnerEvent) => {
    switch (e.kind) {
      case 'state':
        if (e.summary && e.state !== 'running') store.dispatch({ type: 'output', key: e.key, lines: [e.summary] });
        store.dispatch({ type: 'step-state', key: e.key, state: e.state, at: e.at, ...(e.error ? { error: e.error.split('\n')[0] } : {}), ...(e.code ? { code: e.code } : {}) });
        if (e.state === 'succeeded' || e.state === 'rolled-back') store.dispatch({ type: 'message', text: `${e.state === 'succeeded' ? '✓' : '↺'} ${e.key}${e.summary ? `: ${e.summary.split('\n')[0]}` : ''}` });
        break;
      case 'action': {
        const ev = e.event;
        const line = ev.kind === 'output' ? ev.line : ev.kind === 'command' ? `$ ${ev.argv.join(' ')}` : `… ${ev.message}${ev.total ? ` (${ev.done ?? 0}/${ev.total})` : ''}`;
        store.dispatch({ type: 'output', key: e.key, lines: line.split('\n') });
        break;
      }
      case 'outage':
        store.dispatch(e.state === 'opened' ? { type: 'outage', openedAt: e.at } : { type: 'outage', closedAt: e.at });
        break;
      case 'note':
        store.dispatch({ type: 'message', text: e.message });
        break;
    }
  };
  const hooks: RunHooks = {
    onEvent,
    confirm: async (prompt) => {
      store.dispatch({ type: 'message', text: `confirmed when you started the step: ${prompt}`, level: 'warn' });
      return true;
    },
  };
  /** The hooks for one run-step request: what the operator typed or acknowledged for it. */
  const hooksFor = (e: Extract<Effect, { type: 'run-step' }>): RunHooks => ({
    ...hooks,
    confirm: async (prompt, step) => {
      // Not acknowledged with `a`: the review fails naming what it found; `a` then runs it again acknowledged.
      if (step?.action === 'logs.review') return false;
      return hooks.confirm!(prompt, step);
    },
    confirmTyped: async (_prompt, expected) => {
      // The executor asks for the bare name; the operator typed it as shown (REMOTE:NAME with runtime.remote).
      const shown = instanceRef(run.runbook, expected);
      const ok = e.typed === shown;
      if (!ok) store.dispatch({ type: 'message', text: `"${e.typed ?? ''}" is not ${shown}: nothing deleted`, level: 'error' });
      return ok;
    },
    ...(e.waiver || e.acknowledgeLogs ? { decommission: { ...(e.waiver ? { waiver: e.waiver } : {}), ...(e.acknowledgeLogs ? { acknowledgeLogs: true } : {}) } } : {}),
  });

  const finishIfDone = () => {
    const next = run.next();
    if ('step' in next || !next.done || completed) return;
    run.measureClientOutage();
    run.finish('succeeded');
    completed = true;
    store.dispatch({ type: 'message', text: 'cutover complete: every step done · q quits · then cutover verify and cutover report' });
  };

  const track = (work: () => Promise<void>) => {
    inFlight = work()
      .catch((err: Error) => {
        store.dispatch({ type: 'message', text: err.message.split('\n')[0]!, level: 'error' });
      })
      .finally(() => {
        inFlight = null;
        void o.recheck();
      });
  };

  return {
    busy: () => inFlight !== null,
    idle: () => inFlight ?? Promise.resolve(),
    completed: () => completed,
    handle(effect) {
      switch (effect.type) {
        case 'run-step':
          if (inFlight) return void store.dispatch({ type: 'message', text: 'wait: something is still running', level: 'warn' });
          return track(async () => {
            const step = run.plan.find((x) => x.key === effect.key);
            const states = run.states();
            const firstDestructive = step && (step.destructive || step.irreversible) && !run.plan.some((x) => (x.destructive || x.irreversible) && stateOf(states, x.key) !== 'pending');
            if (firstDestructive && o.preflight) {
              store.dispatch({ type: 'message', text: `preflight before ${effect.key} (the first destructive step)…` });
              const stop = await o.preflight();
              if (stop.length) {
                store.dispatch({ type: 'output', key: effect.key, lines: ['preflight: refusing to open the outage window; nothing was stopped or written', ...stop] });
                store.dispatch({ type: 'message', text: `preflight: ${stop[0]}${stop.length > 1 ? ` (+${stop.length - 1} more: o shows them; cutover plan lists all)` : ''}`, level: 'error' });
                return;
              }
            }
            const out = await run.runStep(effect.key, hooksFor(effect));
            if (out.notRun === 'interrupted') store.dispatch({ type: 'step-state', key: effect.key, state: 'failed', error: out.error });
            finishIfDone();
          });
        case 'skip-step':
          try {
            run.skipStep(effect.key, effect.reason);
            store.dispatch({ type: 'step-state', key: effect.key, state: 'skipped', reason: effect.reason, at: Date.now() });
            finishIfDone();
          } catch (err) {
            store.dispatch({ type: 'message', text: (err as Error).message, level: 'error' });
          }
          return;
        case 'rollback':
          if (inFlight) return;
          return track(async () => {
            store.dispatch({ type: 'rolling-back', on: true });
            const out = await run.rollback(hooks, effect.newWrites ? { newWrites: effect.newWrites } : {}).finally(() => store.dispatch({ type: 'rolling-back', on: false }));
            // Stopped before changing anything: the operator chooses (c copy back · x discard · n cancel).
            if (out.refused === 'new-writes' && out.newWrites) return void store.dispatch({ type: 'rollback-refused', lines: newWritesLines(out.newWrites) });
            const proofs = out.proofs.map((p) => `${p.id} ${p.ok === null ? '·' : p.ok ? '✓' : '✗'}`).join(' ');
            store.dispatch({
              type: 'message',
              text: out.ok ? `rolled back: ${out.entries.filter((x) => x.result === 'undone').length} undone, ${out.entries.filter((x) => x.result === 'kept').length} kept · legacy proven: ${proofs}` : `rollback INCOMPLETE: ${incompleteReasons(out).join('; ')}`,
              level: out.ok ? 'info' : 'error',
            });
          });
        case 'recheck':
          void o.recheck();
          return;
        case 'quit':
          return; // the command owns teardown
      }
    },
  };
}
