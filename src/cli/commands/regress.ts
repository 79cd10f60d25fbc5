/** nsm regress. */
import { findings, mutants } from '../../bugs/index.ts';
import { UsageError } from '../errors.ts';
import { regress } from '../regress.ts';
import { table } from '../table.ts';
import { parse } from '../args.ts';

export const help = `usage: nsm regress [--only NAME] [--json]

Replays every pinned replay token of the catalogue (mutants and findings)
and reruns every catalogued search; each must still fail its expected spec.
Exit 1 if any does not.

examples:
  nsm regress
  nsm regress --only tb-abba --json`;

export function run(argv: string[], out: (s: string) => void): number {
  const { values } = parse(argv, { only: { type: 'string' }, json: { type: 'boolean' } });
  if (values.help) return out(help), 0;
  const only = values.only as string | undefined;
  if (only && !mutants.some((m) => m.mutant === only) && !findings.some((f) => f.id === only)) throw new UsageError(`no catalogued mutant or finding named '${only}' (see nsm mutants)`);
  const rows = regress(only ? (n) => n === only : undefined);
  if (values.json) out(JSON.stringify(rows));
  else {
    const t = [['kind', 'name', 'scenario', 'spec', 'replay', 'search', 'schedules']];
    for (const r of rows) t.push([r.kind, r.name, r.scenario, r.spec, r.replay, r.search, String(r.schedules)]);
    for (const l of table(t)) out(l);
    const bad = rows.filter((r) => r.replay !== 'ok' || r.search !== 'ok').length;
    out(`${rows.length - bad} of ${rows.length} reproduce${bad ? `; ${bad} regressed` : ''}`);
  }
  return rows.every((r) => r.replay === 'ok' && r.search === 'ok') ? 0 : 1;
}
