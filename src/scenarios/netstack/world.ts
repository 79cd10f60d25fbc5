/**
 * Building blocks of the netstack scenarios: the initial world (netstack_init,
 * the global zone, zones booted before the scenario starts, modules loaded
 * before it starts) and the workload threads (zone lifecycles, module
 * load/unload, lookups).
 *
 * Step granularity (all netstack scenarios): every mutex_enter of
 * netstack_g_lock, a netstack_lock, netstack_shared_lock or zonehash_lock;
 * every cv_wait wake-up; sema_tryp/sema_p; the system_taskq job pick-up;
 * the unlocked call-time read of ns_reg[m] that starts each module callback
 * (L717/L778/L837) and a bare point at each callback's end; the unlocked
 * ASSERT reads of ns_reg in netstack_unregister (L225). State protected by
 * a held lock is read and written inside the step.
 */
import type { KThread } from '../../core/effect.ts';
import type { Execution } from '../../core/execution.ts';
import { bootRegister, netstackInit } from '../../actors/netstack/init.ts';
import { netstackFindByStackid, netstackFindByZoneid, netstackNext, netstackNextFini, netstackNextInit, type NetstackHandle } from '../../actors/netstack/lookup.ts';
import { chainModuleCreate, chainModuleDestroy, moduleCreate, moduleDestroy, moduleShutdown } from '../../actors/netstack/modules.ts';
import { netstackRele } from '../../actors/netstack/refs.ts';
import { netstackRegister, netstackUnregister } from '../../actors/netstack/register.ts';
import { netstackGetZoneid } from '../../actors/netstack/shared.ts';
import type { Netstack, NetstackFixes } from '../../actors/netstack/types.ts';
import type { Zone } from '../../actors/netstack/types.ts';
import { bootZone, zoneCreate, zoneDestroy, zonesInit, zoneShutdown } from '../../actors/netstack/zone-subsystem.ts';
import { NetstackMonitor } from '../../specs/netstack/monitor.ts';
import { netstackEndChecks, netstackInvariants, type NetstackWorld } from '../../specs/netstack/state.ts';

export { netstackEndChecks, netstackInvariants, type NetstackWorld };

/** Parameters that switch on the candidate fixes of the findings. */
export const FIX_PARAMS = { fixInactiveCoversCreates: false, fixShutdownInprogress: false, fixReapWaitsForWaiters: false } as const;

/**
 * Scenario parameters of every netstack scenario: the fixes, and
 * `taskqThreads`, the number of system_taskq workers that run reaps
 * (netstack_rele dispatches netstack_reap there, L1156; the kernel's
 * system_taskq has many workers). `reaps` is how many stacks the scenario
 * can reap: with one, a second worker could only change which idle worker
 * picks the job up, so the default is 1; with two or more the default is 2,
 * so that two reaps can run at the same time as they can in the kernel.
 */
/** What the numeric parameters of the netstack scenarios accept (booleans are the fix switches). */
export const NETSTACK_PARAM_TYPES = {
  taskqThreads: { min: 1, max: 4, description: 'system_taskq worker threads (reaps run on it)' },
  reapSlots: { min: 1, max: 4, description: 'netstack_reap_limiter slots' },
} as const;

export function netstackParams(reaps: number): typeof FIX_PARAMS & { taskqThreads: number } {
  return { ...FIX_PARAMS, taskqThreads: reaps > 1 ? 2 : 1 };
}

function fixes(ex: Execution): Partial<NetstackFixes> {
  const p = ex.options.params;
  return {
    inactiveCoversCreates: p['fixInactiveCoversCreates'] === true,
    shutdownInprogressCreate: p['fixShutdownInprogress'] === true,
    reapWaitsForWaiters: p['fixReapWaitsForWaiters'] === true,
  };
}

export interface WorldSpec {
  /** NS_MAX. */
  modules: number;
  /** Modules loaded before the scenario starts. */
  loaded: number[];
  /** Modules loaded before the scenario starts with the chain module's callbacks (modules.ts, an assumption). */
  chained?: number[];
  /** Zones running before the scenario starts (besides the global zone 0). */
  zones: { id: number; excl: boolean }[];
  reapSlots?: number;
  /** Worker threads of system_taskq (default: the scenario parameter taskqThreads if it has one, else 1). */
  systemTaskqThreads?: number;
  /** Any idle system_taskq worker may take a reap (the taskq's symmetry reduction off, locks/taskq.ts; for cross-checks). */
  systemTaskqAnyWorker?: boolean;
}

/** netstack_init, the global zone, pre-booted zones and pre-loaded modules. */
export function buildWorld(ex: Execution, spec: WorldSpec): NetstackWorld {
  const reapSlots = spec.reapSlots ?? 1024;
  const workers = spec.systemTaskqThreads ?? (ex.options.params['taskqThreads'] as number | undefined) ?? 1;
  const g = netstackInit(ex, { nsMax: spec.modules, outstandingReaps: reapSlots, obs: new NetstackMonitor(), fix: fixes(ex), systemTaskqThreads: workers, systemTaskqAnyWorker: spec.systemTaskqAnyWorker === true });
  const z = zonesInit(ex);
  bootZone(ex, g, z, 0, true);
  for (const m of spec.loaded) bootRegister(ex, g, m, moduleCreate, moduleShutdown, moduleDestroy);
  for (const m of spec.chained ?? []) bootRegister(ex, g, m, chainModuleCreate, null, chainModuleDestroy);
  for (const zs of spec.zones) bootZone(ex, g, z, zs.id, zs.excl);
  return { g, z, reapSlots };
}

/** A zone's lifecycle: create (unless it already runs), then optionally shutdown and destroy. */
export function* zoneLife(ex: Execution, w: NetstackWorld, id: number, excl: boolean, upto: 'create' | 'shutdown' | 'destroy', from: 'new' | 'running' = 'new'): KThread<void> {
  let zone: Zone | null = null;
  const fr = ex.frame('zone_life', () => [id, upto, zone]);
  zone = from === 'new' ? yield* zoneCreate(ex, w.g, w.z, id, excl) : w.z.byId.get(id)!;
  if (upto === 'create') return ex.leave(fr);
  yield* zoneShutdown(ex, w.g, w.z, zone);
  if (upto === 'shutdown') return ex.leave(fr);
  yield* zoneDestroy(ex, w.g, w.z, zone);
  ex.leave(fr);
}

/** modload: netstack_register(m) with the model module's callbacks. */
export function* loadModule(ex: Execution, w: NetstackWorld, m: number): KThread<void> {
  const fr = ex.frame('modload', () => [m]);
  yield* netstackRegister(ex, w.g, m, moduleCreate, moduleShutdown, moduleDestroy);
  ex.leave(fr);
}

/** modunload: netstack_unregister(m). */
export function* unloadModule(ex: Execution, w: NetstackWorld, m: number): KThread<void> {
  const fr = ex.frame('modunload', () => [m]);
  yield* netstackUnregister(ex, w.g, m);
  ex.leave(fr);
}

/** A consumer: find a zone's stack by zone id, use it, release it. */
export function* findByZoneid(ex: Execution, w: NetstackWorld, zoneid: number): KThread<void> {
  let ns: Netstack | null = null;
  const fr = ex.frame('find_by_zoneid', () => [zoneid, ns]);
  ns = yield* netstackFindByZoneid(ex, w.g, w.z, zoneid);
  if (ns) {
    yield* netstackGetZoneid(ex, w.g, ns);
    yield* netstackRele(ex, w.g, ns);
  }
  ex.leave(fr);
}

/** A consumer: find a stack by stack id, use it, release it. */
export function* findByStackid(ex: Execution, w: NetstackWorld, stackid: number): KThread<void> {
  let ns: Netstack | null = null;
  const fr = ex.frame('find_by_stackid', () => [stackid, ns]);
  ns = yield* netstackFindByStackid(ex, w.g, stackid);
  if (ns) {
    yield* netstackGetZoneid(ex, w.g, ns);
    yield* netstackRele(ex, w.g, ns);
  }
  ex.leave(fr);
}

/** The netstack_next walker of the L1396-1408 usage comment. */
export function* walkStacks(ex: Execution, w: NetstackWorld): KThread<void> {
  const h: NetstackHandle = { pos: 0 };
  let ns: Netstack | null = null;
  const fr = ex.frame('walk_stacks', () => [h, ns]);
  netstackNextInit(h);
  for (;;) {
    ns = yield* netstackNext(ex, w.g, h);
    if (!ns) break;
    yield* netstackGetZoneid(ex, w.g, ns);
    yield* netstackRele(ex, w.g, ns);
  }
  netstackNextFini(h);
  ex.leave(fr);
}
