/**
 * References and the reap (netstack.c L528-596, L1062-1198): netstack_reap
 * and the netstack_stack_inactive it runs, netstack_rele, netstack_hold_locked, netstack_hold_if_active,
 * netstack_hold.
 *
 * refcnt is protected by netstack_lock. The zone holds one reference
 * (L376) until netstack_zone_destroy; the release that brings refcnt and
 * numzones to 0 dispatches netstack_reap on system_taskq, throttled by
 * netstack_reap_limiter.
 */
import type { KThread } from '../../core/effect.ts';
import { kassert } from '../../core/errors.ts';
import type { Execution } from '../../core/execution.ts';
import { kmemFree, memAccess } from '../../locks/kmem.ts';
import { cvBroadcast, cvWait } from '../../locks/kcondvar.ts';
import { MUTEX_HELD, mutexEnter, mutexExit } from '../../locks/kmutex.ts';
import { semaP, semaTryP, semaV } from '../../locks/ksema.ts';
import { taskqDispatch } from '../../locks/taskq.ts';
import {
  type Netstack,
  type NetstackGlobals,
  NRF_REGISTERED,
  NSF_CLOSING,
  NSF_UNINIT,
  NSF_ZONE_DESTROY,
  NSF_ZONE_INPROGRESS,
  NSS_CREATE_COMPLETED,
  NSS_CREATE_INPROGRESS,
  NSS_CREATE_NEEDED,
  NSS_DESTROY_ALL,
  NSS_DESTROY_NEEDED,
  NSS_SHUTDOWN_ALL,
  NSS_SHUTDOWN_NEEDED,
} from './types.ts';
import { applyAllModules, applyAllModulesReverse, applyInvocation, netstackApplyDestroy, netstackApplyShutdown } from './apply.ts';
import { nmsUpdate } from './nmstate.ts';
import { nsBug } from './mutants.ts';

const L = (n: number): string => `netstack.c L${n}`;

/**
 * netstack_reap, L1062-1110 (a system_taskq job). Entry and exit: no lock
 * held. Runs the remaining shutdowns and destroys (stack_inactive), unlinks
 * the stack under netstack_g_lock, destroys its locks and cvs and frees it;
 * then lets another reap be scheduled (sema_v, L1109).
 */
export function* netstackReap(ex: Execution, g: NetstackGlobals, ns: Netstack): KThread<void> {
  const fr = ex.frame('netstack_reap', () => [ns]);
  yield* netstackStackInactive(ex, g, ns); // L1073
  yield* memAccess(ns.mem, 'r', 'netstack_refcnt, netstack_numzones');
  kassert(ns.refcnt === 0, 'netstack_refcnt == 0'); // L1076
  kassert(ns.numzones === 0, 'netstack_numzones == 0'); // L1077
  yield* mutexEnter(g.gLock, L(1080));
  let found = false;
  let prev: Netstack | null = null;
  for (let p = g.head; p !== null; prev = p, p = p.next) {
    if (p === ns) {
      if (prev) prev.next = ns.next;
      else g.head = ns.next; // L1085
      ns.next = null; // L1086
      found = true;
      break;
    }
  }
  kassert(found, 'found'); // L1091
  ns.machine.send('UNLINK');
  yield* mutexExit(g.gLock, L(1092));
  if (g.fix.reapWaitsForWaiters) {
    // Candidate fix NS-3: nobody can find the stack any more, but threads
    // that slept on its cvs in the wait helpers still hold the raw pointer;
    // wait until each has re-taken netstack_lock and moved on.
    yield* mutexEnter(ns.lock);
    while (ns.waiters > 0) yield* cvWait(ns.cv, ns.lock);
    yield* mutexExit(ns.lock);
  }
  // L1094-1107: no lock held; nobody can find the stack any more.
  yield* memAccess(ns.mem, 'r', 'netstack_refcnt, netstack_numzones, netstack_flags');
  kassert(ns.refcnt === 0, 'netstack_refcnt == 0'); // L1095
  kassert(ns.numzones === 0, 'netstack_numzones == 0'); // L1096
  kassert(ns.flags & NSF_CLOSING, 'netstack_flags & NSF_CLOSING'); // L1098
  for (let i = 0; i < g.nsMax; i++) kassert(ns.mstate[i]!.cv.waiters === 0, `cv_destroy(&${ns.name}->nms[${i}].nms_cv) without waiters`); // L1100-1104
  kassert(ns.lock.owner === null, `mutex_destroy(&${ns.name}->netstack_lock) unowned`); // L1105
  kassert(ns.cv.waiters === 0, `cv_destroy(&${ns.name}->netstack_cv) without waiters`); // L1106
  yield* kmemFree(ns.mem, L(1107));
  ns.machine.send('FREE');
  if (!nsBug(ex, 'ns-reap-no-sema-v')) yield* semaV(g.reapLimiter, L(1109));
  ex.leave(fr);
}

/**
 * netstack_stack_inactive, L528-596, called by netstack_reap with refcnt
 * and numzones both 0. Entry and exit: no lock held. With both locks held,
 * marks SHUTDOWN_NEEDED (for stacks that never got a zone_shutdown, e.g.
 * shared stacks) and DESTROY_NEEDED on every created module (L551-571),
 * then runs all shutdowns and then all destroys in reverse module order
 * (L587-588), because of inter-module dependencies (L575-586).
 */
export function* netstackStackInactive(ex: Execution, g: NetstackGlobals, ns: Netstack): KThread<void> {
  let pass = '';
  const fr = ex.frame('netstack_stack_inactive', () => [ns, pass]);
  yield* mutexEnter(g.gLock, L(533));
  yield* mutexEnter(ns.lock, L(534));
  kassert(!(ns.flags & NSF_ZONE_INPROGRESS), '!(netstack_flags & NSF_ZONE_INPROGRESS)'); // L540
  ns.flags |= NSF_ZONE_DESTROY; // L541
  ns.machine.send('DESTROY_BEGIN');
  for (let i = 0; i < g.nsMax; i++) {
    const r = g.reg[i]!;
    const regOk = r.flags & NRF_REGISTERED;
    let f = ns.mstate[i]!.flags;
    let created = f & NSS_CREATE_COMPLETED;
    if (g.fix.inactiveCoversCreates) {
      // Candidate fix NS-1: as unregister at L260-265, cancel a create that
      // has not started and count one in progress as created.
      if (f & NSS_CREATE_NEEDED) nmsUpdate(ex, g, ns, i, NSS_CREATE_NEEDED, 0, 'CANCEL_CREATE');
      f = ns.mstate[i]!.flags;
      created = f & (NSS_CREATE_INPROGRESS | NSS_CREATE_COMPLETED);
    }
    if (!nsBug(ex, 'ns-inactive-no-shutdown-mark') && regOk && r.shutdown !== null && created && (f & NSS_SHUTDOWN_ALL) === 0) {
      nmsUpdate(ex, g, ns, i, 0, NSS_SHUTDOWN_NEEDED, 'MARK_SHUTDOWN'); // L554-558
    }
    f = ns.mstate[i]!.flags;
    if (regOk && r.destroy !== null && created && (f & NSS_DESTROY_ALL) === 0) {
      nmsUpdate(ex, g, ns, i, 0, NSS_DESTROY_NEEDED, 'MARK_DESTROY'); // L563-567
    }
  }
  yield* mutexExit(ns.lock, L(572));
  yield* mutexExit(g.gLock, L(573));
  pass = applyInvocation(ex, g, 'stack_inactive', ns.name); // ghost: one invocation, both walks
  if (nsBug(ex, 'ns-inactive-destroy-first')) {
    yield* applyAllModulesReverse(ex, g, ns, netstackApplyDestroy, pass);
    yield* applyAllModulesReverse(ex, g, ns, netstackApplyShutdown, pass);
  } else if (nsBug(ex, 'ns-inactive-forward-order')) {
    yield* applyAllModules(ex, g, ns, netstackApplyShutdown, pass);
    yield* applyAllModules(ex, g, ns, netstackApplyDestroy, pass);
  } else {
    yield* applyAllModulesReverse(ex, g, ns, netstackApplyShutdown, pass); // L587
    yield* applyAllModulesReverse(ex, g, ns, netstackApplyDestroy, pass); // L588
  }
  g.obs.invocationDone(ex, g, pass);
  yield* mutexEnter(ns.lock, L(591));
  kassert(ns.flags & NSF_ZONE_DESTROY, 'netstack_flags & NSF_ZONE_DESTROY'); // L592
  ns.flags &= ~NSF_ZONE_DESTROY; // L593
  ns.tornDown = true; // ghost
  ns.machine.send('DESTROY_DONE');
  yield* cvBroadcast(ns.cv, L(594));
  yield* mutexExit(ns.lock, L(595));
  ex.leave(fr);
}

/**
 * netstack_rele, L1112-1159. Entry and exit: no lock held. refcnt and
 * numzones are copied while netstack_lock is held (L1126-1127): once it is
 * dropped another release may free the stack, so it is not touched again
 * unless this was the last reference (L1120-1125). The last release waits
 * for a reap slot (sema_tryp, then sema_p, L1143-1149) and dispatches the
 * reap (L1156).
 */
export function* netstackRele(ex: Execution, g: NetstackGlobals, ns: Netstack): KThread<void> {
  let refcnt = -1;
  let numzones = -1;
  const fr = ex.frame('netstack_rele', () => [ns, refcnt, numzones]);
  yield* mutexEnter(ns.lock, L(1117));
  kassert(ns.refcnt > 0, 'netstack_refcnt > 0'); // L1118
  ns.refcnt--; // L1119
  refcnt = ns.refcnt; // L1126
  numzones = ns.numzones; // L1127
  if (refcnt === 0 && numzones === 0) ns.lastReleased = true; // ghost
  yield* mutexExit(ns.lock, L(1129));
  if (nsBug(ex, 'ns-rele-reread')) {
    // Mutant: re-read the counts after netstack_lock was dropped.
    yield* memAccess(ns.mem, 'r', 'netstack_refcnt, netstack_numzones', true, L(1126));
    refcnt = ns.refcnt;
    numzones = ns.numzones;
  }
  if (refcnt === 0 && numzones === 0) {
    // L1131
    const got = yield* semaTryP(g.reapLimiter, L(1143));
    if (!got) yield* semaP(g.reapLimiter, L(1149));
    ns.reaps++; // ghost
    g.obs.reapDispatched(ex, g, ns);
    yield* taskqDispatch(g.systemTaskq, `netstack_reap(${ns.name})`, () => netstackReap(ex, g, ns), 'TQ_SLEEP', L(1156));
  }
  ex.leave(fr);
}

/** netstack_hold_locked, L1161-1168. Entry and exit: netstack_lock held. */
export function netstackHoldLocked(ex: Execution, g: NetstackGlobals, ns: Netstack): void {
  kassert(MUTEX_HELD(ex, ns.lock), 'MUTEX_HELD(&ns->netstack_lock)'); // L1164
  g.obs.hold(ex, g, ns);
  ns.refcnt++; // L1165
  kassert(ns.refcnt > 0, 'netstack_refcnt > 0'); // L1166
}

/**
 * netstack_hold_if_active, L1175-1190. Entry and exit: no lock held; the
 * caller guarantees ns is not freed. Returns ns held, or null if it is
 * still being created or already closing (L1181).
 */
export function* netstackHoldIfActive(ex: Execution, g: NetstackGlobals, ns: Netstack, fn = 'netstack_hold_if_active'): KThread<Netstack | null> {
  let retval: Netstack | null = null;
  const fr = ex.frame('netstack_hold_if_active', () => [ns, fn]);
  yield* mutexEnter(ns.lock, L(1180));
  const mask = nsBug(ex, 'ns-hold-if-active-closing-only') ? NSF_CLOSING : NSF_UNINIT | NSF_CLOSING;
  if (ns.flags & mask) {
    retval = null; // L1182
  } else {
    netstackHoldLocked(ex, g, ns); // L1184
    g.obs.lookup(ex, g, ns, fn);
    retval = ns;
  }
  yield* mutexExit(ns.lock, L(1187));
  return ex.leaving(fr, retval);
}

/** netstack_hold, L1192-1198. Entry and exit: no lock held; the caller already holds a reference. */
export function* netstackHold(ex: Execution, g: NetstackGlobals, ns: Netstack): KThread<void> {
  const fr = ex.frame('netstack_hold', () => [ns]);
  yield* mutexEnter(ns.lock, L(1195));
  netstackHoldLocked(ex, g, ns); // L1196
  yield* mutexExit(ns.lock, L(1197));
  ex.leave(fr);
}
