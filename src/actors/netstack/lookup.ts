/**
 * Lookups that hand out references (netstack.c L920-1059, L1396-1456):
 * netstack_get_current, netstack_find_by_cred, netstack_find_by_zoneid,
 * netstack_find_by_zoneid_nolock, netstack_find_by_stackid,
 * netstack_inuse_by_stackid and the netstack_next walker. None returns a
 * stack that is uninitialized or closing; the caller releases what it gets
 * with netstack_rele.
 */
import type { KThread } from '../../core/effect.ts';
import { kassert } from '../../core/errors.ts';
import type { Execution } from '../../core/execution.ts';
import { memAccess } from '../../locks/kmem.ts';
import { mutexEnter, mutexExit } from '../../locks/kmutex.ts';
import { netstackHoldIfActive, netstackHoldLocked } from './refs.ts';
import { type Netstack, type NetstackGlobals, GLOBAL_ZONEID, NSF_CLOSING, NSF_UNINIT } from './types.ts';
import type { Zone, Zones } from './types.ts';
import { zoneFindById, zoneFindByIdNolock, zoneRele } from './zone-subsystem.ts';
import { nsBug } from './mutants.ts';

const L = (n: number): string => `netstack.c L${n}`;

/**
 * netstack_get_current, L925-933: the stack of the calling thread's zone
 * (curproc->p_zone, passed in). Must not be called after zone_destroy has
 * started (L920-924): the model's callers run in a zone that is alive.
 */
export function* netstackGetCurrent(ex: Execution, g: NetstackGlobals, curzone: Zone): KThread<Netstack | null> {
  const fr = ex.frame('netstack_get_current', () => [curzone]);
  const ns = curzone.netstack; // L930
  kassert(ns !== null, 'ns != NULL'); // L931
  return ex.leaving(fr, yield* netstackHoldIfActive(ex, g, ns, 'netstack_get_current')); // L932
}

/** netstack_find_by_cred, L940-954: a cred's zone (-1 means global). */
export function* netstackFindByCred(ex: Execution, g: NetstackGlobals, z: Zones, crZoneid: number, curzone: Zone): KThread<Netstack | null> {
  const fr = ex.frame('netstack_find_by_cred', () => [crZoneid, curzone]);
  const zoneid = crZoneid === -1 ? GLOBAL_ZONEID : crZoneid; // L943-947
  if (curzone.id === zoneid) return ex.leaving(fr, yield* netstackGetCurrent(ex, g, curzone)); // L950-951
  return ex.leaving(fr, yield* netstackFindByZoneid(ex, g, z, zoneid)); // L953
}

/**
 * netstack_find_by_zoneid, L966-982. The zone hold from zone_find_by_id
 * keeps the zone, and so its stack, from being destroyed while
 * netstack_hold_if_active looks at it.
 */
export function* netstackFindByZoneid(ex: Execution, g: NetstackGlobals, z: Zones, zoneid: number): KThread<Netstack | null> {
  let zone: Zone | null = null;
  let ns: Netstack | null = null;
  const fr = ex.frame('netstack_find_by_zoneid', () => [zoneid, zone, ns]);
  zone = yield* zoneFindById(ex, z, zoneid); // L972
  if (zone === null) return ex.leaving(fr, null); // L974-975
  kassert(zone.netstack !== null, 'zone->zone_netstack != NULL'); // L977
  ns = yield* netstackHoldIfActive(ex, g, zone.netstack, 'netstack_find_by_zoneid'); // L978
  yield* zoneRele(ex, z, zone); // L980
  return ex.leaving(fr, ns);
}

/**
 * netstack_find_by_zoneid_nolock, L997-1010: only from a create callback
 * (L985-987); no zone hold (L1008). Skips stacks still being created.
 */
export function* netstackFindByZoneidNolock(ex: Execution, g: NetstackGlobals, z: Zones, zoneid: number): KThread<Netstack | null> {
  const fr = ex.frame('netstack_find_by_zoneid_nolock', () => [zoneid]);
  const zone = zoneFindByIdNolock(z, zoneid); // L1002
  if (zone === null) return ex.leaving(fr, null); // L1004-1005
  kassert(zone.netstack !== null, 'zone->zone_netstack != NULL'); // L1007
  return ex.leaving(fr, yield* netstackHoldIfActive(ex, g, zone.netstack, 'netstack_find_by_zoneid_nolock')); // L1009
}

/**
 * netstack_find_by_stackid, L1019-1039. Entry and exit: no lock held.
 * Walks the list under netstack_g_lock (never dropped, no restart) and holds
 * the first active stack with that id, checking the flags itself under
 * netstack_lock (L1026-1029).
 */
export function* netstackFindByStackid(ex: Execution, g: NetstackGlobals, stackid: number): KThread<Netstack | null> {
  let ns: Netstack | null = null;
  const fr = ex.frame('netstack_find_by_stackid', () => [stackid, ns]);
  yield* mutexEnter(g.gLock, L(1024));
  for (ns = g.head; ns !== null; ns = ns.next) {
    yield* mutexEnter(ns.lock, L(1027));
    const mask = nsBug(ex, 'ns-find-stackid-no-closing') ? NSF_UNINIT : NSF_UNINIT | NSF_CLOSING;
    if (ns.stackid === stackid && !(ns.flags & mask)) {
      netstackHoldLocked(ex, g, ns); // L1030
      g.obs.lookup(ex, g, ns, 'netstack_find_by_stackid');
      yield* mutexExit(ns.lock, L(1031));
      yield* mutexExit(g.gLock, L(1032));
      return ex.leaving(fr, ns);
    }
    yield* mutexExit(ns.lock, L(1035));
  }
  yield* mutexExit(g.gLock, L(1037));
  return ex.leaving(fr, null);
}

/**
 * netstack_inuse_by_stackid, L1041-1059: is any stack on the list (closing
 * or not) using this id? netstack_g_lock only; stackid is immutable.
 */
export function* netstackInuseByStackid(ex: Execution, g: NetstackGlobals, stackid: number): KThread<boolean> {
  let rval = false;
  let ns: Netstack | null = null;
  const fr = ex.frame('netstack_inuse_by_stackid', () => [stackid, rval, ns]);
  yield* mutexEnter(g.gLock, L(1047));
  for (ns = g.head; ns !== null; ns = ns.next) {
    yield* memAccess(ns.mem, 'r', 'netstack_stackid', false, L(1050));
    if (ns.stackid === stackid) {
      rval = true;
      break;
    }
  }
  yield* mutexExit(g.gLock, L(1056));
  return ex.leaving(fr, rval);
}

/** netstack_handle_t: a list position, caller-local. */
export interface NetstackHandle {
  pos: number;
}

/** netstack_next_init, L1409-1413. */
export function netstackNextInit(h: NetstackHandle): void {
  h.pos = 0; // L1412
}

/** netstack_next_fini, L1415-1419: nothing to release. */
export function netstackNextFini(_h: NetstackHandle): void {}

/**
 * netstack_next, L1421-1456. Entry and exit: no lock held. Skips *handle
 * list positions (counting closing and uninitialized stacks too), then
 * holds the next active stack. The cursor is an index, so a stack unlinked
 * before the cursor between calls makes the walker skip one stack.
 */
export function* netstackNext(ex: Execution, g: NetstackGlobals, h: NetstackHandle): KThread<Netstack | null> {
  let end = h.pos; // L1427
  let ns: Netstack | null = null;
  const fr = ex.frame('netstack_next', () => [h, end, ns]);
  yield* mutexEnter(g.gLock, L(1431));
  ns = g.head; // L1432
  for (let i = 0; i < end; i++) {
    if (ns === null) break; // L1434-1435
    ns = ns.next; // L1436
  }
  while (ns !== null) {
    yield* mutexEnter(ns.lock, L(1443));
    const mask = nsBug(ex, 'ns-next-no-closing') ? NSF_UNINIT : NSF_UNINIT | NSF_CLOSING;
    if ((ns.flags & mask) === 0) {
      h.pos = end + 1; // L1445
      netstackHoldLocked(ex, g, ns); // L1446
      g.obs.lookup(ex, g, ns, 'netstack_next');
      yield* mutexExit(ns.lock, L(1447));
      break;
    }
    yield* mutexExit(ns.lock, L(1450));
    end++; // L1451
    ns = ns.next; // L1452
  }
  yield* mutexExit(g.gLock, L(1454));
  return ex.leaving(fr, ns);
}
