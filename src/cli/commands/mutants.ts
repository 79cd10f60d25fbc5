/** nsm mutants. */
import { mutants } from '../../bugs/index.ts';
import { UsageError } from '../errors.ts';
import { table } from '../table.ts';
import { parse } from '../args.ts';

export const help = `usage: nsm mutants [--system S] [--json]

Lists the catalogue: every mutant with its scenario, the C line whose guard
it weakens, the spec it violates and the search that finds it.

examples:
  nsm mutants
  nsm mutants --system netstack --json`;

export function run(argv: string[], out: (s: string) => void): number {
  const { values } = parse(argv, { system: { type: 'string' }, json: { type: 'boolean' } });
  if (values.help) return out(help), 0;
  const sys = values.system as string | undefined;
  const ms = mutants.filter((m) => !sys || m.system === sys);
  if (sys && ms.length === 0) throw new UsageError(`no mutants for system '${sys}' (systems: ${[...new Set(mutants.map((m) => m.system))].join(', ')})`);
  if (values.json) {
    out(JSON.stringify(ms));
    return 0;
  }
  const t = [['mutant', 'scenario', 'weakens', 'violates', 'found by']];
  for (const m of ms) t.push([m.mutant, m.scenario, m.cLine, m.expect.spec, `${m.find.strategy} <= ${m.find.schedules}`]);
  for (const l of table(t)) out(l);
  for (const m of ms) out(`  ${m.mutant}: ${m.description}`);
  return 0;
}
