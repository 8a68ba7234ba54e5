// cutover plan RUNBOOK: the resolved, numbered steps with the commands they will run, their marks and
// their undo, and the outage window. Changes nothing.
import { CliError, type CliIO } from '../contract/io.ts';
import type { Outcome } from '../contract/outcome.ts';
import { parseCommandArgs } from '../contract/args.ts';
import { loadRunbook } from '../runbook/load.ts';
import { CATALOG } from '../actions/index.ts';
import { problemReport } from '../runbook/problems.ts';
import { describeRollback, describeStep } from '../runbook/describe.ts';
import { markRuntime } from '../runbook/template.ts';
import { outageSteps } from '../engine/outage.ts';
import type { Runbook } from '../runbook/schema.ts';
import type { ResolvedStep } from '../engine/types.ts';
import { blockers, formatFacts, formatPreflight, runPreflight, type PreflightResult } from '../preflight/index.ts';

export const help = `Usage: cutover plan RUNBOOK [--json] [--state DIR]

Shows what the runbook will do, without doing any of it: every step after for_each expansion, numbered,
with the exact commands it runs, DESTRUCTIVE / IRREVERSIBLE marks, how each step is undone, and which
steps lie inside the outage window. Values only known at run time are shown as <ip of posta>, <now>, …

Then the preflight, which reads the world and writes nothing: the Caddyfile (exists, is a file, parses,
caddy adapt, equal to the live config, each site its own block, only literal legacy dials to move), other
sites that dial a legacy container, lab vs production, the containers, the files to copy and their sizes,
free space, the public smoke of the legacy path — and the whole Caddyfile diff the repoint will make (the
target's address as <ip-of-NAME> until it exists). apply and the cockpit run the same preflight and refuse
to open the outage window while a blocker stands.

Options:
  --json        one JSON document on stdout: {runbook:{name,host,outage_budget},
                steps:[{key,id,index,title,action,params,destructive,irreversible,rollback,outage,inOutage,commands}],
                preflight:[{level:"blocker"|"warning",code,message,file,line,fix}], caddyfileDiff, otherSites,
                sources:[{stepKey,container,path,size}], space:[{what,path,availableBytes}]}
  --state DIR   state directory (free space, baseline), as apply --state
  --help        this text

Exit codes: 0 ready, 1 a preflight blocker stands, 2 the runbook is invalid (problems as in cutover validate).
`;

function planDocument(rb: Runbook, steps: ResolvedStep[], pre: PreflightResult) {
  const inside = outageSteps(steps);
  return {
    preflight: pre.items,
    caddyfileDiff: pre.diff,
    otherSites: pre.otherSites,
    sources: pre.sources,
    space: pre.space,
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
      rollback: { ...s.rollback, description: describeRollback(s, rb, CATALOG) },
      outage: s.outage ?? null,
      inOutage: inside.has(s.key),
      commands: describeStep(s, rb, CATALOG),
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
    for (const c of describeStep(s, rb, CATALOG)) out.push(`${pad}$ ${c}`);
    if (s.verify.length) out.push(`${pad}verify: ${s.verify.map(markRuntime).join(' && ')}`);
    out.push(`${pad}undo: ${describeRollback(s, rb, CATALOG)}`);
  }
  if (wasInside) out.push(`${' '.repeat(width + 2)}└─ outage window closes ─`);
  return out.join('\n') + '\n';
}

export async function run(argv: string[], io: CliIO): Promise<Outcome> {
  const { values, positionals } = parseCommandArgs('plan', argv, { json: { type: 'boolean' }, state: { type: 'string' } }, { positionals: [1, 1] });
  const file = positionals[0]!;
  const r = loadRunbook(file, { catalog: CATALOG, env: io.env });
  if (!r.steps || !r.runbook) {
    if (!r.text) throw new CliError(problemReport(file, r.problems).trimEnd(), 'bad-input');
    io.stderr.write(problemReport(file, r.problems));
    return 'bad-input';
  }
  const pre = await runPreflight({ runbook: r.runbook, steps: r.steps, file, text: r.text, env: io.env, ...(values.state ? { stateDir: values.state } : {}) });
  if (values.json) io.stdout.write(JSON.stringify(planDocument(r.runbook, r.steps, pre), null, 2) + '\n');
  else io.stdout.write(`${planText(r.runbook, r.steps)}\n${pre.diff ? `Caddyfile diff the repoint will make:\n${pre.diff}\n` : ''}${otherSitesText(pre)}${formatFacts(pre, r.runbook)}${formatPreflight(pre)}`);
  return blockers(pre).length ? 'refused' : 'ok';
}

function otherSitesText(pre: PreflightResult): string {
  if (!pre.otherSites.length) return '';
  const rows = pre.otherSites.map((o) => `  ${o.acknowledged ? '!' : '✗'} ${o.host} → ${o.dials.join(', ')}${o.acknowledged ? ' (acknowledged: proxy.also_dials_legacy)' : ''}`);
  return `Other sites that dial a legacy container (502 once it stops):\n${rows.join('\n')}\n\n`;
}
