/**
 * The FreeBSD VNET model: the fixed scenarios reach every outcome they
 * claim (so their passing DPOR runs are not vacuous), the registry keeps
 * (subsystem, order), and the as-written code opens the windows of FB-2
 * and FB-3 only between the sysinit sx and the list lock.
 */
import { describe, expect, it } from 'vitest';
import { explore } from '../src/core/runner.ts';
import { makeStrategy } from '../src/core/config.ts';
import { findScenario } from '../src/scenarios/registry.ts';
import { defineScenario } from '../src/core/scenario.ts';
import { SI_ORDER, SI_SUB, vnetAlloc, vnetDestroy, VnetGlobals, vnetRegisterSysinit, vnetRegisterSysuninit } from '../src/actors/ifnet/vnet.ts';
import { vnetModule } from '../src/actors/ifnet/vnet-modules.ts';
import { vnetInvariants } from '../src/specs/ifnet/vnet.ts';

function outcomes(name: string, params: Record<string, boolean>, f: (vg: VnetGlobals) => string, mutant: string | null = null) {
  const seen = new Set<string>();
  const fails = new Set<string>();
  const r = explore(findScenario(name)!, makeStrategy('dpor', { seed: 1, depth: 3 }), {
    mutant,
    params,
    schedules: 5000,
    keepGoing: true,
    onExecution: (ex, res) => {
      if (res.pruned) return;
      if (res.failure) fails.add(res.failure.spec);
      else seen.add(f((ex.state as { vg: VnetGlobals }).vg));
    },
  });
  return { r, seen, fails };
}

/** Which walk ran module m's callbacks on vnet v. */
const by = (vg: VnetGlobals, v: string, m: string) =>
  vg.all
    .find((x) => x.name === v)!
    .calls.filter((c) => c.vs.module === m)
    .map((c) => `${c.phase}:${c.pass}`)
    .join(',');

describe('freebsd vnet model', () => {
  it('fb-vnet-missed-ctor (fixed): pf reaches vnet1 through vnet_sysinit or through the registration walk, never neither', () => {
    const { r, seen, fails } = outcomes('fb-vnet-missed-ctor', { fixListUnderSysinit: true }, (vg) => by(vg, 'vnet1', 'pf'));
    expect(r.complete).toBe(true);
    expect(fails.size).toBe(0);
    expect([...seen].sort()).toEqual(['ctor:register', 'ctor:sysinit']);
  });
  it('fb-vnet-missed-ctor (as written): the only failure is I1, and the other schedules see both outcomes', () => {
    const { r, seen, fails } = outcomes('fb-vnet-missed-ctor', {}, (vg) => by(vg, 'vnet1', 'pf'));
    expect(r.complete).toBe(true);
    expect([...fails]).toEqual(['I1']);
    expect([...seen].sort()).toEqual(['ctor:register', 'ctor:sysinit']);
  });
  it('fb-vnet-missed-dtor (fixed): pf leaves vnet1 through vnet_sysuninit or through the deregistration walk', () => {
    const { r, seen, fails } = outcomes('fb-vnet-missed-dtor', { fixUnlistUnderSysinit: true }, (vg) => by(vg, 'vnet1', 'pf'));
    expect(r.complete).toBe(true);
    expect(fails.size).toBe(0);
    expect([...seen].sort()).toEqual(['dtor:deregister', 'dtor:sysuninit']);
  });
  it('fb-vnet-uma-outlive (fixed): the last reference, the holder or the jail removal, runs vnet_destroy after the pcb is freed', () => {
    const { r, seen, fails } = outcomes('fb-vnet-uma-outlive', {}, (vg) => `${vg.all[1]!.m.state} by ${vg.all[1]!.mem.freedBy}`);
    expect(r.complete).toBe(true);
    expect(fails.size).toBe(0);
    expect([...seen].sort()).toEqual(['FREED by T1', 'FREED by T2']);
  });
  it('fb-vnet-uma-outlive (mutant): every failing schedule fails VN-5 first; schedules where the pcb is freed first pass', () => {
    const { fails, seen } = outcomes('fb-vnet-uma-outlive', {}, (vg) => vg.all[1]!.m.state, 'fb-vnet-destroy-with-live-items');
    expect([...fails]).toEqual(['VN-5']);
    expect([...seen]).toEqual(['FREED']);
  });
  it('fb-vnet-curvnet (fixed): the worker runs both link tasks, in either order, each in its ifnet\'s vnet', () => {
    const { seen, fails } = outcomes('fb-vnet-curvnet', {}, (vg) => `${vg.wrongVnet.length}/${vg.unbalanced.length}`);
    expect(fails.size).toBe(0);
    expect([...seen]).toEqual(['0/0']);
  });
  it('fb-vnet-global-once: vnet1 gets the per-vnet part of ip_init; the global part ran once', () => {
    const { seen, fails } = outcomes('fb-vnet-global-once', {}, (vg) => `${vg.all[1]!.mods.get('inet')!.ctor} ${vg.globalInits.get('ipq')}`);
    expect(fails.size).toBe(0);
    expect([...seen]).toEqual(['1 1']);
  });
  it('vnet_register_sysinit keeps (subsystem, order) whatever the registration order: vnet_sysinit runs them ascending, vnet_sysuninit descending', () => {
    const sc = defineScenario<{ vg: VnetGlobals }>({
      name: 'vnet-registry-order',
      description: 'test',
      system: 'test',
      threads: 1,
      setup(ex) {
        const vg = new VnetGlobals(ex);
        const mods = [vnetModule('c', SI_SUB.PROTO_DOMAIN, SI_ORDER.SECOND), vnetModule('a', SI_SUB.INIT_IF), vnetModule('b', SI_SUB.PROTO_DOMAIN, SI_ORDER.FIRST)];
        ex.spawn(
          'T1',
          (function* () {
            for (const m of mods) {
              yield* vnetRegisterSysinit(ex, vg, m.init);
              yield* vnetRegisterSysuninit(ex, vg, m.uninit);
            }
            const v = yield* vnetAlloc(ex, vg, 'vnet1');
            yield* vnetDestroy(ex, vg, v);
          })(),
        );
        return { vg };
      },
      invariants: vnetInvariants,
    });
    let order = '';
    const r = explore(sc, makeStrategy('dfs', { seed: 1, depth: 3 }), { schedules: 10, onExecution: (ex) => (order = (ex.state as { vg: VnetGlobals }).vg.all[0]!.calls.map((c) => `${c.phase}:${c.vs.module}`).join(' ')) });
    expect(r.verdict).toBe('pass');
    expect(order).toBe('ctor:a ctor:b ctor:c dtor:c dtor:b dtor:a');
  });
});
