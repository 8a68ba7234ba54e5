// What may run next, or why nothing may. Steps run in plan order, one at a time; the expansions of a step
// marked parallel may run together (nextGroup).
import type { ResolvedStep } from './types.ts';
import { stateOf, type StepStates } from './transitions.ts';

export type NextStep = { step: ResolvedStep } | { blocked: string; done?: true };

export function nextRunnable(plan: readonly ResolvedStep[], states: StepStates): NextStep {
  const running = plan.find((s) => stateOf(states, s.key) === 'running');
  if (running) return { blocked: `step ${running.index} ${running.key} is running` };
  const failed = plan.find((s) => stateOf(states, s.key) === 'failed');
  if (failed) return { blocked: `step ${failed.index} ${failed.key} failed: retry it, skip it or roll back` };
  const undone = plan.find((s) => stateOf(states, s.key) === 'rolled-back');
  if (undone) return { blocked: `the run was rolled back (step ${undone.index} ${undone.key} is undone); start a new run` };
  const step = plan.find((s) => stateOf(states, s.key) === 'pending');
  if (!step) return { blocked: 'all steps are done', done: true };
  for (const dep of step.after ?? []) {
    const deps = plan.filter((s) => s.id === dep);
    const notOk = deps.find((s) => stateOf(states, s.key) !== 'succeeded');
    if (!deps.length) return { blocked: `step ${step.index} ${step.key} needs step "${dep}", which is not in the plan` };
    if (notOk) return { blocked: `step ${step.index} ${step.key} needs ${notOk.key} to have succeeded; it is ${stateOf(states, notOk.key)}` };
  }
  return { step };
}

/**
 * What a non-interactive driver runs next: the next step, and with it, when it is an expansion of a
 * `parallel` for_each step, its pending siblings that follow it in the plan (same id), to run at once.
 */
export function nextGroup(plan: readonly ResolvedStep[], states: StepStates): { steps: ResolvedStep[] } | { blocked: string; done?: true } {
  const nx = nextRunnable(plan, states);
  if (!('step' in nx)) return nx;
  const steps = [nx.step];
  if (!nx.step.parallel) return { steps };
  for (let i = plan.indexOf(nx.step) + 1; i < plan.length; i++) {
    const s = plan[i]!;
    if (s.id !== nx.step.id || stateOf(states, s.key) !== 'pending') break;
    steps.push(s);
  }
  return { steps };
}
