import { describe, expect, it } from 'vitest';
import { transition, initialTransition } from 'xstate';
import { netstackMachines } from '../src/actors/netstack/machines.ts';
import { explore } from '../src/core/runner.ts';
import { DfsStrategy } from '../src/core/strategies/dfs.ts';
import { findScenario } from '../src/scenarios/registry.ts';

describe('netstack machines', () => {
  it('compiled tables agree with xstate on every state x event', () => {
    for (const c of Object.values(netstackMachines())) {
      const [init] = initialTransition(c.machine);
      const seen = new Map<string, typeof init>([[JSON.stringify(init.value), init]]);
      const q = [init];
      while (q.length) {
        const s = q.shift()!;
        const k = typeof s.value === 'string' ? s.value : JSON.stringify(s.value);
        for (const ev of c.events) {
          const next = c.table.get(`${k}|${ev}`);
          expect(s.can({ type: ev }), `${c.id} ${k} ${ev}`).toBe(next !== undefined);
          if (next === undefined) continue;
          const [n] = transition(c.machine, s, { type: ev });
          const nk = typeof n.value === 'string' ? n.value : JSON.stringify(n.value);
          expect(nk).toBe(next);
          if (!seen.has(nk)) {
            seen.set(nk, n);
            q.push(n);
          }
        }
      }
    }
  });
  it('rejects a shutdown marked after the destroy', () => {
    const { nms } = netstackMachines();
    expect(nms.table.get('{"create":"completed","shutdown":"none","destroy":"completed"}|MARK_SHUTDOWN')).toBeUndefined();
  });
});

describe('netstack scenarios (clean, exhaustive DPOR)', () => {
  for (const name of ['ns-register-vs-zone-create', 'ns-shared-zone-vs-modules', 'ns-walker-vs-destroy', 'ns-reap-limiter', 'ns-lookup-vs-destroy']) {
    it(`${name} passes`, () => {
      const r = explore(findScenario(name)!, new DfsStrategy({ dpor: true }));
      expect(r.failure?.failure ?? null).toBeNull();
      expect(r.complete).toBe(true);
    });
  }
  it('ns-unregister-vs-zone-create passes with the NS-2 fix and fails without it', () => {
    const sc = findScenario('ns-unregister-vs-zone-create')!;
    expect(explore(sc, new DfsStrategy({ dpor: true })).failure?.failure.spec).toBe('cb-seq');
    const r = explore(sc, new DfsStrategy({ dpor: true }), { params: { fixShutdownInprogress: true } });
    expect(r.verdict).toBe('pass');
    expect(r.complete).toBe(true);
  });
});
