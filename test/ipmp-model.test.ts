import { describe, expect, it } from 'vitest';
import { transition, initialTransition } from 'xstate';
import { explore } from '../src/core/runner.ts';
import { DfsStrategy } from '../src/core/strategies/dfs.ts';
import { findScenario } from '../src/scenarios/registry.ts';
import { ipmpMachines } from '../src/actors/ipmp/machines.ts';

describe('ipmp machines', () => {
  it('compiled tables agree with xstate', () => {
    for (const m of ipmpMachines) {
      const [init] = initialTransition(m.machine);
      expect(m.initial).toBe(String(init.value));
      for (const [k, to] of m.table) {
        const [from, ev] = k.split('|') as [string, string];
        const snap = m.machine.resolveState({ value: from, context: {} });
        const [n] = transition(m.machine, snap, { type: ev });
        expect(String(n.value), `${m.id} ${k}`).toBe(to);
      }
    }
  });
});

describe('ipmp scenarios', () => {
  const clean: [string, number | undefined, Record<string, boolean>][] = [
    ['ipmp-join-join', 2, {}],
    ['ipmp-join-leave', 2, {}],
    ['ipmp-unplumb-queued', undefined, {}],
    ['ipmp-rename-lookup', undefined, {}],
    ['ipmp-bad-requests', undefined, {}],
    ['ipmp-kstat-leave', undefined, { fixKstats: true }],
    ['ipmp-exchange', 1, {}],
  ];
  it.each(clean)('%s passes DPOR (preemptions %s)', (name, pb, params) => {
    const r = explore(findScenario(name)!, new DfsStrategy({ dpor: true, preemptionBound: pb }), { params });
    expect(r.failure?.failure ?? null).toBeNull();
    expect(r.complete).toBe(true);
  });

  it('the three findings fail in the unmodified model with their spec', () => {
    const cases: [string, string][] = [
      ['ipmp-leave-timer', 'kassert'],
      ['ipmp-kstat-leave', 'kstat-monotone'],
      ['ipmp-mixed-media', 'kassert'],
    ];
    for (const [name, spec] of cases) {
      const r = explore(findScenario(name)!, new DfsStrategy({ dpor: true }), { schedules: 2000 });
      expect(r.verdict, name).toBe('fail');
      expect(r.failure!.failure.spec, name).toBe(spec);
    }
  });

  it('a concurrent mixed-media join with the fix gets EINVAL for the loser (one schedule family)', () => {
    const r = explore(findScenario('ipmp-mixed-media')!, new DfsStrategy({ dpor: true, preemptionBound: 2 }), { params: { fixMactype: true } });
    expect(r.verdict).toBe('pass');
  });
});
