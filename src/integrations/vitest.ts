/**
 * vitest integration (`netstack-model/vitest`), for race regression suites
 * in a user's own project:
 *
 * - `expectAllInterleavings(scenario, config)`: explore (DPOR by default)
 *   and fail the test with the shrunk timeline and the replay token.
 * - matchers `toHoldForAllSchedules(config)` and `toFailWith(spec, config)`,
 *   registered on vitest's `expect` when this module is imported.
 * - `replayTest(token, { spec })`: one test that replays a pinned token and
 *   expects it still to fail its spec: the line a failure report prints.
 *
 * Scenarios passed to any of these are remembered by name, so a token
 * pasted from a failure in the same test file replays without naming its
 * scenario again; built-in scenarios are always found.
 */
import { expect, it } from 'vitest';
import { check, CheckFailure, lookupIn, replay, type CheckConfig, type ReplayReport, type ScenarioSource } from '../api/check.ts';
import type { Scenario } from '../core/scenario.ts';
import { decodeToken } from '../core/trace/token.ts';
import { findScenario } from '../scenarios/registry.ts';

const seen = new Map<string, Scenario<any>>();
function remember(sc: Scenario<any>): void {
  seen.set(sc.name, sc);
}

/** Explore every interleaving (or the configured sample); throws the failure block on a failure. */
export function expectAllInterleavings(sc: Scenario<any>, config: CheckConfig = {}) {
  remember(sc);
  return check(sc, config);
}

function lookup(src: ScenarioSource | undefined): (name: string) => Scenario<any> | undefined {
  const own = src ? lookupIn(src) : () => undefined;
  return (name) => own(name) ?? seen.get(name) ?? findScenario(name);
}

/** Replay a token (own scenarios from `scenarios`, those checked before, or built-in ones). */
export function replayToken(token: string, scenarios?: ScenarioSource): ReplayReport {
  return replay(token, lookup(scenarios));
}

export interface ReplayTestOptions {
  /** The spec the token must still violate ('none' for a token that must pass). */
  spec: string;
  /** Where the token's scenario is, when it is not built in and not checked before in this file. */
  scenarios?: ScenarioSource;
  /** Test name (default: `replays <scenario>: <spec>`). */
  name?: string;
}

/** Register one test that replays `token` and expects its failure spec. */
export function replayTest(token: string, o: ReplayTestOptions): void {
  let name = o.name;
  if (!name) {
    let sc = '?';
    try {
      sc = decodeToken(token).scenario;
    } catch {
      /* the test itself reports the bad token */
    }
    name = `replays ${sc}: ${o.spec}`;
  }
  it(name, () => {
    const r = replayToken(token, o.scenarios);
    const got = r.failure?.spec ?? 'none';
    if (got !== o.spec) {
      const why = r.failure ? `${r.failure.spec}: ${r.failure.message}` : 'it passed';
      throw new Error([`token ${token.slice(0, 40)}... was expected to fail '${o.spec}', but ${why}`, ...r.timeline].join('\n'));
    }
  });
}

interface MatcherResult {
  pass: boolean;
  message: () => string;
}

/** The matchers, for `expect.extend(nsmMatchers)` where auto-registration is not wanted. */
export const nsmMatchers = {
  toHoldForAllSchedules(received: unknown, config: CheckConfig = {}): MatcherResult {
    const sc = asScenario(received);
    remember(sc);
    try {
      const r = check(sc, config);
      return { pass: true, message: () => `expected ${sc.name} to fail some schedule, but ${r.schedules} schedules (${r.verdict}) found none` };
    } catch (e) {
      if (e instanceof CheckFailure) return { pass: false, message: () => e.message };
      throw e;
    }
  },
  toFailWith(received: unknown, spec: string, config: CheckConfig = {}): MatcherResult {
    const sc = asScenario(received);
    remember(sc);
    try {
      const r = check(sc, { ...config, requireComplete: false });
      return { pass: false, message: () => `expected ${sc.name}${config.mutant ? ` (mutant ${config.mutant})` : ''} to fail '${spec}', but ${r.schedules} schedules found no failure (${r.verdict})` };
    } catch (e) {
      if (!(e instanceof CheckFailure)) throw e;
      const pass = e.failure.spec === spec;
      return { pass, message: () => (pass ? `expected ${sc.name} not to fail '${spec}', but:\n${e.message}` : `expected ${sc.name} to fail '${spec}', but it failed '${e.failure.spec}':\n${e.message}`) };
    }
  },
};

function asScenario(v: unknown): Scenario<any> {
  if (!v || typeof v !== 'object' || typeof (v as Scenario).setup !== 'function' || typeof (v as Scenario).name !== 'string') {
    throw new TypeError('expect(...) of a netstack-model matcher needs a scenario (made with defineScenario)');
  }
  return v as Scenario<any>;
}

expect.extend(nsmMatchers);

declare module 'vitest' {
  interface Assertion<T = any> {
    /** Every schedule (DPOR by default) passes every spec; fails with the shrunk timeline and replay token. */
    toHoldForAllSchedules(config?: CheckConfig): T;
    /** Some schedule the search finds fails `spec` (e.g. a mutant's expected failure). */
    toFailWith(spec: string, config?: CheckConfig): T;
  }
}

export { check, CheckFailure, IncompleteSearch, replay, type CheckConfig, type CheckReport, type ReplayReport } from '../api/check.ts';
