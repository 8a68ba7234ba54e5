// How cutover names an instance to the operator: `REMOTE:NAME` when the runbook reaches Incus through a remote
// (`[runtime] remote`, an operator's laptop or a cluster), else NAME: the way `incus` itself is typed. Step
// params and the journal's changed records keep the bare name (the runtime adds the remote). Pure.

export function instanceRef(runbook: { runtime?: { remote?: string | null | undefined } } | undefined, name: string): string {
  const remote = runbook?.runtime?.remote?.replace(/:$/, '');
  return remote && name && !name.startsWith(`${remote}:`) ? `${remote}:${name}` : name;
}
