/** The library's entry points for test suites: check, replay, the vitest matchers, the fast-check arbitraries. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { check, CheckFailure, IncompleteSearch, replay } from '../src/api/check.ts';
import { ParamError } from '../src/core/params.ts';
import { paramsArb, runChoices, scenarioProperty } from '../src/integrations/fast-check.ts';
import { expectAllInterleavings, nsmMatchers } from '../src/integrations/vitest.ts';
import { findScenario, scenarios } from '../src/scenarios/registry.ts';

const counter = findScenario('tb-counter')!;
const gate = findScenario('tb-gate')!;

describe('check', () => {
  it('returns a pass report for a complete exhaustive search', () => {
    expect(check(counter, { params: { threads: 3 } })).toMatchObject({ scenario: 'tb-counter', strategy: 'dpor', verdict: 'pass', complete: true, schedules: 6 });
  });
  it('stateCache: the stateful search, on request; refused where the scenario declares no state or with a bound', () => {
    const plain = check(counter, { params: { threads: 4 } });
    const cached = check(counter, { params: { threads: 4 }, stateCache: true, checkHits: 5 });
    expect(cached).toMatchObject({ strategy: 'dpor(state-cache)', verdict: 'pass', complete: true });
    expect(cached.schedules).toBeLessThan(plain.schedules);
    expect(() => check(counter, { stateCache: true, preemptions: 1 })).toThrow(/stateCache takes no preemptions/);
    expect(() => check(findScenario('fb-mcast-ll-ref')!, { stateCache: true })).toThrow(/declares no state/);
  });
  it("a sampling strategy never says 'pass'", () => {
    expect(check(counter, { strategy: 'random', schedules: 20 })).toMatchObject({ verdict: 'no-failure-found', complete: false, schedules: 20 });
  });
  it('throws CheckFailure whose message is the failure block, with a token that replays', () => {
    let e: unknown;
    try {
      check(counter, { mutant: 'tb-unlocked-increment' });
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(CheckFailure);
    const f = e as CheckFailure;
    expect(f.failure.spec).toBe('no-lost-update');
    expect(f.message).toMatch(/^FAIL  tb-counter \(mutant tb-unlocked-increment\)  no-lost-update: count is 1, expected 2/);
    expect(f.message).toContain('no-lost-update: the counter equals the number of increments');
    expect(f.message).toContain(`replay: nsm replay ${f.token}`);
    expect(f.message).toContain(`vitest: replayTest('${f.token}', { spec: 'no-lost-update' })`);
    const r = replay(f.token, scenarios);
    expect(r.failure?.spec).toBe('no-lost-update');
    expect(r.timeline.join('\n')).toContain('write count (count)');
  });
  it('throws IncompleteSearch when an exhaustive search runs out of budget, unless asked not to', () => {
    expect(() => check(counter, { params: { threads: 4 }, schedules: 3 })).toThrow(IncompleteSearch);
    expect(check(counter, { params: { threads: 4 }, schedules: 3, requireComplete: false })).toMatchObject({ verdict: 'no-failure-found', schedules: 3 });
  });
  it('refuses a scenario name in place of a scenario, saying what to pass', () => {
    expect(() => check('tb-counter' as never)).toThrow("check() takes a scenario (defineScenario, or findScenario(name) from 'netstack-model/models'), not the string 'tb-counter'");
  });
  it('takes wakeup trees with dpor: n! executions on tb-counter', () => {
    expect(check(counter, { wakeup: true, params: { threads: 4 } })).toMatchObject({ verdict: 'pass', complete: true, schedules: 24 });
  });
  it('refuses parameters outside their declared type, before running', () => {
    expect(() => check(counter, { params: { threads: 'abc' as unknown as number } })).toThrow(ParamError);
    expect(() => check(counter, { params: { threads: 11 } })).toThrow(/expects integer 1\.\.10, got 11/);
  });
});

describe('vitest integration', () => {
  it('expectAllInterleavings passes a correct model and throws the block for a broken one', () => {
    expect(expectAllInterleavings(gate).verdict).toBe('pass');
    expect(() => expectAllInterleavings(gate, { mutant: 'tb-signal-not-broadcast' })).toThrow(/replay: nsm replay nsm1:tb-gate:tb-signal-not-broadcast:/);
  });
  it('the matchers are registered on expect and say why they fail', () => {
    expect(counter).toHoldForAllSchedules();
    expect(counter).toFailWith('no-lost-update', { mutant: 'tb-unlocked-increment' });
    const held = nsmMatchers.toHoldForAllSchedules(counter, { mutant: 'tb-unlocked-increment' });
    expect(held.pass).toBe(false);
    expect(held.message()).toMatch(/^FAIL  tb-counter/);
    const other = nsmMatchers.toFailWith(counter, 'deadlock', { mutant: 'tb-unlocked-increment' });
    expect(other.pass).toBe(false);
    expect(other.message()).toMatch(/to fail 'deadlock', but it failed 'no-lost-update'/);
    const none = nsmMatchers.toFailWith(counter, 'no-lost-update');
    expect(none.pass).toBe(false);
    expect(() => nsmMatchers.toHoldForAllSchedules({ name: 'x' })).toThrow(/needs a scenario/);
  });
});

describe('fast-check integration', () => {
  it('paramsArb stays within the declared ranges', () => {
    fc.assert(fc.property(paramsArb(counter), (p) => Number.isInteger(p.threads) && (p.threads as number) >= 1 && (p.threads as number) <= 10));
  });
  it('scenarioProperty holds for the clean model and fails with the block for the mutant', () => {
    fc.assert(scenarioProperty(counter, { params: { threads: 2 } }), { numRuns: 50 });
    // fast-check reports the shrunk counterexample and keeps the CheckFailure (with its token) as the cause.
    let e: unknown;
    try {
      fc.assert(scenarioProperty(counter, { params: { threads: 2 }, mutant: 'tb-unlocked-increment' }), { numRuns: 200, seed: 1 });
    } catch (x) {
      e = x;
    }
    expect((e as Error).message).toMatch(/^Property failed/);
    expect((e as Error).cause).toBeInstanceOf(CheckFailure);
    expect(((e as Error).cause as CheckFailure).message).toMatch(/replay: nsm replay nsm1:tb-counter:tb-unlocked-increment:/);
    expect(() => runChoices(counter, [45273, 9121], { mutant: 'tb-unlocked-increment' })).toThrow(CheckFailure);
  });
});

describe('the public entry point', () => {
  it("exports what README.md and docs/porting.md import from 'netstack-model', all of it also in netstack-model/internal", async () => {
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const pub = await import('../src/index.ts');
    const internal = await import('../src/internal.ts');
    const used = new Set<string>();
    for (const f of ['README.md', 'docs/porting.md']) {
      const text = readFileSync(join(__dirname, '..', f), 'utf8');
      for (const m of text.matchAll(/import \{([^}]*)\} from 'netstack-model'/g)) for (const n of m[1]!.split(',')) if (n.trim() && !n.trim().startsWith('type ')) used.add(n.trim());
    }
    expect(used.size).toBeGreaterThan(10);
    expect([...used].filter((n) => !(n in pub))).toEqual([]);
    expect(Object.keys(pub).filter((n) => !(n in internal))).toEqual([]);
    // The engine's internals stay behind netstack-model/internal.
    for (const n of ['Execution', 'Thread', 'Effect', 'runLenient', 'shrinkSchedule', 'execOptions', 'encodeToken']) {
      expect(n in pub, n).toBe(false);
      expect(n in internal, n).toBe(true);
    }
  });
});
