/**
 * netstack_init (netstack.c L135-153) and the allocation of a netstack_t.
 */
import type { Execution } from '../../core/execution.ts';
import { opaqueToGuard } from '../../core/guard.ts';
import { KCondvar } from '../../locks/kcondvar.ts';
import { KMem } from '../../locks/kmem.ts';
import { KMutex } from '../../locks/kmutex.ts';
import { KSema } from '../../locks/ksema.ts';
import { KTaskq } from '../../locks/taskq.ts';
import { TrackedNetstack, TrackedNmState, TrackedRegistry, trackHead } from './tracked.ts';
import { MachineCoverage, MachineRef } from '../machine.ts';
import { netstackMachines } from './machines.ts';
import { nmsUpdate } from './nmstate.ts';
import {
  type CreateFn,
  type FiniFn,
  type ModuleInstance,
  type Netstack,
  type NetstackFixes,
  type NetstackGlobals,
  type NetstackObserver,
  GLOBAL_NETSTACKID,
  NRF_REGISTERED,
  NSS_CREATE_COMPLETED,
  NSS_CREATE_INPROGRESS,
  NSS_CREATE_NEEDED,
} from './types.ts';

export interface NetstackInitOptions {
  nsMax: number;
  /** netstack_outstanding_reaps (L133): the size of netstack_reap_limiter. */
  outstandingReaps: number;
  obs: NetstackObserver;
  fix?: Partial<NetstackFixes>;
  /**
   * Worker threads of the model's system_taskq (default 1). The kernel's
   * system_taskq has many; the scenarios set this from their parameter
   * taskqThreads (2 where two stacks can be reaped, so that two reaps run
   * at once, as in the kernel, and the taskq never limits the reaps the
   * limiter admits; see src/scenarios/netstack/world.ts).
   */
  systemTaskqThreads?: number;
  /** Any idle system_taskq worker may take a reap (no symmetry reduction, locks/taskq.ts; for cross-checks). */
  systemTaskqAnyWorker?: boolean;
}

/**
 * netstack_init, L135-153: creates the globals (mutex_init of
 * netstack_g_lock and netstack_shared_lock, sema_init of the reap limiter
 * with netstack_outstanding_reaps) and registers the ZSD key. The zones
 * framework calls netstack_zone_create for the global zone from inside
 * zone_key_create; with no module registered yet that call creates no
 * module instance, so the global stack is built here directly in the state
 * netstack_zone_create leaves it in (see bootStack). Runs in scenario setup,
 * before any thread.
 */
export function netstackInit(ex: Execution, o: NetstackInitOptions): NetstackGlobals {
  // Commuting for DPOR: everything it protects records its accesses (tracked.ts).
  const gLock = new KMutex(ex, 'netstack_g_lock', { cls: 'netstack_g_lock', commutes: true });
  const g: NetstackGlobals = {
    nsMax: o.nsMax,
    initialized: false,
    gLock,
    reg: [],
    head: null,
    sharedLock: new KMutex(ex, 'netstack_shared_lock', { cls: 'netstack_shared_lock' }),
    sharedZones: [],
    sharedKstats: [],
    reapLimiter: new KSema(ex, 'netstack_reap_limiter', o.outstandingReaps),
    systemTaskq: new KTaskq(ex, 'system_taskq', o.systemTaskqThreads ?? 1, o.systemTaskqAnyWorker === true),
    obs: o.obs,
    fix: { inactiveCoversCreates: false, shutdownInprogressCreate: false, reapWaitsForWaiters: false, ...(o.fix ?? {}) },
    all: [],
    instances: [],
    invocations: new Map(),
    serial: 0,
    listObj: ex.newObject('netstack list', 'field'),
    allocObj: ex.newObject('netstack allocations', 'ghost'),
  };
  trackHead(ex, g);
  // Ghost: the monitor reads every instance, in no order; which thread
  // appended first is not model state (the access guard ignores it).
  opaqueToGuard(g.instances);
  for (let m = 0; m < o.nsMax; m++) g.reg.push(new TrackedRegistry(ex, ex.newObject(`ns_reg[${m}]`, 'field')));
  g.initialized = true; // L144
  return g;
}

/**
 * The kmem_zalloc of a netstack_t (L346) together with what mutex_init,
 * cv_init (L372-373, L399) create. All fields are zero; the block is not on
 * the list yet.
 */
export function allocNetstack(ex: Execution, g: NetstackGlobals): Netstack {
  // The ghost name follows allocation order: allocations are ordered.
  ex.touch(g.allocObj, true);
  const name = `ns${g.serial++}`;
  const mem = new KMem(ex, name);
  const cov = MachineCoverage.of(ex.options.run);
  const { lifecycle, nms } = netstackMachines();
  const lock = new KMutex(ex, `${name}->netstack_lock`, { cls: 'netstack_lock', mem });
  const ns = new TrackedNetstack(ex, g.listObj, name, mem, lock, new KCondvar(ex, `${name}->netstack_cv`), new MachineRef(lifecycle, name, cov));
  for (let m = 0; m < g.nsMax; m++) {
    ns.modules.push(null);
    ns.mstate.push(
      new TrackedNmState(
        ex,
        ex.newObject(`${name}->nms[${m}].nms_flags`, 'field'),
        new KCondvar(ex, `${name}->nms[${m}].nms_cv`),
        new MachineRef(nms, `${name}.nm_state[${m}]`, cov),
        ex.newObject(`${name}.callbacks[${m}]`, 'ghost'),
      ),
    );
  }
  g.all.push(ns);
  // list-live reads whether listed stacks are freed.
  ex.watch(mem.id, 'list-live', true);
  return ns;
}

/**
 * Setup only: a stack in the state netstack_zone_create (L324-422) leaves
 * it in when it ran to completion before the scenario started, with every
 * registered module created (through the observer, so the callback history
 * is complete).
 */
export function bootStack(ex: Execution, g: NetstackGlobals, zoneid: number, excl: boolean): Netstack {
  const ns = allocNetstack(ex, g);
  ns.stackid = excl ? zoneid : GLOBAL_NETSTACKID;
  ns.numzones = 1;
  ns.refcnt = 1;
  ns.zones.push(zoneid);
  // Link at the tail (L350-351, L378).
  let p = g.head;
  if (!p) g.head = ns;
  else {
    while (p.next) p = p.next;
    p.next = ns;
  }
  ns.machine.send('ZONE_CREATE_BEGIN');
  for (let m = 0; m < g.nsMax; m++) if (g.reg[m]!.flags === NRF_REGISTERED) bootInstance(ex, g, ns, m);
  ns.machine.send('CREATE_DONE');
  return ns;
}

/** Setup only: module m created on ns (the effect of L703-727 with no contention). */
function bootInstance(ex: Execution, g: NetstackGlobals, ns: Netstack, m: number): void {
  const r = g.reg[m]!;
  nmsUpdate(ex, g, ns, m, 0, NSS_CREATE_NEEDED, 'MARK_CREATE');
  nmsUpdate(ex, g, ns, m, NSS_CREATE_NEEDED, NSS_CREATE_INPROGRESS, 'CLAIM_CREATE');
  g.obs.callback(ex, g, ns, m, 'create', 'start', r.epoch, 'setup');
  const inst: ModuleInstance = { m, epoch: r.epoch, ns, shutdown: false, destroyed: false };
  g.instances.push(inst);
  g.obs.callback(ex, g, ns, m, 'create', 'end', r.epoch, 'setup');
  ns.modules[m] = inst;
  nmsUpdate(ex, g, ns, m, NSS_CREATE_INPROGRESS, NSS_CREATE_COMPLETED, 'COMPLETE_CREATE');
}

/**
 * Setup only: ns_reg[m] as netstack_register (L181-187) leaves it, and
 * module m created on every stack already on the list.
 */
export function bootRegister(ex: Execution, g: NetstackGlobals, m: number, create: CreateFn, shutdown: FiniFn | null, destroy: FiniFn | null): void {
  const r = g.reg[m]!;
  r.create = create;
  r.shutdown = shutdown;
  r.destroy = destroy;
  r.flags = NRF_REGISTERED;
  r.epoch++;
  for (let ns = g.head; ns; ns = ns.next) bootInstance(ex, g, ns, m);
}
