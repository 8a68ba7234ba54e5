// cutover plan RUNBOOK: the resolved, numbered steps with the commands they will run, their marks and
// their undo, and the outage window. Changes nothing.
import { CliError, type CliIO } from '../contract/io.ts';
import { parseCommandArgs } from '../contract/args.ts';
import { loadRunbook } from '../runbook/load.ts';
import { problemReport } from '../runbook/problems.ts';
import { describeRollback, describeStep } from '../runbook/describe.ts';
import { markRuntime } from '../runbook/template.ts';
import { outageSteps } from '../engine/outage.ts';
import type { Runbook } from '../runbook/schema.ts';
import type { ResolvedStep } from '../engine/types.ts';

export const help = `Usage: cutover plan RUNBOOK [--json]

Shows what the runbook will do, without doing any of it: every step after for_each expansion, numbered,
with the exact commands it runs, DESTRUCTIVE / IRREVERSIBLE marks, how each step is undone, and which
steps lie inside the outage window. Values only known at run time are shown as <ip of posta>, <now>, …

Options:
  --json    one JSON document on stdout: {runbook:{name,host,outage_budget},
            steps:[{key,id,index,title,action,params,destructive,irreversible,rollback,outage,inOutage,commands}]}
  --help    this text

Exit codes: 0, 2 when the runbook is invalid (problems as in cutover validate).
`;

function planDocument(rb: Runbook, steps: ResolvedStep[]) {
  const inside = outageSteps(steps);
  return {
    runbook: { name: rb.runbook.name, title: rb.runbook.title ?? null, host: rb.runbook.host, outage_budget: rb.runbook.outage_budget },
    steps: steps.map((s) => ({
      key: s.key,
      id: s.id,
      index: s.index,
      title: s.title,
      action: s.action,
      item: s.item ?? null,
      line: s.line ?? null,
      params: s.params,
      destructive: s.destructive,
      irreversible: s.irreversible,
      rollback: { ...s.rollback, description: describeRollback(s, rb) },
      outage: s.outage ?? null,
      inOutage: inside.has(s.key),
      commands: describeStep(s, rb),
    })),
  };
}

function planText(rb: Runbook, steps: ResolvedStep[]): string {
  const inside = outageSteps(steps);
  const width = String(steps.length).length;
  const out: string[] = [];
  out.push(`${rb.runbook.name}${rb.runbook.title ? ` — ${rb.runbook.title}` : ''}`);
  const budget = inside.size ? ` · outage budget ${rb.runbook.outage_budget}` : ' · no outage window';
  out.push(`host ${rb.runbook.host} · ${steps.length} steps (${rb.steps.length} in the runbook)${budget}`);
  out.push('');
  let wasInside = false;
  for (const s of steps) {
    const isInside = inside.has(s.key);
    if (isInside && !wasInside) out.push(`${' '.repeat(width + 2)}┌─ outage window opens (budget ${rb.runbook.outage_budget}) ─`);
    if (!isInside && wasInside) out.push(`${' '.repeat(width + 2)}└─ outage window closes ─`);
    wasInside = isInside;
    const bar = isInside ? '│ ' : '';
    const marks = [s.irreversible ? 'IRREVERSIBLE' : s.destructive ? 'DESTRUCTIVE' : '', isInside ? 'OUTAGE' : ''].filter(Boolean);
    out.push(`${String(s.index).padStart(width)}. ${bar}${markRuntime(s.title)}  [${s.key} · ${s.action}]${marks.length ? `  ${marks.map((m) => `‼ ${m}`).join(' ')}` : ''}`);
    const pad = `${' '.repeat(width + 2)}${bar}   `;
    for (const c of describeStep(s, rb)) out.push(`${pad}$ ${c}`);
    if (s.verify.length) out.push(`${pad}verify: ${s.verify.map(markRuntime).join(' && ')}`);
    out.push(`${pad}undo: ${describeRollback(s, rb)}`);
  }
  if (wasInside) out.push(`${' '.repeat(width + 2)}└─ outage window closes ─`);
  return out.join('\n') + '\n';
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('plan', argv, { json: { type: 'boolean' } }, { positionals: [1, 1] });
  const file = positionals[0]!;
  const r = loadRunbook(file, { env: io.env });
  if (!r.steps || !r.runbook) {
    if (!r.text) throw new CliError(problemReport(file, r.problems).trimEnd(), 2);
    io.stderr.write(problemReport(file, r.problems));
    return 2;
  }
  io.stdout.write(values.json ? JSON.stringify(planDocument(r.runbook, r.steps), null, 2) + '\n' : planText(r.runbook, r.steps));
  return 0;
}
