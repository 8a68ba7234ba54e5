// Renders the cockpit with the posta fixture data in a real terminal, with a toy driver that "runs" steps
// (streams a few output lines, then succeeds), re-checks panels and ticks the clock. Nothing touches a host.
//   npx tsx scripts/preview-cockpit.tsx [--red | --unknown] [--fresh] [--read-only]
import { render } from 'ink';
import { Cockpit, colorFromEnv } from '../screens/Cockpit.tsx';
import { greenSnapshot, midCutoverState, freshState, redSnapshot, unknownSnapshot, REPOINT_DIFF } from '../screens/fixtures/posta.ts';
import { createCockpitStore } from '../screens/state/store.ts';

const args = new Set(process.argv.slice(2));
const readOnly = args.has('--read-only');
const store = createCockpitStore(args.has('--fresh') ? freshState({ readOnly }) : midCutoverState({ readOnly }));
const snapshot = () => (args.has('--red') ? redSnapshot() : args.has('--unknown') ? unknownSnapshot() : greenSnapshot());
store.dispatch({ type: 'diff', key: 'repoint-caddy', diff: REPOINT_DIFF });
store.dispatch({ type: 'snapshot', snapshot: snapshot() });

const timers = new Set<NodeJS.Timeout>();
const later = (ms: number, f: () => void) => {
  const t = setTimeout(() => {
    timers.delete(t);
    f();
  }, ms);
  timers.add(t);
};
const offset = store.getState().clock.now - Date.now();
const now = () => Date.now() + offset;

const ink = render(<Cockpit store={store} color={colorFromEnv(process.env)} />, { maxFps: 12, incrementalRendering: true, exitOnCtrlC: true });
const tick = setInterval(() => store.dispatch({ type: 'tick', now: now() }), 1000);

store.onEffect((e) => {
  switch (e.type) {
    case 'run-step':
      store.dispatch({ type: 'step-state', key: e.key, state: 'running', at: now() });
      for (let i = 1; i <= 4; i++) later(250 * i, () => store.dispatch({ type: 'output', key: e.key, lines: [`[preview] ${e.key}: line ${i}`] }));
      later(1200, () => store.dispatch({ type: 'step-state', key: e.key, state: 'succeeded', at: now() }));
      break;
    case 'skip-step':
      store.dispatch({ type: 'step-state', key: e.key, state: 'skipped', at: now() });
      break;
    case 'rollback':
      for (const v of [...store.getState().steps].reverse()) {
        if (v.state === 'succeeded' && v.step.rollback.kind !== 'none') store.dispatch({ type: 'step-state', key: v.step.key, state: 'rolled-back' });
      }
      break;
    case 'recheck':
      later(400, () => store.dispatch({ type: 'snapshot', snapshot: snapshot() }));
      break;
    case 'quit':
      clearInterval(tick);
      for (const t of timers) clearTimeout(t);
      ink.unmount();
      break;
  }
});
await ink.waitUntilExit();
