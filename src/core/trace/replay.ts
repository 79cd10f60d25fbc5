/**
 * Turning schedules into tokens and tokens back into recorded executions.
 */
import type { Execution, ExecResult } from '../execution.ts';
import { RunContext } from '../execution.ts';
import { fnv1a } from '../prng.ts';
import { defaultMaxSteps, type TargetInput } from '../config.ts';
import { execOptions, optionsKey, runSchedule } from '../runner.ts';
import type { ParamValue, Scenario } from '../scenario.ts';
import { decodeToken, encodeToken, type TokenData, TokenError } from './token.ts';

/** The target a token names (config.ts TargetInput: what is not overridden takes the scenario's default). */
export type ReplayTarget = TargetInput;

/** The options hash a token made for (scenario, target) must carry. */
export function optionsHash(sc: Scenario<any>, t: ReplayTarget): number {
  return fnv1a(`${sc.name};${optionsKey(execOptions(sc, t, new RunContext(), false))}`);
}

/** Parameters of `t` that differ from the scenario's defaults. */
export function overridesOf(sc: Scenario<any>, t: ReplayTarget): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const [k, v] of Object.entries(t.params ?? {})) if (sc.params?.[k] !== v) out[k] = v;
  if (t.maxSteps !== undefined && t.maxSteps !== defaultMaxSteps(sc)) out['@maxSteps'] = t.maxSteps;
  return out;
}

export function makeToken(sc: Scenario<any>, t: ReplayTarget, schedule: readonly number[], sigs: readonly number[]): string {
  return encodeToken({
    scenario: sc.name,
    mutant: t.mutant ?? null,
    overrides: overridesOf(sc, t),
    optionsHash: optionsHash(sc, t),
    schedule: schedule.slice(),
    sigs: sigs.slice(),
  });
}

export interface Replayed {
  token: TokenData;
  scenario: Scenario<any>;
  target: ReplayTarget;
  ex: Execution;
  res: ExecResult;
}

/** Target (mutant, params) named by a decoded token. */
export function targetOf(data: TokenData): ReplayTarget {
  const params: Record<string, ParamValue> = {};
  let maxSteps: number | undefined;
  for (const [k, v] of Object.entries(data.overrides)) {
    if (k === '@maxSteps') maxSteps = Number(v);
    else params[k] = v;
  }
  return { mutant: data.mutant, params, maxSteps };
}

/**
 * Replay a token against the scenario registry. Throws TokenError for a
 * token that cannot name a runnable execution; a token whose schedule no
 * longer fits the model replays to a 'divergence' failure.
 */
export function replayToken(token: string, lookup: (name: string) => Scenario<any> | undefined): Replayed {
  const data = decodeToken(token);
  const sc = lookup(data.scenario);
  if (!sc) throw new TokenError(`token names scenario '${data.scenario}', which this nsm does not have (see nsm list)`);
  const target = targetOf(data);
  try {
    execOptions(sc, target, new RunContext(), false);
  } catch (e) {
    throw new TokenError(`token does not fit scenario '${sc.name}': ${(e as Error).message}`);
  }
  if (optionsHash(sc, target) !== data.optionsHash) {
    throw new TokenError(`token was made for other options of '${sc.name}' (the scenario's defaults or the model version changed); re-run the search to get a fresh token`);
  }
  const { ex, res } = runSchedule(sc, data.schedule, target, data.sigs);
  if (!res.failure && res.sigs.length !== data.sigs.length) {
    ex.failure = res.failure = {
      kind: 'divergence',
      spec: 'replay',
      message: `step ${res.sigs.length}: expected ${data.sigs.length} steps, got an execution that ended after ${res.sigs.length}`,
      step: res.sigs.length,
      thread: null,
      details: [],
    };
  }
  return { token: data, scenario: sc, target, ex, res };
}
