/**
 * The netstack scenarios added for issues 13 and 14, the two forms of NS-3,
 * and the system_taskq worker parameter. Each test is a small search; the
 * exhaustive measurements are in docs/verification.md.
 */
import { describe, expect, it } from 'vitest';
import { netstackFindings } from '../src/bugs/netstack.ts';
import { explore } from '../src/core/runner.ts';
import { makeStrategy } from '../src/core/config.ts';
import { replayToken } from '../src/core/trace/replay.ts';
import { lastSite } from '../src/core/trace/report.ts';
import { INTENDED_ORDER } from '../src/specs/netstack/monitor.ts';
import { findScenario } from '../src/scenarios/registry.ts';

const FIX = { fixInactiveCoversCreates: true, fixShutdownInprogress: true, fixReapWaitsForWaiters: true };

/** The C line of the effect at which a pinned token fails. */
function failingSite(token: string): string | undefined {
  return lastSite(replayToken(token, findScenario).res.trace);
}

describe('NS-3: two forms of the use-after-free', () => {
  const byId = (id: string) => netstackFindings.find((f) => f.id === id)!;
  it('NS-3 fails where wait_for_nms_inprogress re-takes netstack_lock (L909 or L914)', () => {
    expect(['netstack.c L909', 'netstack.c L914']).toContain(failingSite(byId('NS-3').token));
  });
  it('NS-3b fails where wait_for_zone_creator re-takes netstack_lock (L880 or L885)', () => {
    expect(['netstack.c L880', 'netstack.c L885']).toContain(failingSite(byId('NS-3b').token));
  });
});

describe('teardown-order and create-order: one rule per caller of the apply_all_* walks', () => {
  it('names every caller in netstack.c, with the kinds and order it intends', () => {
    expect(INTENDED_ORDER).toEqual({
      zone_create: { spec: 'create-order', kinds: ['create'], modules: 'increasing', cite: 'netstack.c L411' },
      register: { spec: 'create-order', kinds: ['create'], modules: 'own', cite: 'netstack.c L215' },
      zone_shutdown: { spec: 'teardown-order', kinds: ['shutdown'], modules: 'decreasing', cite: 'netstack.c L476' },
      stack_inactive: { spec: 'teardown-order', kinds: ['shutdown', 'destroy'], modules: 'decreasing', cite: 'netstack.c L575-588' },
      unregister: { spec: 'teardown-order', kinds: ['shutdown', 'destroy'], modules: 'own', cite: 'netstack.c L291-292' },
    });
  });
});

describe('system_taskq workers (taskqThreads)', () => {
  it('default to 2 where two stacks can be reaped, 1 where only one can', () => {
    for (const name of ['ns-reap-limiter', 'ns-reap-chain', 'ns-two-zones-module-reload', 'ns-register-vs-closing-two-reaps']) expect(findScenario(name)!.params!['taskqThreads']).toBe(2);
    for (const name of ['ns-unregister-vs-zone-teardown', 'ns-lifecycle-vs-load-unload', 'ns-register-vs-middle-shutdown']) expect(findScenario(name)!.params!['taskqThreads']).toBe(1);
  });
  it('are read by the model: two workers give ns-reap-limiter (two reap slots) more schedules, both searches complete and pass', () => {
    const sc = findScenario('ns-reap-limiter')!;
    const one = explore(sc, makeStrategy('dpor', { seed: 1, depth: 3 }), { params: { reapSlots: 2, taskqThreads: 1 } });
    const two = explore(sc, makeStrategy('dpor', { seed: 1, depth: 3 }), { params: { reapSlots: 2, taskqThreads: 2 } });
    for (const r of [one, two]) {
      expect(r.verdict).toBe('pass');
      expect(r.complete).toBe(true);
    }
    expect(two.schedules).toBeGreaterThan(one.schedules);
  });
});

/** The specs the known findings NS-1..NS-3 fail first (src/bugs/netstack.ts). */
const FINDING_SPECS = new Set(netstackFindings.flatMap((f) => [f.expect.spec, ...(f.alsoSeenIn ?? []).map((a) => a.spec)]));

describe('issue 14 scenarios', () => {
  it.each([
    ['ns-lifecycle-vs-load-unload', 'dpor', 100],
    ['ns-two-zones-module-reload', 'pct', 200],
    ['ns-register-vs-closing-two-reaps', 'pct', 200],
  ] as const)('%s, fixes off: a known finding is found (%s)', (name, strategy, schedules) => {
    const r = explore(findScenario(name)!, makeStrategy(strategy, { seed: 1, depth: 3 }), { schedules });
    expect(r.verdict).toBe('fail');
    expect(FINDING_SPECS).toContain(r.failure!.failure.spec);
  });
  it.each(['ns-lifecycle-vs-load-unload', 'ns-two-zones-module-reload', 'ns-register-vs-closing-two-reaps'])('%s, fixes on: 300 PCT schedules pass', (name) => {
    const r = explore(findScenario(name)!, makeStrategy('pct', { seed: 1, depth: 3 }), { schedules: 300, params: FIX });
    expect(r.failure?.failure ?? null).toBeNull();
  });
  it('ns-register-vs-middle-shutdown passes complete DPOR as written', () => {
    const r = explore(findScenario('ns-register-vs-middle-shutdown')!, makeStrategy('dpor', { seed: 1, depth: 3 }));
    expect(r.verdict).toBe('pass');
    expect(r.complete).toBe(true);
  });
});
