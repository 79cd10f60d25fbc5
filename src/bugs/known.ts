/**
 * Which failures are known: a failure of the unmodified model whose
 * scenario and spec match a catalogued finding (a race of the C code as
 * written, docs/findings.md) is reported as that finding, and the model
 * with the candidate fixes of every finding that concerns the scenario is
 * what `nsm start` and `nsm check --all` then verify.
 */
import type { ParamValue, Scenario } from '../core/scenario.ts';
import { findings } from './index.ts';
import type { FindingEntry } from './types.ts';

/**
 * The finding a failure of `scenario` on `spec` is (no mutant), if any;
 * `site` is the C line of the failing step (Effect.site), which an "also
 * seen in" entry with sites must match.
 */
export function knownFinding(scenario: string, spec: string | undefined, site?: string): FindingEntry | undefined {
  return findings.find(
    (f) =>
      (f.scenario === scenario && f.expect.spec === spec) ||
      (f.alsoSeenIn ?? []).some((a) => a.scenario === scenario && a.spec === spec && !a.params && (!a.sites || (site !== undefined && a.sites.includes(site)))),
  );
}

/** The candidate-fix parameters of every finding that concerns `sc`. */
export function fixParamsFor(sc: Scenario<any>): Record<string, ParamValue> {
  const fixes: Record<string, ParamValue> = {};
  for (const f of findings)
    if (f.scenario === sc.name || (f.alsoSeenIn ?? []).some((a) => a.scenario === sc.name))
      for (const [k, v] of Object.entries(f.fix.params)) if (k in (sc.params ?? {})) fixes[k] = v;
  return fixes;
}
