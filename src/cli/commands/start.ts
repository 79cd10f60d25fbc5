/** nsm start. */
import { join } from 'node:path';
import { allScenarios } from '../../scenarios/registry.ts';
import { artefactDir, ensureWritableDir } from '../failure-report.ts';
import { regress } from '../regress.ts';
import { table } from '../table.ts';
import { secondsFlag } from '../numbers.ts';
import { checkOptions, parse } from '../args.ts';
import { checkKnowing } from '../known-check.ts';
import { wasInterrupted } from '../check-scenario.ts';

export const help = `usage: nsm start [--time S] [--json]

The default verification (what 'npm start' runs): 'nsm regress' (every
pinned token replayed, every catalogued search rerun), then 'nsm check --all'
with DPOR bounded by --time seconds per scenario (default 10; stateful
DPOR on the scenarios that declare their state), printed as one table.
A failure that is a catalogued finding of the C code is shown as such;
exit 1 only for an unexpected failure or a regression.

examples:
  nsm start
  nsm start --time 30`;

export async function run(argv: string[], out: (s: string) => void): Promise<number> {
  const { values } = parse(argv, { time: { type: 'string' }, json: { type: 'boolean' } });
  if (values.help) return out(help), 0;
  const time = secondsFlag('time', values.time, 10);
  ensureWritableDir(join(artefactDir(), 'failures'));
  const rows: string[][] = [['what', 'scenario', 'strategy', 'verdict', 'schedules', 'steps', 'seconds']];
  const json: unknown[] = [];
  let worst = 0;
  const t0 = performance.now();
  const reg = regress();
  const bad = reg.filter((r) => r.replay !== 'ok' || r.search !== 'ok');
  for (const r of bad) out(`REGRESSION  ${r.kind} ${r.name} (${r.scenario}): replay ${r.replay}; search ${r.search}`);
  if (bad.length) worst = 1;
  rows.push(['regress', `${reg.length} catalogued bugs`, 'replay+search', bad.length ? `${bad.length} regressed` : 'all reproduce', String(reg.reduce((a, r) => a + r.schedules, 0)), '', ((performance.now() - t0) / 1000).toFixed(2)]);
  json.push({ regress: reg });
  for (const sc of allScenarios()) {
    if (wasInterrupted()) {
      out(`interrupted: ${sc.name} and the scenarios after it were not checked`);
      break;
    }
    const r = await checkKnowing(sc, { ...checkOptions({}, time), write: true }, out, false);
    json.push(...r.json);
    rows.push(['check', ...r.row]);
    worst = Math.max(worst, r.code === 3 ? 0 : r.code);
  }
  if (values.json) out(JSON.stringify(json));
  else for (const l of table(rows)) out(l);
  return worst;
}
