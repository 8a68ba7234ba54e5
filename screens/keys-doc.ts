// docs/keys.md from the keymap (pure): scripts/gen-keys-doc.ts writes it, test/unit/keys-doc.test.ts keeps it in sync.
import { CONTEXT_TITLE, displayKeys, KEYMAP, type KeyContext } from './keymap.ts';

const cell = (s: string) => s.replace(/\|/g, '\\|');
const keys = (k: string) => k.split('/').map((x) => `\`${x}\``).join(' ');

export function keysMarkdown(): string {
  const out: string[] = [
    '# Cockpit keys',
    '',
    '<!-- Generated from screens/keymap.ts by `npx tsx scripts/gen-keys-doc.ts`; test/unit/keys-doc.test.ts fails when stale. -->',
    '',
    'One table per context: the keys of `cutover run` (driver) and `cutover watch` (read-only follower).',
    'Bindings marked "driver only" change the run: `watch` does not have them at all, and pressing them there',
    'only says who drives. A disabled key says why in the footer and on the message line when pressed.',
  ];
  for (const context of Object.keys(CONTEXT_TITLE) as KeyContext[]) {
    const bindings = KEYMAP.filter((b) => b.contexts.includes(context));
    if (!bindings.length) continue;
    out.push('', `## ${CONTEXT_TITLE[context]}`, '', '| keys | label | what it does | disabled when | in `watch` |', '|---|---|---|---|---|');
    for (const b of bindings) {
      out.push(`| ${keys(displayKeys(b))} | ${cell(b.label)} | ${cell(b.help)} | ${cell(b.disabledWhen ?? '—')} | ${b.dangerous ? 'driver only' : 'yes'} |`);
    }
  }
  return out.join('\n') + '\n';
}
