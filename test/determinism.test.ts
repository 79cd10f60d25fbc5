/** Same seed and options give the same trace; tokens replay bit-exactly; bad tokens are refused with one line. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { explore } from '../src/core/runner.ts';
import { makeStrategy } from '../src/core/config.ts';
import { makeToken, replayToken } from '../src/core/trace/replay.ts';
import { decodeToken, encodeToken, TokenError } from '../src/core/trace/token.ts';
import { findScenario, scenarios } from '../src/scenarios/registry.ts';

function traceHashes(name: string, strategy: 'random' | 'pct', seed: number): number[] {
  const sc = findScenario(name)!;
  const hashes: number[] = [];
  explore(sc, makeStrategy(strategy, { seed, depth: 2 }), { schedules: 50, keepGoing: true, onExecution: (_ex, res) => hashes.push(res.traceHash) });
  return hashes;
}

describe('determinism', () => {
  it.each(['tb-cv-wait-loop', 'tb-gate', 'tb-counter'])('%s: same seed and options give identical traces', (name) => {
    for (const st of ['random', 'pct'] as const) {
      const a = traceHashes(name, st, 5);
      expect(traceHashes(name, st, 5)).toEqual(a);
      expect(traceHashes(name, st, 6)).not.toEqual(a);
    }
  });

  it('a replayed token reproduces the trace hash of the execution it came from', () => {
    const sc = findScenario('tb-cv-wait-loop')!;
    const seen: { schedule: number[]; sigs: number[]; hash: number }[] = [];
    explore(sc, makeStrategy('random', { seed: 9, depth: 1 }), { schedules: 20, keepGoing: true, onExecution: (_ex, res) => seen.push({ schedule: res.schedule.slice(), sigs: res.sigs.slice(), hash: res.traceHash }) });
    for (const s of seen) {
      const tok = makeToken(sc, {}, s.schedule, s.sigs);
      expect(replayToken(tok, findScenario).res.traceHash).toBe(s.hash);
    }
  });
});

describe('replay tokens', () => {
  const sc = findScenario('tb-gate')!;
  const r = explore(sc, makeStrategy('dpor', { seed: 1, depth: 1 }), { mutant: 'tb-signal-not-broadcast' });
  const good = makeToken(sc, { mutant: 'tb-signal-not-broadcast' }, r.failure!.schedule, r.failure!.sigs);

  it('round-trips through encode/decode', () => {
    expect(encodeToken(decodeToken(good))).toBe(good);
  });

  it('refuses a truncated token, an edited one, and one of another version, with one line', () => {
    for (const bad of [good.slice(0, good.length - 5), good.replace('tb-gate', 'tb-gaze'), good.replace(/^nsm1/, 'nsm9'), 'hello', '']) {
      expect(() => decodeToken(bad)).toThrow(TokenError);
      try {
        decodeToken(bad);
      } catch (e) {
        expect((e as Error).message).not.toContain('\n');
      }
    }
  });

  it('refuses a token for a scenario this nsm does not have', () => {
    const d = decodeToken(good);
    const other = encodeToken({ ...d, scenario: 'no-such-scenario' });
    expect(() => replayToken(other, findScenario)).toThrow(/does not have/);
  });

  it('refuses a token made for other options (changed defaults or model version)', () => {
    const d = decodeToken(good);
    const other = encodeToken({ ...d, optionsHash: (d.optionsHash + 1) >>> 0 });
    expect(() => replayToken(other, findScenario)).toThrow(/other options/);
  });

  it('reports a divergence at the first step that no longer fits', () => {
    const d = decodeToken(good);
    const sigs = d.sigs.slice();
    sigs[3] = (sigs[3]! + 1) & 15;
    const rep = replayToken(encodeToken({ ...d, sigs }), findScenario);
    expect(rep.res.failure?.kind).toBe('divergence');
    expect(rep.res.failure?.message).toMatch(/^step 3: expected/);
  });

  it('decodes any string without crashing: a TokenError or a token', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        try {
          decodeToken(s);
        } catch (e) {
          expect(e).toBeInstanceOf(TokenError);
        }
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.nat({ max: good.length }), fc.string({ maxLength: 3 }), (at, ins) => {
        const s = good.slice(0, at) + ins + good.slice(at);
        try {
          const d = decodeToken(s);
          expect(encodeToken(d)).toBe(s === good ? good : encodeToken(d));
        } catch (e) {
          expect(e).toBeInstanceOf(TokenError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

it('every registered scenario has a unique name and a description', () => {
  const names = scenarios.map((s) => s.name);
  expect(new Set(names).size).toBe(names.length);
  for (const s of scenarios) expect(s.description.length).toBeGreaterThan(0);
});
