/** How `nsm start` and `nsm check --all` check a scenario: known findings in one line, then the fixed model. */
import { fixParamsFor, knownFinding } from '../bugs/known.ts';
import type { Scenario } from '../core/scenario.ts';
import { checkScenario, type CheckOptions, verdictText } from './check-scenario.ts';
import type { RunResult } from '../core/runner.ts';
import { EXIT } from './args.ts';
import { replayToken } from '../core/trace/replay.ts';
import { lastSite } from '../core/trace/report.ts';
import { findScenario } from '../scenarios/registry.ts';

/** The C line (Effect.site) of the step at which a failure token fails, if it names one. */
function failingSite(token: string | undefined): string | undefined {
  if (!token) return undefined;
  return lastSite(replayToken(token, findScenario).res.trace);
}

export const fmtVerdict = (v: RunResult['verdict'], complete: boolean) => verdictText(v) + (complete ? ' (complete)' : '');

/**
 * Check one scenario the way `nsm start` and `nsm check --all` do: a
 * failure of the unmodified model that is a catalogued finding (a race of
 * the C code as written) is told in one line (its whole timeline with
 * `timelines`), then the model with the candidate fixes is checked. Any other
 * failure is told in full. Returns the summary row (scenario, strategy,
 * verdict, schedules, steps, seconds) and the exit code it earns.
 */
export async function checkKnowing(sc: Scenario<any>, o: CheckOptions, out: (s: string) => void, timelines: boolean): Promise<{ row: string[]; json: unknown[]; code: number }> {
  const r = await checkScenario(sc, o);
  const json: unknown[] = [r.json];
  let verdict = fmtVerdict(r.json.verdict, r.json.complete);
  let row = r.json;
  let code = EXIT[r.json.verdict];
  const known = r.json.verdict === 'fail' && o.mutant === null ? knownFinding(sc.name, r.json.failure?.spec, failingSite(r.json.failure?.token)) : undefined;
  if (known) {
    const f = r.json.failure!;
    out(`finding     ${sc.name}  ${known.id}, a race in the C code as written (docs/findings.md): ${f.spec}: ${f.message}`);
    out(`              replay: nsm replay ${f.token}`);
    if (timelines) for (const l of r.lines) out(l);
    const fixes = fixParamsFor(sc);
    const fixed = await checkScenario(sc, { ...o, params: { ...o.params, ...fixes } });
    json.push({ ...fixed.json, fixes });
    verdict = `finding ${known.id}; with fixes: ${fmtVerdict(fixed.json.verdict, fixed.json.complete)}`;
    row = fixed.json;
    code = EXIT[fixed.json.verdict];
    for (const l of fixed.lines) out(fixed.json.verdict === 'fail' ? l : `  with fixes (${Object.keys(fixes).join(', ')}): ${l.trim()}`);
  } else for (const l of r.lines) out(l);
  return { row: [sc.name, row.strategy, verdict, row.schedules.toLocaleString('en-US'), row.steps.toLocaleString('en-US'), (row.elapsedMs / 1000).toFixed(2)], json, code };
}
