// The cockpit's pure reducer: (state, action) → new state + the effects the driver must carry out.
// Operator intents and driver events are both actions; nothing here performs I/O.
import type { PanelName } from '../../checks/types.ts';
import type { ResolvedStep, StepFailureCode } from '../../src/engine/types.ts';
import { overlayContent } from '../components/overlays.ts';
import { computeLayout, overlayPageRows } from '../layout.ts';
import { rollbackPlan } from './rollback-plan.ts';
import { downNow, nextStepIndex, outageOpen, runningStep, selectedStep, stepByKey, typedConfirmName, whyNoAcknowledge, whyNoNextStep, whyNoWaiver } from './selectors.ts';
import type { Action, CockpitState, Effect, Overlay, Reduction, StepView } from './types.ts';

export const MAX_OUTPUT_LINES = 5000;

export interface CockpitInit {
  runbook: CockpitState['runbook'];
  steps: ResolvedStep[];
  /** Each action's cockpit bindings and failure hint (src/runbook/catalog.ts cockpitOf). */
  actions: CockpitState['actions'];
  outageBudgetMs: number;
  driver: { name: string; lock?: CockpitState['driver']['lock'] };
  readOnly?: boolean;
  now: number;
  viewport?: { columns: number; rows: number };
}

export function initialState(init: CockpitInit): CockpitState {
  return {
    runbook: init.runbook,
    steps: init.steps.map((step) => ({ step, state: 'pending', output: [] })),
    actions: init.actions,
    selected: 0,
    focus: null,
    panelCursor: 0,
    overlay: null,
    snapshot: null,
    checking: false,
    clock: { openedAt: null, closedAt: null, budgetMs: init.outageBudgetMs, now: init.now },
    driver: { name: init.driver.name, lock: init.driver.lock ?? 'unknown' },
    readOnly: init.readOnly ?? false,
    viewport: init.viewport ?? { columns: 120, rows: 30 },
    message: null,
  };
}

const none = (state: CockpitState): Reduction => ({ state, effects: [] });
const clamp = (n: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, n));

function updateStep(state: CockpitState, key: string, f: (v: StepView) => StepView): CockpitState {
  return { ...state, steps: state.steps.map((v) => (v.step.key === key ? f(v) : v)) };
}

function panelRowCount(state: CockpitState, panel: PanelName): number {
  return state.snapshot?.[panel].items.length ?? 0;
}

/** Lines of the content an overlay scrolls through. */
function overlayContentLength(state: CockpitState, o: Overlay): number {
  // The same wrapped lines the frame draws (wrapping makes a long command several rows).
  if (o.kind === 'rollback-plan' && !rollbackPlan(state).length) return 1;
  return overlayContent(state, o, computeLayout(state.viewport.columns, state.viewport.rows).inner).length;
}

type ScrollOverlay = Extract<Overlay, { scroll: number }>;

function scrollOverlay(state: CockpitState, o: ScrollOverlay, delta: number): CockpitState {
  const page = overlayPageRows(state.viewport.columns, state.viewport.rows);
  const max = Math.max(0, overlayContentLength(state, o) - page);
  const base = o.scroll < 0 ? max : o.scroll;
  const step = Math.abs(delta) >= 1e6 ? Math.sign(delta) * page : delta;
  const next = clamp(base + step, 0, max);
  // Output follows new lines again once scrolled back to the end.
  const scroll = o.kind === 'output' && next === max ? -1 : next;
  return { ...state, overlay: { ...o, scroll } };
}

function ask(state: CockpitState, view: StepView): CockpitState {
  const key = view.step.key;
  const overlay: Overlay = view.step.irreversible
    ? { kind: 'typed-confirm', stepKey: key, expected: typedConfirmName(view.step, state.runbook.remote), typed: '' }
    : { kind: 'confirm', stepKey: key, destructive: view.step.destructive };
  return { ...state, overlay, selected: state.steps.indexOf(view), message: null };
}

function run(state: CockpitState, key: string, extra: Omit<Extract<Effect, { type: 'run-step' }>, 'type' | 'key'> = {}): Reduction {
  return { state: { ...state, overlay: null, message: { text: `running ${key}…`, level: 'info' } }, effects: [{ type: 'run-step', key, ...extra }] };
}

function refuse(state: CockpitState, reason: string): Reduction {
  return none({ ...state, message: { text: reason, level: 'warn' } });
}

/** Guards against a driver event having made the question stale (e.g. another step started meanwhile). */
function stillNext(state: CockpitState, key: string): string | null {
  const why = whyNoNextStep(state);
  if (why) return why;
  const next = state.steps[nextStepIndex(state)];
  return next?.step.key === key ? null : `${key} is no longer the next step`;
}

function onConfirm(state: CockpitState): Reduction {
  const o = state.overlay;
  if (!o) return none(state);
  if (o.kind === 'confirm') {
    const why = stillNext(state, o.stepKey);
    return why ? refuse({ ...state, overlay: null }, why) : run(state, o.stepKey);
  }
  if (o.kind === 'acknowledge') {
    const why = whyNoAcknowledge(state);
    return why ? refuse({ ...state, overlay: null }, why) : run(state, o.stepKey, { acknowledgeLogs: true });
  }
  if (o.kind === 'quit-confirm') return { state: { ...state, overlay: null }, effects: [{ type: 'quit', resumable: true }] };
  if (o.kind === 'rollback-plan') {
    return { state: { ...state, overlay: null, rollingBack: true, message: { text: 'rolling back…', level: 'warn' } }, effects: [{ type: 'rollback' }] };
  }
  return none(state);
}

function onSubmit(state: CockpitState): Reduction {
  const o = state.overlay;
  if (o?.kind === 'typed-confirm') {
    if (o.typed !== o.expected) {
      return none({ ...state, overlay: { ...o, typed: '', error: `"${o.typed}" is not the name: type ${o.expected} exactly` } });
    }
    const why = stillNext(state, o.stepKey);
    return why ? refuse({ ...state, overlay: null }, why) : run(state, o.stepKey, { typed: o.typed });
  }
  if (o?.kind === 'waiver-reason') {
    const reason = o.reason.trim();
    if (!reason) return none({ ...state, overlay: { ...o, error: 'a waiver needs a reason' } });
    const why = whyNoWaiver(state) ?? stillNext(state, o.stepKey);
    return why ? refuse({ ...state, overlay: null }, why) : run(state, o.stepKey, { waiver: { reason } });
  }
  if (o?.kind === 'skip-reason') {
    const reason = o.reason.trim();
    if (!reason) return none({ ...state, overlay: { ...o, error: 'a reason is required to skip' } });
    const why = stillNext(state, o.stepKey);
    if (why) return refuse({ ...state, overlay: null }, why);
    const noted = updateStep(state, o.stepKey, (v) => ({ ...v, skipReason: reason }));
    return {
      state: { ...noted, overlay: null, message: { text: `skipping ${o.stepKey}: ${reason}`, level: 'info' } },
      effects: [{ type: 'skip-step', key: o.stepKey, reason }],
    };
  }
  return none(state);
}

/** What the operator can do about a failed step: the decommission gates have their own keys, and a blocked
 *  gate changed nothing (no rollback to offer). */
export function failedHint(state: Pick<CockpitState, 'actions'>, action: string, code: StepFailureCode | undefined): { text: string; gate: boolean } {
  const own = Object.hasOwn(state.actions, action) ? state.actions[action]!.failed : undefined;
  if (own && (own.code === undefined || own.code === code)) return { text: own.hint, gate: true };
  return { text: 'r shows the rollback plan.', gate: false };
}

function onStepState(state: CockpitState, a: Extract<Action, { type: 'step-state' }>): CockpitState {
  const view = stepByKey(state, a.key);
  if (!view) return state;
  const at = a.at ?? state.clock.now;
  let next = updateStep(state, a.key, (v) => ({
    ...v,
    state: a.state,
    error: a.state === 'failed' ? (a.error ?? v.error) : a.state === 'running' ? undefined : v.error,
    failureCode: a.state === 'failed' ? a.code : a.state === 'running' ? undefined : v.failureCode,
    revert: a.revert ?? (a.state === 'running' ? undefined : v.revert),
    skipReason: a.state === 'skipped' ? (a.reason ?? v.skipReason) : v.skipReason,
  }));
  const clock = next.clock;
  if (view.step.outage === 'opens' && a.state === 'running' && clock.openedAt == null) next = { ...next, clock: { ...clock, openedAt: at } };
  if (view.step.outage === 'closes' && a.state === 'succeeded' && clock.closedAt == null) next = { ...next, clock: { ...clock, closedAt: at } };
  if (a.state === 'running') next = { ...next, selected: next.steps.findIndex((v) => v.step.key === a.key) };
  if (a.state === 'failed') {
    const revert = a.revert ? `; ${a.revert}` : '';
    const hint = failedHint(state, view.step.action, a.code);
    // The gates' own keys come first: the message line is cut at the terminal's width.
    const text = hint.gate ? `${a.key} blocked: ${hint.text} ${a.error ?? ''}` : `${a.key} failed: ${a.error ?? 'see output (o)'}${revert}. ${hint.text}`;
    next = { ...next, message: { text, level: 'error' } };
  }
  return next;
}

export function reduce(state: CockpitState, action: Action): Reduction {
  switch (action.type) {
    // ── operator intents ──
    case 'select': {
      if (state.focus) {
        const rows = panelRowCount(state, state.focus);
        return none({ ...state, panelCursor: clamp(state.panelCursor + action.delta, 0, Math.max(0, rows - 1)) });
      }
      return none({ ...state, selected: clamp(state.selected + action.delta, 0, Math.max(0, state.steps.length - 1)) });
    }
    case 'run-next': {
      const why = whyNoNextStep(state);
      if (why) return refuse(state, why);
      return none(ask(state, state.steps[nextStepIndex(state)]!));
    }
    case 'skip': {
      const why = whyNoNextStep(state);
      if (why) return refuse(state, why);
      const view = state.steps[nextStepIndex(state)]!;
      return none({ ...state, selected: state.steps.indexOf(view), overlay: { kind: 'skip-reason', stepKey: view.step.key, reason: '' }, message: null });
    }
    case 'waive': {
      const why = whyNoWaiver(state);
      if (why) return refuse(state, why);
      const view = state.steps[nextStepIndex(state)]!;
      return none({ ...state, selected: state.steps.indexOf(view), overlay: { kind: 'waiver-reason', stepKey: view.step.key, reason: '' }, message: null });
    }
    case 'acknowledge': {
      const why = whyNoAcknowledge(state);
      if (why) return refuse(state, why);
      const view = state.steps[nextStepIndex(state)]!;
      return none({ ...state, selected: state.steps.indexOf(view), overlay: { kind: 'acknowledge', stepKey: view.step.key }, message: null });
    }
    case 'show-diff': {
      const view = selectedStep(state);
      return view?.diff ? none({ ...state, overlay: { kind: 'diff', stepKey: view.step.key, scroll: 0 } }) : refuse(state, 'no diff for this step');
    }
    case 'show-output': {
      const view = selectedStep(state);
      return view ? none({ ...state, overlay: { kind: 'output', stepKey: view.step.key, scroll: -1 } }) : none(state);
    }
    case 'rollback': {
      const running = runningStep(state);
      if (running) return refuse(state, `wait for ${running.step.key} to finish`);
      return none({ ...state, overlay: { kind: 'rollback-plan', scroll: 0 }, message: null });
    }
    case 'rollback-choice': {
      if (state.overlay?.kind !== 'new-writes') return none(state);
      const text = action.choice === 'copy-back' ? 'rolling back, carrying the new writes back…' : 'rolling back WITHOUT the new writes…';
      return { state: { ...state, overlay: null, message: { text, level: 'warn' } }, effects: [{ type: 'rollback', newWrites: action.choice }] };
    }
    case 'rollback-refused':
      return none({ ...state, overlay: { kind: 'new-writes', scroll: 0, lines: action.lines }, message: { text: 'rollback stopped, nothing changed: the target took writes since the copy', level: 'error' } });
    case 'recheck':
      if (state.checking) return none(state);
      return { state: { ...state, checking: true }, effects: [{ type: 'recheck' }] };
    case 'focus':
      return none({ ...state, focus: state.focus === action.panel ? null : action.panel, panelCursor: 0 });
    case 'help':
      return none({ ...state, overlay: { kind: 'help', scroll: 0 } });
    case 'quit': {
      if (state.overlay) return none(state);
      if (runningStep(state) || state.rollingBack) return none({ ...state, overlay: { kind: 'quit-confirm' } });
      // Inside the outage window a stray q would leave identities down and no cockpit: ask, naming what is down.
      if (outageOpen(state) && !state.readOnly) return none({ ...state, overlay: { kind: 'quit-confirm', window: { down: downNow(state) } } });
      const resumable = nextStepIndex(state) >= 0;
      return { state, effects: [{ type: 'quit', resumable }] };
    }
    case 'back':
      if (state.overlay) return none({ ...state, overlay: null });
      return none({ ...state, focus: null });
    case 'scroll': {
      const o = state.overlay;
      if (!o || !('scroll' in o)) return none(state);
      return none(scrollOverlay(state, o, action.delta));
    }
    case 'confirm':
      return onConfirm(state);
    case 'submit':
      return onSubmit(state);
    case 'text': {
      const o = state.overlay;
      if (o?.kind === 'typed-confirm') return none({ ...state, overlay: { ...o, typed: o.typed + action.text, error: undefined } });
      if (o?.kind === 'skip-reason' || o?.kind === 'waiver-reason') return none({ ...state, overlay: { ...o, reason: o.reason + action.text, error: undefined } });
      return none(state);
    }
    case 'backspace': {
      const o = state.overlay;
      const cut = (s: string) => [...s].slice(0, -1).join('');
      if (o?.kind === 'typed-confirm') return none({ ...state, overlay: { ...o, typed: cut(o.typed) } });
      if (o?.kind === 'skip-reason' || o?.kind === 'waiver-reason') return none({ ...state, overlay: { ...o, reason: cut(o.reason) } });
      return none(state);
    }
    case 'refused':
      return refuse(state, action.reason);

    // ── driver events ──
    case 'step-state':
      return none(onStepState(state, action));
    case 'output':
      return none(
        updateStep(state, action.key, (v) => {
          const output = v.output.concat(action.lines);
          return { ...v, output: output.length > MAX_OUTPUT_LINES ? output.slice(-MAX_OUTPUT_LINES) : output };
        }),
      );
    case 'diff':
      return none(updateStep(state, action.key, (v) => ({ ...v, diff: action.diff })));
    case 'snapshot':
      return none({ ...state, snapshot: action.snapshot, checking: false });
    case 'checking':
      return none({ ...state, checking: action.on });
    case 'rolling-back':
      return none({ ...state, rollingBack: action.on });
    case 'tick':
      return none({ ...state, clock: { ...state.clock, now: action.now } });
    case 'outage': {
      const { openedAt, closedAt, budgetMs } = action;
      const c = state.clock;
      return none({
        ...state,
        clock: { ...c, openedAt: openedAt === undefined ? c.openedAt : openedAt, closedAt: closedAt === undefined ? c.closedAt : closedAt, budgetMs: budgetMs ?? c.budgetMs },
      });
    }
    case 'driver':
      return none({ ...state, driver: { name: action.name, lock: action.lock, detail: action.detail } });
    case 'message':
      return none({ ...state, message: { text: action.text, level: action.level ?? 'info' } });
    case 'viewport':
      return none({ ...state, viewport: { columns: action.columns, rows: action.rows } });
    case 'history':
      return none({ ...state, history: action.view });
  }
}

/** Applies actions in order, collecting every effect (for drivers replaying a journal, and for tests). */
export function reduceAll(state: CockpitState, actions: Action[]): Reduction {
  const effects: Effect[] = [];
  for (const a of actions) {
    const r = reduce(state, a);
    state = r.state;
    effects.push(...r.effects);
  }
  return { state, effects };
}
