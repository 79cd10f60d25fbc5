/**
 * Per-vnet module callbacks (the VNET_SYSINIT / VNET_SYSUNINIT functions a
 * subsystem registers) used by the VNET scenarios:
 *  - `vnetModule`: a generic module whose constructor builds per-vnet state
 *    in curvnet's V_ data (a malloc'ed table) and whose destructor frees it;
 *  - `inetModule`: ip_init run per vnet (log L11-16), whose global part is
 *    gated by IS_DEFAULT_VNET(curvnet);
 *  - `tcpModule`: a per-vnet UMA zone (log L17-24), created by the
 *    constructor and destroyed by the destructor.
 * Each callback runs on curvnet with vnet_sysinit_sxlock held (shared or
 * exclusive, see vnet.ts) and no other lock.
 */
import type { KThread } from '../../core/effect.ts';
import { kassert } from '../../core/errors.ts';
import type { Execution } from '../../core/execution.ts';
import { access, localAccess } from '../../core/ops.ts';
import { KMem, kmemFree, memAccess } from '../../locks/kmem.ts';
import { L } from './ifindex.ts';
import { type Mtx, mtxReinit } from './mtx.ts';
import { umaZcreate, umaZdestroy } from './uma.ts';
import { curvnet, isDefaultVnet, SI_ORDER, type Vnet, vnetDeregisterSysinit, vnetDeregisterSysuninit, type VnetGlobals, vnetRegisterSysinit, vnetRegisterSysuninit, type VnetSysinit } from './vnet.ts';
import { fbBug } from './mutants.ts';

/** The constructor's entry: curvnet is set (asserted); the first touch of its V_ data is the callback's scheduling point. */
function* enter(ex: Execution, vg: VnetGlobals, module: string, what: string): KThread<Vnet> {
  const v = curvnet(ex, vg);
  kassert(v !== null, () => `curvnet != NULL in ${module} ${what}`);
  yield* memAccess(v.mem, 'w', `V_ data of ${module} (${what})`, true);
  return v;
}

/** A module with one VNET_SYSINIT (builds a per-vnet table) and one VNET_SYSUNINIT (frees it). */
export function vnetModule(module: string, subsystem: number, order: number = SI_ORDER.ANY): { init: VnetSysinit; uninit: VnetSysinit } {
  const init: VnetSysinit = {
    name: `${module}_vnet_init`,
    module,
    subsystem,
    order,
    *func(ex, vg) {
      const v = yield* enter(ex, vg, module, 'constructor');
      const st = v.mod(module);
      st.ctor++;
      st.mem = new KMem(ex, `${module} table of ${v.name}`); // malloc(M_WAITOK)
      yield* localAccess(vg.vnObj, 'w', `${module} constructed on ${v.name}`);
    },
  };
  const uninit: VnetSysinit = {
    name: `${module}_vnet_uninit`,
    module,
    subsystem,
    order,
    *func(ex, vg) {
      const v = yield* enter(ex, vg, module, 'destructor');
      const st = v.mod(module);
      st.dtor++;
      if (st.mem) yield* kmemFree(st.mem); // free(NULL) is a no-op
      st.mem = null;
      yield* localAccess(vg.vnObj, 'w', `${module} destructed on ${v.name}`);
    },
  };
  return { init, uninit };
}

/**
 * kldload of a module with per-vnet state: its VNET_SYSINIT registers
 * (running on every listed vnet), then its VNET_SYSUNINIT. Each takes
 * vnet_sysinit_sxlock exclusive on its own; nothing is held between them.
 */
export function* vnetModuleLoad(ex: Execution, vg: VnetGlobals, mod: { init: VnetSysinit; uninit: VnetSysinit }): KThread<void> {
  yield* vnetRegisterSysinit(ex, vg, mod.init);
  yield* vnetRegisterSysuninit(ex, vg, mod.uninit);
}

/** kldunload of the same: the VNET_SYSUNINIT runs on every listed vnet and goes, then the VNET_SYSINIT goes. */
export function* vnetModuleUnload(ex: Execution, vg: VnetGlobals, mod: { init: VnetSysinit; uninit: VnetSysinit }): KThread<void> {
  yield* vnetDeregisterSysuninit(ex, vg, mod.uninit);
  yield* vnetDeregisterSysinit(ex, vg, mod.init);
}

/** The boot state of a module on a vnet that vnet0's boot (or an earlier vnet_alloc) constructed. */
export function constructedAtBoot(ex: Execution, v: Vnet, module: string): void {
  const st = v.mod(module);
  st.ctor = 1;
  st.mem = new KMem(ex, `${module} table of ${v.name}`);
}

/** Global (not per-vnet) state of inet: the IP reassembly queue lock and zone, created once at boot. */
export class InetGlobals {
  /** Ghost object for the global ipq hash and zone (touched by vnet0 traffic under ipqlock). */
  readonly obj: number;
  constructor(
    ex: Execution,
    /** ipqlock (IPQ_LOCK): protects the global reassembly queue. */
    readonly ipqlock: Mtx,
  ) {
    this.obj = ex.newObject('ipq (global)', 'ghost');
  }
}

/**
 * ip_init as a per-vnet initializer (log L11-16). Per-vnet part: the V_
 * variables (V_ipq heads, V_ip_id, statistics) in curvnet's data. Global
 * part (the ipq zone, ipqlock, the netisr registration) runs "only if such
 * functions are called within the context of vnet0", IS_DEFAULT_VNET.
 *
 * Mutant fb-pre-is-default-vnet-gate: the global part is not gated, so
 * every vnet_alloc re-initialises it: the second run re-creates the zone
 * and mtx_init's ipqlock while vnet0 traffic may hold it.
 */
export function inetModule(ig: InetGlobals, subsystem: number): VnetSysinit {
  return {
    name: 'ip_init',
    module: 'inet',
    subsystem,
    order: SI_ORDER.MIDDLE,
    *func(ex, vg) {
      const v = yield* enter(ex, vg, 'inet', 'ip_init: V_ipq, V_ip_id');
      const st = v.mod('inet');
      st.ctor++;
      yield* localAccess(vg.vnObj, 'w', `inet constructed on ${v.name}`);
      if (!fbBug(ex, 'fb-pre-is-default-vnet-gate') && !isDefaultVnet(ex, vg)) return; // log L14-16
      vg.globalInits.set('ipq', (vg.globalInits.get('ipq') ?? 0) + 1);
      yield* localAccess(vg.vnObj, 'w', 'global ip_init');
      yield* access(ig.obj, 'w', 'ipq_zone = uma_zcreate(...); ipq hash', L(14));
      yield* mtxReinit(ig.ipqlock, L(14)); // IPQ_LOCK_INIT()
    },
  };
}

/** The boot-time run of the global part of ip_init (vnet0's constructor). */
export function inetBooted(ex: Execution, vg: VnetGlobals, v0: Vnet): void {
  v0.mod('inet').ctor = 1;
  vg.globalInits.set('ipq', 1);
  void ex;
}

/**
 * A protocol with a per-vnet UMA zone (tcp's V_tcpcb_zone, V_tcptw_zone):
 * the constructor creates it, the destructor destroys it. Items allocated
 * from it (a TIME_WAIT pcb has no socket, so vnet_sockcnt does not count
 * it) are freed into it by whoever holds them.
 */
export function tcpModule(subsystem: number): { init: VnetSysinit; uninit: VnetSysinit } {
  const init: VnetSysinit = {
    name: 'tcp_init',
    module: 'tcp',
    subsystem,
    order: SI_ORDER.MIDDLE,
    *func(ex, vg) {
      const v = yield* enter(ex, vg, 'tcp', 'V_tcptw_zone = uma_zcreate()');
      const st = v.mod('tcp');
      st.ctor++;
      st.zone = umaZcreate(ex, vg, `tcptw@${v.name}`);
      yield* localAccess(vg.vnObj, 'w', `tcp constructed on ${v.name}`);
    },
  };
  const uninit: VnetSysinit = {
    name: 'tcp_destroy',
    module: 'tcp',
    subsystem,
    order: SI_ORDER.MIDDLE,
    *func(ex, vg) {
      const v = yield* enter(ex, vg, 'tcp', 'uma_zdestroy(V_tcptw_zone)');
      const st = v.mod('tcp');
      st.dtor++;
      if (st.zone) yield* umaZdestroy(ex, vg, st.zone);
      yield* localAccess(vg.vnObj, 'w', `tcp destructed on ${v.name}`);
    },
  };
  return { init, uninit };
}
