/**
 * Differential scenarios: one administrative sequence run on the illumos
 * netstack model and on the FreeBSD VNET model, checked by the same
 * lifecycle specs (src/specs/lifecycle.ts) on top of each system's own.
 *
 *  - create-vs-register: an instance is created (netstack_zone_create of
 *    exclusive zone 1; vnet_alloc of vnet1) while a module registers
 *    (netstack_register(1); a VNET_SYSINIT/VNET_SYSUNINIT pair of pf), with
 *    one module already loaded and the instance the boot made (the global
 *    stack; vnet0).
 *  - teardown-vs-unregister: an instance built with both modules is torn
 *    down (zone shutdown and destroy, the reap; vnet_destroy) while the
 *    second module unregisters (netstack_unregister(1);
 *    vnet_deregister_sysuninit + vnet_deregister_sysinit of pf).
 *
 * Step granularity: each system's own (src/scenarios/netstack/world.ts;
 * VNET_GRANULARITY in src/scenarios/ifnet/vnet.ts). The netstack side takes
 * the fixes of its findings as parameters, as its own scenarios do.
 */
import type { KThread } from '../../core/effect.ts';
import type { Execution } from '../../core/execution.ts';
import { defineScenario } from '../../core/scenario.ts';
import { bootRegister, netstackInit } from '../../actors/netstack/init.ts';
import { moduleCreate, moduleDestroy, moduleShutdown } from '../../actors/netstack/modules.ts';
import { bootZone, zonesInit } from '../../actors/netstack/zone-subsystem.ts';
import type { NetstackObserver } from '../../actors/netstack/types.ts';
import { SI_SUB, Vnet, vnetAlloc, vnetDestroy, VnetGlobals, type VnetSysinit } from '../../actors/ifnet/vnet.ts';
import { constructedAtBoot, vnetModule, vnetModuleLoad, vnetModuleUnload } from '../../actors/ifnet/vnet-modules.ts';
import { LifecycleLog, lifecycleSpecs, NetstackLifecycleObserver, netstackLifecycleView, vnetLifecycleView } from '../../specs/lifecycle.ts';
import { NETSTACK_MUTANTS } from '../netstack/mutants.ts';
import { NetstackMonitor } from '../../specs/netstack/monitor.ts';
import { netstackSnapshot } from '../../specs/netstack/state.ts';
import { vnetInvariants, vnetQuiescent } from '../../specs/ifnet/vnet.ts';
import { FIX_PARAMS, loadModule, NETSTACK_PARAM_TYPES, netstackEndChecks, netstackInvariants, type NetstackWorld, unloadModule, zoneLife } from '../netstack/world.ts';
import { VNET_GRANULARITY } from '../ifnet/vnet.ts';

export interface NsX extends NetstackWorld {
  life: LifecycleLog;
}
interface VnX {
  vg: VnetGlobals;
}

export const nsLife = lifecycleSpecs<NsX>((w) => netstackLifecycleView(w.g, w.life));
const vnLife = lifecycleSpecs<VnX>((s) => vnetLifecycleView(s.vg));

/**
 * netstack_init with the lifecycle recorder in front of `inner` (the
 * netstack monitor; a test may pass another observer); the global zone;
 * `loaded` modules; `zones` booted.
 */
export function nsWorld(ex: Execution, loaded: number[], zones: number[], inner: NetstackObserver = new NetstackMonitor()): NsX {
  const p = ex.options.params;
  const life = new LifecycleLog(ex);
  const g = netstackInit(ex, {
    nsMax: 2,
    outstandingReaps: 1024,
    obs: new NetstackLifecycleObserver(inner, life),
    fix: { inactiveCoversCreates: p['fixInactiveCoversCreates'] === true, shutdownInprogressCreate: p['fixShutdownInprogress'] === true, reapWaitsForWaiters: p['fixReapWaitsForWaiters'] === true },
    systemTaskqThreads: (p['taskqThreads'] as number | undefined) ?? 1,
  });
  const z = zonesInit(ex);
  bootZone(ex, g, z, 0, true);
  for (const m of loaded) bootRegister(ex, g, m, moduleCreate, moduleShutdown, moduleDestroy);
  for (const id of zones) bootZone(ex, g, z, id, true);
  return { g, z, reapSlots: 1024, life };
}

const nsCommon = {
  system: 'netstack',
  threads: 2,
  params: { ...FIX_PARAMS, taskqThreads: 1 },
  paramTypes: NETSTACK_PARAM_TYPES,
  maxSteps: 2000,
  mutants: NETSTACK_MUTANTS,
  granularity: 'as the netstack scenarios (src/scenarios/netstack/world.ts)',
  snapshot: netstackSnapshot,
  stateWalk: true,
  invariants: [...netstackInvariants, ...nsLife.invariants] as typeof nsLife.invariants,
  endChecks: [...netstackEndChecks, ...nsLife.endChecks] as typeof nsLife.endChecks,
};

export const xNsCreateVsRegister = defineScenario<NsX>({
  ...nsCommon,
  name: 'x-ns-create-vs-register',
  description: 'differential (netstack side): zone 1 created while module 1 registers; common lifecycle specs',
  setup(ex) {
    const w = nsWorld(ex, [0], []);
    ex.spawn('Z1', zoneLife(ex, w, 1, true, 'create'));
    ex.spawn('R1', loadModule(ex, w, 1));
    return w;
  },
});

export const xNsTeardownVsUnregister = defineScenario<NsX>({
  ...nsCommon,
  name: 'x-ns-teardown-vs-unregister',
  description: 'differential (netstack side): zone 1 shut down and destroyed while module 1 unregisters; common lifecycle specs',
  setup(ex) {
    const w = nsWorld(ex, [0, 1], [1]);
    ex.spawn('Z1', zoneLife(ex, w, 1, true, 'destroy', 'running'));
    ex.spawn('U1', unloadModule(ex, w, 1));
    return w;
  },
});

/** vnet0 and (optionally) vnet1 as the boot left them, with `mods` registered and constructed. */
function vnWorld(ex: Execution, mods: { init: VnetSysinit; uninit: VnetSysinit }[], vnets: string[]): VnetGlobals {
  const vg = new VnetGlobals(ex);
  for (const m of mods) {
    vg.constructors.push(m.init);
    vg.destructors.push(m.uninit);
  }
  for (const name of vnets) {
    const v = new Vnet(ex, name, vg.cov);
    v.m.send('INIT');
    for (const m of mods) constructedAtBoot(ex, v, m.init.module);
    v.next = vg.head;
    vg.head = v;
    v.listed = true;
    vg.all.push(v);
    vg.vnet0 ??= v;
  }
  return vg;
}

const vnCommon = {
  system: 'freebsd',
  threads: 2,
  granularity: VNET_GRANULARITY,
  invariants: [...vnetInvariants.filter((i) => i.name.startsWith('VN-')), ...vnLife.invariants] as typeof vnLife.invariants,
  endChecks: [vnetQuiescent, ...vnLife.endChecks] as typeof vnLife.endChecks,
};

export const xVnetCreateVsRegister = defineScenario<VnX>({
  ...vnCommon,
  name: 'x-vnet-create-vs-register',
  description: 'differential (VNET side): vnet1 allocated while module pf registers; common lifecycle specs (finding FB-2)',
  params: { fixListUnderSysinit: false },
  paramTypes: { fixListUnderSysinit: { description: 'candidate fix of FB-2' } },
  setup(ex) {
    const vg = vnWorld(ex, [vnetModule('if', SI_SUB.INIT_IF)], ['vnet0']);
    const pf = vnetModule('pf', SI_SUB.PROTO_IFATTACHDOMAIN);
    const fix = ex.param<boolean>('fixListUnderSysinit');
    ex.spawn('T1', (function* (): KThread<void> { yield* vnetAlloc(ex, vg, 'vnet1', fix); })());
    ex.spawn('T2', vnetModuleLoad(ex, vg, pf));
    return { vg };
  },
});

export const xVnetTeardownVsUnregister = defineScenario<VnX>({
  ...vnCommon,
  name: 'x-vnet-teardown-vs-unregister',
  description: 'differential (VNET side): vnet1 destroyed while module pf unregisters; common lifecycle specs (finding FB-3)',
  params: { fixUnlistUnderSysinit: false },
  paramTypes: { fixUnlistUnderSysinit: { description: 'candidate fix of FB-3' } },
  setup(ex) {
    const pf = vnetModule('pf', SI_SUB.PROTO_IFATTACHDOMAIN);
    const vg = vnWorld(ex, [vnetModule('if', SI_SUB.INIT_IF), pf], ['vnet0', 'vnet1']);
    const fix = ex.param<boolean>('fixUnlistUnderSysinit');
    ex.spawn('T1', vnetDestroy(ex, vg, vg.all[1]!, fix));
    ex.spawn('T2', vnetModuleUnload(ex, vg, pf));
    return { vg };
  },
});

export const crossScenarios = [xNsCreateVsRegister, xVnetCreateVsRegister, xNsTeardownVsUnregister, xVnetTeardownVsUnregister];
