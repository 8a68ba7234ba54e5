// Every key binding of the cockpit, once, as data. It drives the footer (keys valid now; disabled ones say
// why), the `?` help overlay, docs/keys.md (scripts/gen-keys-doc.ts) and the key → intent decoding.
import type { PanelName } from '../checks/types.ts';
import { bindingActsOn as actsOn, runningStep, selectedStep, whyNoAcknowledge, whyNoNextStep, whyNoWaiver } from './state/selectors.ts';
import type { CockpitState, Intent } from './state/types.ts';

/**
 * Where a binding applies: `main` the normal screen, `focus` a full-size panel (1–4), `scroll` a scrollable
 * overlay (help, diff, output, rollback plan), `confirm` a yes/no question, `text` a typed answer, `choose` the
 * rollback's question when the target took writes since the copy (copy back / discard / cancel).
 */
export type KeyContext = 'main' | 'focus' | 'scroll' | 'confirm' | 'choose' | 'text';

/** Key names: a printable character as itself, special keys by name, `text` any printable character. */
export type KeyName = string;

export interface Binding {
  id: string;
  keys: KeyName[];
  /** Short word for the footer. */
  label: string;
  /** One sentence for the help overlay and docs/keys.md. */
  help: string;
  /** Changes the run (absent in read-only `watch`). */
  dangerous: boolean;
  contexts: KeyContext[];
  /** true when the binding can act now, else the reason it cannot (shown in the footer and on press). */
  when: (state: CockpitState) => true | string;
  /** For docs: when it is disabled. */
  disabledWhen?: string;
  /** Listed in the footer only when this holds (keys of steps the runbook does not have stay out of the way). */
  relevant?: (state: CockpitState) => boolean;
  intent: (key: KeyName, input: string) => Intent;
}

const always = (): true => true;
const PANELS: PanelName[] = ['containers', 'upstreams', 'smoke', 'tokens'];

export const KEYMAP: readonly Binding[] = [
  {
    id: 'select',
    keys: ['up', 'k', 'down', 'j'],
    label: 'select',
    help: 'Select the previous / next step (in a full-size panel: the previous / next row).',
    dangerous: false,
    contexts: ['main', 'focus'],
    when: (s) => (s.focus || s.steps.length > 0 ? true : 'the runbook has no steps'),
    intent: (key) => ({ type: 'select', delta: key === 'up' || key === 'k' ? -1 : 1 }),
  },
  {
    id: 'run',
    keys: ['enter'],
    label: 'run',
    help: 'Run the next step. Asks first: destructive steps need y, irreversible ones the container name typed.',
    dangerous: true,
    contexts: ['main'],
    when: (s) => whyNoNextStep(s) ?? true,
    disabledWhen: 'a step is running, every step is done, or the run was rolled back',
    intent: () => ({ type: 'run-next' }),
  },
  {
    id: 'skip',
    keys: ['s'],
    label: 'skip',
    help: 'Skip the next step; asks for a reason, which goes into the journal and the report.',
    dangerous: true,
    contexts: ['main'],
    when: (s) => whyNoNextStep(s) ?? true,
    disabledWhen: 'a step is running, every step is done, or the run was rolled back',
    intent: () => ({ type: 'skip' }),
  },
  {
    id: 'waive',
    keys: ['w'],
    label: 'waive',
    help: 'The stability gate blocked: waive the window early with a typed reason; who and why go into the journal and the report.',
    dangerous: true,
    contexts: ['main'],
    when: (s) => whyNoWaiver(s) ?? true,
    relevant: (s) => s.steps.some((v) => actsOn(s, 'waive', v.step.action)),
    disabledWhen: 'the next step is no stability gate that blocked, or a step is running',
    intent: () => ({ type: 'waive' }),
  },
  {
    id: 'acknowledge',
    keys: ['a'],
    label: 'ack',
    help: 'The log review found restarts, panics or errors (o shows the lines): acknowledge them and run the review again.',
    dangerous: true,
    contexts: ['main'],
    when: (s) => whyNoAcknowledge(s) ?? true,
    relevant: (s) => s.steps.some((v) => actsOn(s, 'acknowledge', v.step.action)),
    disabledWhen: 'the next step is no log review waiting for an acknowledgement, or a step is running',
    intent: () => ({ type: 'acknowledge' }),
  },
  {
    id: 'diff',
    keys: ['d'],
    label: 'diff',
    help: 'Show the exact change the selected step makes: Caddyfile unified diff, file contents, commands.',
    dangerous: false,
    contexts: ['main'],
    when: (s) => (selectedStep(s)?.diff ? true : 'no diff for this step'),
    disabledWhen: 'the selected step has no diff',
    intent: () => ({ type: 'show-diff' }),
  },
  {
    id: 'output',
    keys: ['o'],
    label: 'output',
    help: 'Show the full output of the selected step, scrollable; follows new lines at the end.',
    dangerous: false,
    contexts: ['main'],
    when: (s) => (selectedStep(s)?.output.length ? true : 'no output yet'),
    disabledWhen: 'the selected step has produced no output',
    intent: () => ({ type: 'show-output' }),
  },
  {
    id: 'rollback',
    keys: ['r'],
    label: 'rollback',
    help: 'Show the rollback plan for what was done (newest first), then ask before rolling back.',
    dangerous: true,
    contexts: ['main'],
    when: (s) => {
      const running = runningStep(s);
      if (running) return `wait for ${running.step.key}`;
      if (!s.steps.some((v) => v.state === 'succeeded' || v.state === 'failed')) return 'nothing done yet';
      return true;
    },
    disabledWhen: 'a step is running, or nothing has been done',
    intent: () => ({ type: 'rollback' }),
  },
  {
    id: 'recheck',
    keys: ['v'],
    label: 'recheck',
    help: 'Re-check every panel now (containers, upstreams, smoke, tokens).',
    dangerous: false,
    contexts: ['main', 'focus'],
    when: (s) => (s.checking ? 'checking…' : true),
    disabledWhen: 'a check is already in flight',
    intent: () => ({ type: 'recheck' }),
  },
  {
    id: 'panel',
    keys: ['1', '2', '3', '4'],
    label: 'panel',
    help: 'Show one panel full-size: 1 containers, 2 upstreams, 3 smoke, 4 tokens (the same key or esc goes back).',
    dangerous: false,
    contexts: ['main', 'focus'],
    when: always,
    intent: (key) => ({ type: 'focus', panel: PANELS[Number(key) - 1] ?? 'containers' }),
  },
  {
    id: 'scroll',
    keys: ['up', 'k', 'down', 'j', 'pageup', 'pagedown'],
    label: 'scroll',
    help: 'Scroll by a line or a page.',
    dangerous: false,
    contexts: ['scroll'],
    when: always,
    intent: (key) => ({ type: 'scroll', delta: key === 'up' || key === 'k' ? -1 : key === 'down' || key === 'j' ? 1 : key === 'pageup' ? -1e6 : 1e6 }),
  },
  {
    id: 'yes',
    keys: ['y'],
    label: 'yes',
    help: 'Answer yes to the question (run the step, acknowledge the log review, roll back, quit).',
    dangerous: false,
    contexts: ['confirm'],
    when: always,
    intent: () => ({ type: 'confirm' }),
  },
  {
    id: 'enter-yes',
    keys: ['enter'],
    label: 'yes',
    help: 'Answer yes to running a step that is not destructive.',
    dangerous: false,
    contexts: ['confirm'],
    when: (s) => (s.overlay?.kind === 'confirm' && !s.overlay.destructive ? true : 'press y'),
    disabledWhen: 'the question is about a destructive step, a rollback or quitting (press y)',
    intent: () => ({ type: 'confirm' }),
  },
  {
    id: 'copy-back',
    keys: ['c'],
    label: 'copy-back',
    help: 'New writes in the target: roll back carrying them back into the legacy containers (backed up, verified).',
    dangerous: true,
    contexts: ['choose'],
    when: always,
    intent: () => ({ type: 'rollback-choice', choice: 'copy-back' }),
  },
  {
    id: 'discard-new-writes',
    keys: ['x'],
    label: 'discard',
    help: 'New writes in the target: roll back without them (the loss is journaled and reported, with counts).',
    dangerous: true,
    contexts: ['choose'],
    when: always,
    intent: () => ({ type: 'rollback-choice', choice: 'discard-new-writes' }),
  },
  {
    id: 'no',
    keys: ['n'],
    label: 'no',
    help: 'Answer no (new writes: cancel, nothing is rolled back).',
    dangerous: false,
    contexts: ['confirm', 'choose'],
    when: always,
    intent: () => ({ type: 'back' }),
  },
  {
    id: 'type',
    keys: ['text'],
    label: 'type',
    help: 'Type the answer (container name, skip or waiver reason).',
    dangerous: false,
    contexts: ['text'],
    when: always,
    intent: (_key, input) => ({ type: 'text', text: input }),
  },
  {
    id: 'erase',
    keys: ['backspace'],
    label: 'erase',
    help: 'Erase the last character typed.',
    dangerous: false,
    contexts: ['text'],
    when: always,
    intent: () => ({ type: 'backspace' }),
  },
  {
    id: 'submit',
    keys: ['enter'],
    label: 'submit',
    help: 'Submit the typed answer.',
    dangerous: false,
    contexts: ['text'],
    when: always,
    intent: () => ({ type: 'submit' }),
  },
  {
    id: 'back',
    keys: ['esc'],
    label: 'back',
    help: 'Close the overlay or question, or leave the full-size panel.',
    dangerous: false,
    contexts: ['focus', 'scroll', 'confirm', 'choose', 'text'],
    when: always,
    intent: () => ({ type: 'back' }),
  },
  {
    id: 'help',
    keys: ['?'],
    label: 'help',
    help: 'Show every key binding.',
    dangerous: false,
    contexts: ['main', 'focus'],
    when: always,
    intent: () => ({ type: 'help' }),
  },
  {
    id: 'quit',
    keys: ['q'],
    label: 'quit',
    help: 'Quit the cockpit (asks while a step runs, and while the outage window is open, naming what is down; n stays); the run stays in the journal and `cutover run` resumes it.',
    dangerous: false,
    contexts: ['main', 'focus'],
    when: always,
    intent: () => ({ type: 'quit' }),
  },
  {
    id: 'close',
    keys: ['q'],
    label: 'close',
    help: 'Close the overlay (like esc).',
    dangerous: false,
    contexts: ['scroll'],
    when: always,
    intent: () => ({ type: 'back' }),
  },
];

export const KEY_DISPLAY: Record<string, string> = {
  up: '↑',
  down: '↓',
  enter: 'enter',
  esc: 'esc',
  pageup: 'PgUp',
  pagedown: 'PgDn',
  backspace: '⌫',
  text: 'a–z…',
};

export function displayKeys(b: Binding): string {
  if (b.id === 'panel') return '1–4';
  return b.keys.map((k) => KEY_DISPLAY[k] ?? k).join('/');
}

/** The contexts in force for this state. */
export function activeContexts(state: CockpitState): KeyContext[] {
  const o = state.overlay;
  if (!o) return [state.focus ? 'focus' : 'main'];
  switch (o.kind) {
    case 'help':
    case 'diff':
    case 'output':
      return ['scroll'];
    case 'rollback-plan':
      return ['scroll', 'confirm'];
    case 'new-writes':
      return ['scroll', 'choose'];
    case 'confirm':
    case 'acknowledge':
    case 'quit-confirm':
      return ['confirm'];
    case 'typed-confirm':
    case 'skip-reason':
    case 'waiver-reason':
      return ['text'];
  }
}

/** The bindings that exist here: read-only mode drops dangerous ones entirely. */
export function visibleBindings(state: CockpitState, contexts: KeyContext[] = activeContexts(state)): Binding[] {
  return KEYMAP.filter((b) => !(state.readOnly && b.dangerous) && b.contexts.some((c) => contexts.includes(c)));
}

export const CONTEXT_TITLE: Record<KeyContext, string> = {
  main: 'Cockpit',
  focus: 'Full-size panel (1–4)',
  scroll: 'Help, diff, output, rollback plan',
  confirm: 'Questions',
  choose: 'Rollback: the target took writes since the copy',
  text: 'Typed answers',
};

/** The help overlay's (and docs/keys.md's) sections: every binding that exists here, by context. */
export function helpSections(state: CockpitState): { context: KeyContext; title: string; bindings: Binding[] }[] {
  return (Object.keys(CONTEXT_TITLE) as KeyContext[])
    .map((context) => ({ context, title: CONTEXT_TITLE[context], bindings: visibleBindings(state, [context]) }))
    .filter((s) => s.bindings.length > 0);
}

export interface FooterEntry {
  id: string;
  keys: string;
  label: string;
  /** null when the binding can act now, else why not. */
  disabled: string | null;
}

/** The footer: usable bindings first, then disabled ones with their reason. */
export function footerEntries(state: CockpitState): FooterEntry[] {
  const hiddenInFooter = new Set(['erase', 'enter-yes', 'no']);
  const entries = visibleBindings(state)
    .filter((b) => !hiddenInFooter.has(b.id) && (b.relevant?.(state) ?? true))
    .map((b) => {
      const ok = b.when(state);
      return { id: b.id, keys: displayKeys(b), label: b.label, disabled: ok === true ? null : ok };
    });
  return [...entries.filter((e) => !e.disabled), ...entries.filter((e) => e.disabled)];
}

/** Ink's (input, key) → a key name of the keymap. */
export function keyName(
  input: string,
  key: { upArrow?: boolean; downArrow?: boolean; return?: boolean; escape?: boolean; backspace?: boolean; delete?: boolean; pageUp?: boolean; pageDown?: boolean; ctrl?: boolean; meta?: boolean; tab?: boolean },
): KeyName | null {
  if (key.upArrow) return 'up';
  if (key.downArrow) return 'down';
  if (key.return) return 'enter';
  if (key.escape) return 'esc';
  if (key.backspace || key.delete) return 'backspace';
  if (key.pageUp) return 'pageup';
  if (key.pageDown) return 'pagedown';
  if (key.tab || key.ctrl || key.meta || !input) return null;
  return input;
}

/**
 * The intent a key means in this state. Disabled bindings become a `refused` intent carrying their reason;
 * in read-only mode a dangerous key says who drives. Unbound keys mean nothing (null).
 */
export function resolveKey(state: CockpitState, name: KeyName, input = name): Intent | null {
  const contexts = activeContexts(state);
  const candidates = KEYMAP.filter((b) => b.contexts.some((c) => contexts.includes(c)));
  const textual = contexts.includes('text') && name.length >= 1 && !['enter', 'esc', 'backspace', 'up', 'down', 'pageup', 'pagedown'].includes(name);
  const binding = textual ? candidates.find((b) => b.keys.includes('text')) : candidates.find((b) => b.keys.includes(name));
  if (!binding) return null;
  if (state.readOnly && binding.dangerous) return { type: 'refused', reason: `read-only: ${state.driver.name} drives` };
  const ok = binding.when(state);
  if (ok !== true) return { type: 'refused', reason: `${displayKeys(binding)} ${binding.label}: ${ok}` };
  return binding.intent(name, input);
}

