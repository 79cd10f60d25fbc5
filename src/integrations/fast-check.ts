/**
 * fast-check integration (`netstack-model/fast-check`): schedules and
 * scenario parameters as arbitraries, so a property over generated
 * workloads x generated schedules shrinks both, and a failing run throws
 * the same block (timeline, replay token) as `check`.
 *
 * A schedule is a list of numbers, each taken modulo the number of options
 * at its choice point (0 once the list runs out): every list is a valid
 * schedule, and shrinking the list shrinks the schedule.
 */
import fc from 'fast-check';
import { CheckFailure } from '../api/check.ts';
import { explore } from '../core/runner.ts';
import type { ParamValue, Scenario } from '../core/scenario.ts';
import { paramSpecs, resolveParams } from '../core/params.ts';
import { ChoiceListStrategy } from '../core/strategies/choices.ts';
import { buildFailure } from '../core/trace/failure-block.ts';

/** A schedule: up to `maxLength` choices (default 400). */
export function scheduleArb(maxLength = 400): fc.Arbitrary<number[]> {
  return fc.array(fc.nat({ max: 1 << 16 }), { maxLength });
}

/**
 * Parameters of a scenario within their declared types and ranges
 * (booleans, integers min..max, a string's allowed values); `fixed` pins
 * some of them.
 */
export function paramsArb(sc: Scenario<any>, fixed: Record<string, ParamValue> = {}): fc.Arbitrary<Record<string, ParamValue>> {
  const rec: Record<string, fc.Arbitrary<ParamValue>> = {};
  for (const p of paramSpecs(sc)) {
    if (p.name in fixed) rec[p.name] = fc.constant(fixed[p.name]!);
    else if (p.type === 'boolean') rec[p.name] = fc.boolean();
    else if (p.type === 'integer') rec[p.name] = fc.integer({ min: p.min, max: p.max });
    else rec[p.name] = fc.constantFrom(...p.values);
  }
  return fc.record(rec) as fc.Arbitrary<Record<string, ParamValue>>;
}

export interface RunScheduleOptions {
  mutant?: string | null;
  params?: Record<string, ParamValue>;
  maxSteps?: number;
}

/**
 * Run one generated schedule; throws CheckFailure (shrunk by the engine too,
 * with its replay token) when it fails. For `fc.property` bodies.
 */
export function runChoices(sc: Scenario<any>, choices: readonly number[], o: RunScheduleOptions = {}): void {
  const target = { mutant: o.mutant ?? null, params: resolveParams(sc, o.params), maxSteps: o.maxSteps };
  const r = explore(sc, new ChoiceListStrategy(choices), target);
  if (!r.failure) return;
  const b = buildFailure(sc, target, r.failure.schedule, r.failure.failure, { shrink: true });
  throw new CheckFailure(b.lines.join('\n'), r.failure.failure, b.summary.token, b.summary, r);
}

/**
 * A property: every generated schedule of `sc` (with generated parameters
 * unless `params` pins them all) passes every spec.
 *
 * @example
 * fc.assert(scenarioProperty(handoff, { maxSteps: 50 }), { numRuns: 500 });
 */
export function scenarioProperty(sc: Scenario<any>, o: RunScheduleOptions & { maxLength?: number } = {}) {
  return fc.property(paramsArb(sc, o.params ?? {}), scheduleArb(o.maxLength), (params, choices) => {
    runChoices(sc, choices, { ...o, params });
  });
}
