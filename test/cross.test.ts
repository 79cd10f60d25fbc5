/**
 * The differential scenarios (src/scenarios/cross): one administrative
 * sequence on the netstack and VNET models under the same lifecycle specs.
 * The verdicts are the ones docs/verification.md reports, and the common
 * specs are shown to fail on the netstack side too when its ordering is
 * broken (they are not vacuous there).
 */
import { describe, expect, it } from 'vitest';
import type { NetstackObserver } from '../src/actors/netstack/types.ts';
import { explore } from '../src/core/runner.ts';
import { defineScenario } from '../src/core/scenario.ts';
import { makeStrategy } from '../src/core/config.ts';
import { nsLife, nsWorld, type NsX } from '../src/scenarios/cross/index.ts';
import { NETSTACK_MUTANTS } from '../src/scenarios/netstack/mutants.ts';
import { loadModule, unloadModule, zoneLife } from '../src/scenarios/netstack/world.ts';
import { findScenario } from '../src/scenarios/registry.ts';
import { DfsStrategy } from '../src/core/strategies/dfs.ts';
import { expectSameOutcomes } from './state-cache-compare.ts';

function dpor(name: string, params: Record<string, boolean> = {}, schedules = 5000) {
  return explore(findScenario(name)!, makeStrategy('dpor', { seed: 1, depth: 3 }), { mutant: null, params, schedules });
}

describe('differential: create while a module registers', () => {
  it('netstack: every interleaving keeps the common specs (the stack is listed UNINIT before its creates)', () => {
    const r = dpor('x-ns-create-vs-register');
    expect(r.verdict).toBe('pass');
    expect(r.complete).toBe(true);
  });
  it('VNET: the new vnet misses the constructor (I1, finding FB-2); listing under the sysinit sx fixes it', () => {
    expect(dpor('x-vnet-create-vs-register').failure?.failure.spec).toBe('I1');
    const f = dpor('x-vnet-create-vs-register', { fixListUnderSysinit: true });
    expect(f.verdict).toBe('pass');
    expect(f.complete).toBe(true);
  });
});

describe('differential: teardown while the module unregisters', () => {
  it('VNET: the dying vnet misses the destructor (I8, finding FB-3); unlisting under the sysinit sx fixes it', () => {
    expect(dpor('x-vnet-teardown-vs-unregister').failure?.failure.spec).toBe('I8');
    const f = dpor('x-vnet-teardown-vs-unregister', { fixUnlistUnderSysinit: true });
    expect(f.verdict).toBe('pass');
    expect(f.complete).toBe(true);
  });
  it('netstack as written: the first failure is memory safety in its wait protocol (NS-3), not a common lifecycle spec', () => {
    const r = dpor('x-ns-teardown-vs-unregister');
    expect(r.failure?.failure.spec).toBe('no-use-after-free');
  });
  it('netstack with its three fixes: the common specs hold in every schedule of up to 2 preemptions', () => {
    const fixes = { fixInactiveCoversCreates: true, fixShutdownInprogress: true, fixReapWaitsForWaiters: true };
    const r = explore(findScenario('x-ns-teardown-vs-unregister')!, makeStrategy('dpor', { seed: 1, depth: 3, preemptions: 2 }), { mutant: null, params: fixes, schedules: 5000 });
    expect(r.verdict).toBe('pass');
    expect(r.complete).toBe(true);
  });
  it('netstack with its three fixes: stateful DPOR proves the common specs over every schedule (every hit checked)', () => {
    const fixes = { fixInactiveCoversCreates: true, fixShutdownInprogress: true, fixReapWaitsForWaiters: true };
    const st = new DfsStrategy({ dpor: true, stateCache: true, checkHits: 1e9 });
    const r = explore(findScenario('x-ns-teardown-vs-unregister')!, st, { mutant: null, params: fixes, schedules: 20_000 });
    expect(r.verdict).toBe('pass');
    expect(r.complete).toBe(true);
    expect(st.cacheHits).toBeGreaterThan(0);
    // Fixes off, the same search finds NS-3.
    const off = explore(findScenario('x-ns-teardown-vs-unregister')!, new DfsStrategy({ dpor: true, stateCache: true }), { mutant: null, params: {}, schedules: 20_000 });
    expect(off.failure?.failure.spec).toBe('no-use-after-free');
  });
});

describe('stateful DPOR on the netstack side (its state walk covers the lifecycle log)', () => {
  it('x-ns-create-vs-register: reaches exactly the outcomes of stateless DPOR, with every hit checked', () => {
    expectSameOutcomes(findScenario('x-ns-create-vs-register')!, {});
  });
});

/** An observer that checks nothing: only the common specs judge. */
const quiet: NetstackObserver = { callback() {}, applyAllDone() {}, registerDone() {}, unregisterDone() {}, hold() {}, lookup() {}, zoneShutdownMarked() {}, reapDispatched() {}, invocationDone() {} };

function commonOnly(kind: 'create' | 'teardown') {
  return defineScenario<NsX>({
    name: `x-ns-${kind}-common-only`,
    description: 'test',
    system: 'netstack',
    threads: 2,
    params: { fixInactiveCoversCreates: true, fixShutdownInprogress: true, fixReapWaitsForWaiters: true, taskqThreads: 1 },
    maxSteps: 2000,
    mutants: NETSTACK_MUTANTS,
    setup(ex) {
      if (kind === 'create') {
        const w = nsWorld(ex, [0], [], quiet);
        ex.spawn('Z1', zoneLife(ex, w, 1, true, 'create'));
        ex.spawn('R1', loadModule(ex, w, 1));
        return w;
      }
      const w = nsWorld(ex, [0, 1], [1], quiet);
      ex.spawn('Z1', zoneLife(ex, w, 1, true, 'destroy', 'running'));
      ex.spawn('U1', unloadModule(ex, w, 1));
      return w;
    },
    invariants: nsLife.invariants,
    endChecks: nsLife.endChecks,
  });
}

describe('the common specs judge the netstack model too', () => {
  it.each([
    ['create', 'ns-no-restart-after-wait'],
    ['teardown', 'ns-inactive-forward-order'],
  ] as const)('%s with mutant %s fails a common spec', (kind, mutant) => {
    const r = explore(commonOnly(kind), makeStrategy('dpor', { seed: 1, depth: 3 }), { mutant, schedules: 5000 });
    expect(r.verdict).toBe('fail');
    expect(['I1', 'I2', 'I3', 'I4', 'I8']).toContain(r.failure!.failure.spec);
  });
});
