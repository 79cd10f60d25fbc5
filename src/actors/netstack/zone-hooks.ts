/**
 * The ZSD callbacks of the netstack key (netstack.c L321-522):
 * netstack_zone_create, netstack_zone_shutdown, netstack_zone_destroy. The
 * zones framework (zone-subsystem.ts) calls them in order, once each, per
 * zone. netstack_stack_inactive, which the reap runs once the last
 * reference is gone, is in refs.ts next to netstack_reap.
 */
import type { KThread } from '../../core/effect.ts';
import { kassert } from '../../core/errors.ts';
import type { Execution } from '../../core/execution.ts';
import { cvBroadcast } from '../../locks/kcondvar.ts';
import { kmemFree, memAccess } from '../../locks/kmem.ts';
import { mutexEnter, mutexExit } from '../../locks/kmutex.ts';
import { applyAllModules, applyAllModulesReverse, applyInvocation, netstackApplyCreate, netstackApplyShutdown } from './apply.ts';
import { allocNetstack } from './init.ts';
import { nmsUpdate } from './nmstate.ts';
import { netstackRele } from './refs.ts';
import { netstackSharedZoneAdd, netstackSharedZoneRemove } from './shared.ts';
import {
  type Netstack,
  type NetstackGlobals,
  type Zone,
  GLOBAL_NETSTACKID,
  NRF_REGISTERED,
  NSF_CLOSING,
  NSF_UNINIT,
  NSF_ZONE_CREATE,
  NSF_ZONE_INPROGRESS,
  NSF_ZONE_SHUTDOWN,
  NSS_CREATE_ALL,
  NSS_CREATE_COMPLETED,
  NSS_CREATE_NEEDED,
  NSS_SHUTDOWN_ALL,
  NSS_SHUTDOWN_NEEDED,
} from './types.ts';

import { nsBug } from './mutants.ts';

const L = (n: number): string => `netstack.c L${n}`;

/**
 * netstack_zone_create, L324-422 (ZSD create). Entry and exit: no lock
 * held. Allocates before taking netstack_g_lock (L345). A shared-stack zone
 * finds the global stack, bumps numzones and records itself on the shared
 * zone list (L350-368). Otherwise the new stack is linked at the tail while
 * still NSF_UNINIT, NSF_ZONE_CREATE is set so register/unregister wait for
 * this creator, the creates are chosen before netstack_g_lock is dropped
 * (skipping DYING modules: nr_flags must be exactly NRF_REGISTERED, L401),
 * and they run in module id order (L411).
 */
export function* netstackZoneCreate(ex: Execution, g: NetstackGlobals, zone: Zone): KThread<Netstack> {
  kassert(g.initialized, 'netstack_initialized'); // L333
  // L335-336: zone_find_by_id_nolock; the framework hands us the zone.
  const stackid = zone.excl ? zone.id : GLOBAL_NETSTACKID; // L338-343
  let ns = allocNetstack(ex, g); // L346
  let tail: Netstack | null = null;
  let p: Netstack | null = null;
  let pass = '';
  const fr = ex.frame('netstack_zone_create', () => [zone, ns, tail, p, pass]);
  yield* mutexEnter(g.gLock, L(349));
  for (p = g.head; p !== null; p = p.next) {
    tail = p;
    if (p.stackid === stackid) {
      kassert(stackid === GLOBAL_NETSTACKID, 'VERIFY(stackid == GLOBAL_NETSTACKID)'); // L356
      yield* kmemFree(ns.mem, L(357));
      ns.machine.send('FREE_UNUSED');
      ns = p;
      yield* mutexEnter(ns.lock, L(359));
      ns.numzones++; // L360
      ns.machine.send('ZONE_JOIN');
      ns.zones.push(zone.id);
      yield* mutexExit(ns.lock, L(361));
      yield* mutexExit(g.gLock, L(362));
      yield* netstackSharedZoneAdd(ex, g, zone.id); // L366
      zone.netstack = ns; // L367
      return ex.leaving(fr, ns);
    }
  }
  // Not found: L372-379, netstack_g_lock held, stack not yet visible.
  ns.stackid = zone.id; // L374 (zoneid, see analysis C6)
  ns.numzones = 1; // L375
  ns.refcnt = 1; // L376: dropped by netstack_zone_destroy
  ns.flags = NSF_UNINIT; // L377
  ns.zones.push(zone.id);
  if (tail) tail.next = ns;
  else g.head = ns; // L378
  zone.netstack = ns; // L379
  yield* mutexEnter(ns.lock, L(381));
  if (!nsBug(ex, 'ns-no-zone-create-flag')) ns.flags |= NSF_ZONE_CREATE; // L387
  ns.creator = ex.currentThread().id; // ghost
  ns.machine.send('ZONE_CREATE_BEGIN');
  for (let i = 0; i < g.nsMax; i++) {
    const r = g.reg[i]!;
    const regOk = nsBug(ex, 'ns-create-dying-module') ? (r.flags & NRF_REGISTERED) !== 0 : r.flags === NRF_REGISTERED;
    if (regOk && (ns.mstate[i]!.flags & NSS_CREATE_ALL) === 0) {
      nmsUpdate(ex, g, ns, i, 0, NSS_CREATE_NEEDED, 'MARK_CREATE'); // L401-403
    }
  }
  yield* mutexExit(ns.lock, L(408));
  yield* mutexExit(g.gLock, L(409));
  pass = applyInvocation(ex, g, 'zone_create', ns.name); // ghost
  yield* applyAllModules(ex, g, ns, netstackApplyCreate, pass); // L411
  g.obs.invocationDone(ex, g, pass);
  yield* mutexEnter(ns.lock, L(414));
  ns.flags &= ~NSF_UNINIT; // L415
  if (!nsBug(ex, 'ns-no-zone-create-flag')) kassert(ns.flags & NSF_ZONE_CREATE, 'netstack_flags & NSF_ZONE_CREATE'); // L416
  ns.flags &= ~NSF_ZONE_CREATE; // L417
  ns.creator = -1;
  ns.machine.send('CREATE_DONE');
  if (!nsBug(ex, 'ns-no-broadcast-zone-created')) yield* cvBroadcast(ns.cv, L(418));
  yield* mutexExit(ns.lock, L(419));
  return ex.leaving(fr, ns);
}

/**
 * netstack_zone_shutdown, L424-484 (ZSD shutdown). Entry and exit: no lock
 * held. A stack still used by other zones (numzones != 1) is left alone;
 * its modules are shut down by stack_inactive. netstack_lock is dropped
 * and both locks re-taken in order (L441-444) without re-checking
 * numzones. SHUTDOWN_NEEDED is set before the locks are dropped, then the
 * shutdowns run in reverse module order (L476).
 */
export function* netstackZoneShutdown(ex: Execution, g: NetstackGlobals, zoneid: number, ns: Netstack): KThread<void> {
  kassert(ns !== null, 'arg != NULL'); // L431
  let pass = '';
  const fr = ex.frame('netstack_zone_shutdown', () => [zoneid, ns, pass]);
  yield* mutexEnter(ns.lock, L(433));
  kassert(ns.numzones > 0, 'netstack_numzones > 0'); // L434
  if (ns.numzones !== 1 && !nsBug(ex, 'ns-shutdown-shared-stack')) {
    yield* mutexExit(ns.lock, L(437));
    kassert(ns.stackid === GLOBAL_NETSTACKID, 'netstack_stackid == GLOBAL_NETSTACKID'); // L438
    ex.leave(fr);
    return;
  }
  yield* mutexExit(ns.lock, L(441));
  yield* mutexEnter(g.gLock, L(443));
  yield* mutexEnter(ns.lock, L(444));
  kassert(!(ns.flags & NSF_ZONE_INPROGRESS), '!(netstack_flags & NSF_ZONE_INPROGRESS)'); // L450
  ns.flags |= NSF_ZONE_SHUTDOWN; // L451
  ns.machine.send('SHUTDOWN_BEGIN');
  const marked: number[] = []; // ghost
  for (let i = 0; i < g.nsMax; i++) {
    const r = g.reg[i]!;
    const f = ns.mstate[i]!.flags;
    const regOk = r.flags & NRF_REGISTERED;
    if (regOk && r.shutdown !== null && f & NSS_CREATE_COMPLETED && (f & NSS_SHUTDOWN_ALL) === 0) {
      nmsUpdate(ex, g, ns, i, 0, NSS_SHUTDOWN_NEEDED, 'MARK_SHUTDOWN'); // L460-464
      marked.push(i);
    }
  }
  // numzones was checked at L435 and not since: analysis C4.
  g.obs.zoneShutdownMarked(ex, g, ns, marked);
  yield* mutexExit(ns.lock, L(469));
  yield* mutexExit(g.gLock, L(470));
  pass = applyInvocation(ex, g, 'zone_shutdown', ns.name); // ghost
  if (nsBug(ex, 'ns-zone-shutdown-forward-order')) yield* applyAllModules(ex, g, ns, netstackApplyShutdown, pass);
  else yield* applyAllModulesReverse(ex, g, ns, netstackApplyShutdown, pass); // L476
  g.obs.invocationDone(ex, g, pass);
  yield* mutexEnter(ns.lock, L(479));
  kassert(ns.flags & NSF_ZONE_SHUTDOWN, 'netstack_flags & NSF_ZONE_SHUTDOWN'); // L480
  ns.flags &= ~NSF_ZONE_SHUTDOWN; // L481
  ns.machine.send('SHUTDOWN_DONE');
  yield* cvBroadcast(ns.cv, L(482));
  yield* mutexExit(ns.lock, L(483));
  ex.leave(fr);
}

/**
 * netstack_zone_destroy, L491-522 (ZSD destroy). Entry and exit: no lock
 * held. Drops the zone's share of the stack; for the last zone, sets
 * NSF_CLOSING before the zone's reference is released (L513), so the find
 * functions stop handing out references before refcnt can reach 0, then
 * releases it (L521), which dispatches the reap if it was the last one.
 */
export function* netstackZoneDestroy(ex: Execution, g: NetstackGlobals, zoneid: number, ns: Netstack): KThread<void> {
  kassert(ns !== null, 'arg != NULL'); // L497
  const fr = ex.frame('netstack_zone_destroy', () => [zoneid, ns]);
  yield* mutexEnter(ns.lock, L(499));
  kassert(ns.numzones > 0, 'netstack_numzones > 0'); // L500
  ns.numzones--; // L501
  if (ns.numzones !== 0) {
    ns.machine.send('ZONE_LEAVE');
    yield* mutexExit(ns.lock, L(504));
    yield* memAccess(ns.mem, 'r', 'netstack_stackid');
    kassert(ns.stackid === GLOBAL_NETSTACKID, 'netstack_stackid == GLOBAL_NETSTACKID'); // L505
    yield* netstackSharedZoneRemove(ex, g, zoneid); // L507
    ex.leave(fr);
    return;
  }
  const late = nsBug(ex, 'ns-closing-after-rele');
  if (!late) {
    ns.flags |= NSF_CLOSING; // L513
    ns.machine.send('CLOSE');
  }
  yield* mutexExit(ns.lock, L(514));
  if (late) {
    // Mutant: CLOSING is set only after the zone's reference is released.
    yield* netstackRele(ex, g, ns);
    yield* mutexEnter(ns.lock, L(513));
    ns.flags |= NSF_CLOSING;
    ns.machine.send('CLOSE');
    yield* mutexExit(ns.lock, L(514));
    ex.leave(fr);
    return;
  }
  yield* netstackRele(ex, g, ns); // L521
  ex.leave(fr);
}
