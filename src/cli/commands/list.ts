/** nsm list. */
import { paramSpecs } from '../../core/params.ts';
import { allScenarios } from '../../scenarios/registry.ts';
import { table } from '../table.ts';
import { parse } from '../args.ts';

export const help = `usage: nsm list [--json]

Lists every scenario: name, system, threads, number of mutants, description.
--json adds each scenario's mutants and parameters (type, range, default).

examples:
  nsm list
  nsm list --json`;

export function run(argv: string[], out: (s: string) => void): number {
  const { values } = parse(argv, { json: { type: 'boolean' } });
  if (values.help) return out(help), 0;
  if (values.json) {
    out(JSON.stringify(allScenarios().map((s) => ({ name: s.name, system: s.system, threads: s.threads, mutants: s.mutants ?? [], params: s.params ?? {}, paramTypes: paramSpecs(s), description: s.description }))));
    return 0;
  }
  const t = [['scenario', 'system', 'threads', 'mutants', 'description']];
  for (const s of allScenarios()) t.push([s.name, s.system, String(s.threads), String((s.mutants ?? []).length), s.description]);
  for (const l of table(t)) out(l);
  out('');
  out("parameters: nsm list --json (name, type, range, default); mutants: nsm mutants");
  return 0;
}
