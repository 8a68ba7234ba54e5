// `sh -c SCRIPT [NAME [ARG…]]` inside a lab container: the small part of the POSIX shell cutover sends
// (src/actions/inside.ts): simple commands joined by `;`, `&&`, `||` or newlines, words in '…' or "…",
// "$1"…"$9", "$@" and "$#", and `exit N`. Anything else (pipes, redirections, substitutions, globs) is
// refused with exit 2, so a script the lab cannot run faithfully never half-runs. Pure: parseScript.

export type Joiner = ';' | '&&' | '||';

export interface ScriptCommand {
  argv: string[];
  /** How this command is joined to the one before it (the first: ';'). */
  after: Joiner;
}

export class ShellSyntaxError extends Error {}

const UNSUPPORTED = new Set(['|', '<', '>', '`', '(', ')', '*', '?', '[', '{', '}', '~', '#']);

/** Splits `script` into commands with their words expanded against `args` ($1…); throws ShellSyntaxError. */
export function parseScript(script: string, args: readonly string[]): ScriptCommand[] {
  const commands: ScriptCommand[] = [];
  let argv: string[] = [];
  let word: string[] | null = null; // the fields the current word expands to, being built
  let after: Joiner = ';';
  let i = 0;

  const append = (text: string) => {
    word ??= [''];
    word[word.length - 1] += text;
  };
  const endWord = () => {
    if (word) argv.push(...word);
    word = null;
  };
  const endCommand = (next: Joiner) => {
    endWord();
    if (argv.length) commands.push({ argv, after });
    else if (next !== ';' || after !== ';') throw new ShellSyntaxError(`sh: syntax error: a command is missing before ${next}`);
    argv = [];
    after = next;
  };
  /** $… at i (i at the '$'): the expansion's fields and the index after it. */
  const dollar = (): { fields: string[]; next: number } => {
    const c = script[i + 1];
    if (c === '@') return { fields: [...args], next: i + 2 };
    if (c === '#') return { fields: [String(args.length)], next: i + 2 };
    if (c && /[1-9]/.test(c)) return { fields: [args[Number(c) - 1] ?? ''], next: i + 2 };
    throw new ShellSyntaxError(`sh: the lab's shell expands only $1…$9, $@ and $#, not ${JSON.stringify(script.slice(i, i + 3))}`);
  };

  while (i < script.length) {
    const c = script[i]!;
    if (c === ' ' || c === '\t') {
      endWord();
      i++;
    } else if (c === '\n' || c === ';') {
      endCommand(';');
      i++;
    } else if (c === '&' || c === '|') {
      if (script[i + 1] !== c) throw new ShellSyntaxError(`sh: the lab's shell does not run ${c === '|' ? 'pipes' : 'background jobs'}`);
      endCommand(c === '&' ? '&&' : '||');
      i += 2;
    } else if (c === "'") {
      const end = script.indexOf("'", i + 1);
      if (end < 0) throw new ShellSyntaxError("sh: syntax error: unterminated '");
      append(script.slice(i + 1, end));
      i = end + 1;
    } else if (c === '"') {
      i++;
      word ??= [''];
      for (;;) {
        const d = script[i];
        if (d === undefined) throw new ShellSyntaxError('sh: syntax error: unterminated "');
        if (d === '"') break;
        if (d === '\\' && /["\\$`]/.test(script[i + 1] ?? '')) {
          append(script[i + 1]!);
          i += 2;
        } else if (d === '$') {
          const { fields, next } = dollar();
          // "$@" is one field per argument; every other expansion inside quotes is one field.
          if (script[i + 1] === '@') {
            const w: string[] = word;
            const head = w.pop() ?? '';
            if (fields.length === 0) w.push(head);
            else w.push(head + fields[0], ...fields.slice(1));
          } else append(fields[0]!);
          i = next;
        } else if (d === '`') {
          throw new ShellSyntaxError("sh: the lab's shell does not run command substitutions");
        } else {
          append(d);
          i++;
        }
      }
      i++;
    } else if (c === '$') {
      const { fields, next } = dollar();
      if (fields.length) {
        append(fields[0]!);
        word!.push(...fields.slice(1));
      }
      i = next;
    } else if (c === '\\') {
      if (i + 1 >= script.length) throw new ShellSyntaxError('sh: syntax error: a trailing \\');
      append(script[i + 1]!);
      i += 2;
    } else if (UNSUPPORTED.has(c)) {
      throw new ShellSyntaxError(`sh: the lab's shell does not support ${JSON.stringify(c)} (simple commands joined by ; && || only)`);
    } else {
      append(c);
      i++;
    }
  }
  endCommand(';');
  return commands;
}

/**
 * Runs the parsed script: each command through `run` (the container's commands), `exit N` as the builtin.
 * The exit code is the last command's, as sh's.
 */
export async function runScript(commands: ScriptCommand[], run: (argv: string[]) => Promise<number>): Promise<number> {
  let code = 0;
  for (const { argv, after } of commands) {
    if (after === '&&' && code !== 0) continue;
    if (after === '||' && code === 0) continue;
    if (argv[0] === 'exit') {
      const n = argv[1] === undefined ? code : Number(argv[1]);
      return Number.isInteger(n) && n >= 0 && n <= 255 ? n : 2;
    }
    code = await run(argv);
  }
  return code;
}
