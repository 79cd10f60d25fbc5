/** nsm coverage. */
import { findScenario } from '../../scenarios/registry.ts';
import { UsageError } from '../errors.ts';
import { coverageOf, formatCoverage, transitionPercent } from '../coverage.ts';
import { RunContext } from '../../core/execution.ts';
import { explore } from '../../core/runner.ts';
import { makeStrategy } from '../../core/config.ts';
import { checkOptions, parse } from '../args.ts';

export const help = `usage: nsm coverage <scenario> [--strategy S] [--schedules N] [--seed N] [--mutant M]
                    [--min-transitions PCT] [--json]

Explores a scenario and reports coverage: xstate machine states and
transitions reached, pairs of object states seen at the same time, lock
contention (contended mutexes, cvs with 2+ sleepers, rwlocks where a writer
waited). With --min-transitions, exit 1 below that floor.

examples:
  nsm coverage tb-gate
  nsm coverage ns-register-vs-zone-create --strategy random --schedules 2000 --min-transitions 80`;

export function run(argv: string[], out: (s: string) => void): number {
  const { values, positionals } = parse(argv, { strategy: { type: 'string' }, schedules: { type: 'string' }, seed: { type: 'string' }, mutant: { type: 'string' }, 'min-transitions': { type: 'string' }, json: { type: 'boolean' } });
  if (values.help) return out(help), 0;
  if (positionals.length !== 1) throw new UsageError('nsm coverage needs one scenario name');
  const sc = findScenario(positionals[0]!);
  if (!sc) throw new UsageError(`unknown scenario '${positionals[0]}' (see nsm list)`);
  const o = checkOptions({ strategy: values.strategy ?? 'random', seed: values.seed, schedules: values.schedules ?? '2000', mutant: values.mutant }, 60);
  const min = values['min-transitions'] === undefined ? null : Number(values['min-transitions']);
  if (min !== null && !(min >= 0 && min <= 100)) throw new UsageError(`--min-transitions expects a percentage 0-100, got '${values['min-transitions']}'`);
  const run = new RunContext();
  const r = explore(sc, makeStrategy(o.strategy, o), { mutant: o.mutant, schedules: o.schedules, run, keepGoing: true });
  const cov = coverageOf(run);
  const pct = transitionPercent(cov);
  const below = min !== null && pct < min;
  if (values.json) out(JSON.stringify({ scenario: sc.name, schedules: r.schedules, coverage: cov, transitionPercent: pct, floor: min, ok: !below }));
  else {
    out(`coverage  ${sc.name}  ${r.schedules.toLocaleString('en-US')} schedules [${r.strategy}]`);
    for (const l of formatCoverage(cov)) out(l);
    if (below) out(`  below the floor: ${pct.toFixed(1)}% < ${min}% of transitions`);
  }
  return below ? 1 : 0;
}
