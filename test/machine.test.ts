/**
 * The compiled transition tables are exact: for random event sequences, the
 * table accepts exactly the events xstate's pure transition() accepts, and
 * lands in the same state.
 */
import fc from 'fast-check';
import { initialTransition, transition } from 'xstate';
import { describe, expect, it } from 'vitest';
import { MachineRef } from '../src/actors/machine.ts';
import { allMachines } from '../src/actors/registry.ts';

const key = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

describe.each(allMachines().map((m) => [m.id, m] as const))('machine %s', (_id, m) => {
  it('has states, events and an initial state', () => {
    expect(m.states).toContain(m.initial);
    expect(m.events.length).toBeGreaterThan(0);
  });
  it('agrees with xstate on random event sequences', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...m.events), { maxLength: 30 }), (evs) => {
        let [snap] = initialTransition(m.machine);
        const ref = new MachineRef(m, 'x');
        for (const ev of evs) {
          const accepted = snap.can({ type: ev });
          expect(ref.can(ev)).toBe(accepted);
          if (!accepted) {
            expect(() => ref.send(ev)).toThrow(/not accepted/);
            continue;
          }
          [snap] = transition(m.machine, snap, { type: ev });
          expect(ref.send(ev)).toBe(key(snap.value));
        }
      }),
      { numRuns: 300 },
    );
  });
});
