/**
 * PCT: with k learnt from the executions, a bug of depth d is found at the
 * rate the paper guarantees, at least 1/(n k^(d-1)) per execution (n threads,
 * k steps); a k given explicitly is the range its change points come from.
 */
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';
import { explore } from '../src/core/runner.ts';
import { PctStrategy } from '../src/core/strategies/pct.ts';
import { findScenario } from '../src/scenarios/registry.ts';

const counter = findScenario('tb-counter')!;
const lostUpdate = { mutant: 'tb-unlocked-increment', keepGoing: true, schedules: 2000 };

describe('pct', () => {
  for (const threads of [2, 4]) {
    it(`finds the depth-2 lost update of tb-counter threads=${threads} at least at the paper's rate 1/(n k)`, () => {
      const r = explore(counter, new PctStrategy(1, 2), { ...lostUpdate, params: { threads } });
      const k = r.steps / r.schedules;
      expect(r.failures / r.schedules).toBeGreaterThanOrEqual(1 / (threads * k));
    });
  }
  it('takes k as given: change points drawn from 64 steps on a 6-step execution mostly fall past its end', () => {
    const learnt = explore(counter, new PctStrategy(1, 2), lostUpdate);
    const given = explore(counter, new PctStrategy(1, 2, 64), lostUpdate);
    expect(new PctStrategy(1, 2, 64).name).toBe('pct(d=2,k=64)');
    expect(given.failures).toBeLessThan(learnt.failures / 4);
    expect(() => new PctStrategy(1, 2, 0)).toThrow('pct steps (k) must be a positive integer, got 0');
  });
  it('nsm check --pct-steps is the k of pct only', async () => {
    const out: string[] = [];
    const err: string[] = [];
    expect(await main(['check', 'tb-counter', '--strategy', 'pct', '--pct-steps', '6', '--schedules', '20', '--no-write'], (l) => out.push(l), (l) => err.push(l))).toBe(0);
    expect(out[0]).toMatch(/^no failure {2}tb-counter {2}20 schedules \(sampled, not exhaustive\) .*\[pct\(d=3,k=6\)\]$/);
    expect(await main(['check', 'tb-counter', '--pct-steps', '6'], () => {}, (l) => err.push(l))).toBe(2);
    expect(err).toEqual(['nsm: --pct-steps is the k of --strategy pct only']);
  });
});
