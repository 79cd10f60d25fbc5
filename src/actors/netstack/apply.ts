/**
 * The apply machinery: apply_all_netstacks, apply_all_modules(_reverse),
 * netstack_apply_create/shutdown/destroy, wait_for_zone_creator and
 * wait_for_nms_inprogress (netstack.c L598-918).
 *
 * The applyfns are entered with netstack_g_lock held (never NULL in this
 * file: every caller passes &netstack_g_lock) and return with it held; they
 * drop it around every callback and while waiting, and return TRUE if they
 * dropped it, so that apply_all_netstacks restarts at the head of the list.
 * None of them holds a reference on the stack: the raw ns pointer is used
 * again after the locks were dropped (L722-723, L782-783, L841-842,
 * L884-885, L913-914).
 */
import type { KThread } from '../../core/effect.ts';
import { kassert } from '../../core/errors.ts';
import type { Execution } from '../../core/execution.ts';
import { access } from '../../core/ops.ts';
import { cvBroadcast, cvWait } from '../../locks/kcondvar.ts';
import { memAccess } from '../../locks/kmem.ts';
import { MUTEX_HELD, mutexEnter, mutexExit } from '../../locks/kmutex.ts';
import { nmsUpdate } from './nmstate.ts';
import {
  type CbKind,
  type ModuleInstance,
  type Netstack,
  type NetstackGlobals,
  NSF_ZONE_CREATE,
  NSS_ALL_INPROGRESS,
  NSS_CREATE_COMPLETED,
  NSS_CREATE_INPROGRESS,
  NSS_CREATE_NEEDED,
  NSS_DESTROY_COMPLETED,
  NSS_DESTROY_INPROGRESS,
  NSS_DESTROY_NEEDED,
  NSS_SHUTDOWN_COMPLETED,
  NSS_SHUTDOWN_INPROGRESS,
  NSS_SHUTDOWN_NEEDED,
} from './types.ts';
import { nsBug } from './mutants.ts';

const L = (n: number): string => `netstack.c L${n}`;

/** applyfn_t (L114): (lockp = &netstack_g_lock, ns, moduleid) -> lock dropped. */
export type ApplyFn = (ex: Execution, g: NetstackGlobals, ns: Netstack, m: number, pass: string) => KThread<boolean>;

/**
 * Ghost: the callers of the apply_all_* walks. Each invocation of a caller
 * names itself once (applyInvocation) and hands the name to its walks, which
 * hand it to the callbacks they run, so that the order specs can check the
 * callbacks of one invocation against what netstack.c intends for that
 * caller (src/specs/netstack/monitor.ts, INTENDED_ORDER).
 */
export type ApplyCaller = 'zone_create' | 'zone_shutdown' | 'stack_inactive' | 'register' | 'unregister';

/**
 * Ghost: the name of one invocation of `caller` on `subject` (a stack name,
 * or a module id for register/unregister): the thread and how many
 * invocations it named before. The count is kept in g (state the state
 * walk sees), so two interleavings that reach the same state name the
 * next invocation alike, and state caching can merge them.
 */
export function applyInvocation(ex: Execution, g: NetstackGlobals, caller: ApplyCaller, subject: string | number): string {
  const tid = ex.currentThread().id;
  const n = g.invocations.get(tid) ?? 0;
  g.invocations.set(tid, n + 1);
  return `${caller}|${subject}|${tid}.${n}`;
}

/**
 * apply_all_netstacks, L618-637. Entry and exit: no lock held. Takes
 * netstack_g_lock and walks the list; whenever wait_for_zone_creator or the
 * applyfn dropped the lock, the list may have changed arbitrarily, so the
 * walk restarts at the head (L607-611) instead of following netstack_next.
 * It terminates because each visit either consumes a NEEDED bit or waits
 * for an INPROGRESS one to clear (L613-616). `pass` (ghost) names the
 * caller's invocation (applyInvocation).
 */
export function* applyAllNetstacks(ex: Execution, g: NetstackGlobals, m: number, applyfn: ApplyFn, kind: CbKind, pass: string): KThread<void> {
  let ns: Netstack | null = null;
  const fr = ex.frame('apply_all_netstacks', () => [m, applyfn, kind, pass, ns]);
  yield* mutexEnter(g.gLock, L(623));
  ns = g.head; // L624
  while (ns !== null) {
    if (!nsBug(ex, 'ns-no-wait-creator') && (yield* waitForZoneCreator(ex, g, ns))) {
      // L626-628: lock dropped, restart at head.
      if (nsBug(ex, 'ns-no-restart-after-wait')) {
        yield* memAccess(ns.mem, 'r', 'netstack_next');
        ns = ns.next;
      } else ns = g.head;
    } else if (yield* applyfn(ex, g, ns, m, pass)) {
      // L629-631: lock dropped, restart at head.
      if (nsBug(ex, 'ns-follow-next-after-apply')) {
        yield* memAccess(ns.mem, 'r', 'netstack_next');
        ns = ns.next;
      } else ns = g.head;
    } else {
      ns = ns.next; // L633
    }
  }
  g.obs.applyAllDone(ex, g, m, kind);
  yield* mutexExit(g.gLock, L(636));
  ex.leave(fr);
}

/**
 * apply_all_modules, L645-659. Entry and exit: no lock held. Calls applyfn
 * for every module id in increasing order with netstack_g_lock held; whether
 * the lock was dropped does not matter since the list is not walked
 * (L652-655). The caller keeps ns alive (it owns the stack's lifecycle).
 */
export function* applyAllModules(ex: Execution, g: NetstackGlobals, ns: Netstack, applyfn: ApplyFn, pass: string): KThread<void> {
  let i = 0;
  const fr = ex.frame('apply_all_modules', () => [ns, applyfn, pass, i]);
  yield* mutexEnter(g.gLock, L(650));
  for (i = 0; i < g.nsMax; i++) yield* applyfn(ex, g, ns, i, pass); // L651-657
  yield* mutexExit(g.gLock, L(658));
  ex.leave(fr);
}

/** apply_all_modules_reverse, L662-676: as apply_all_modules, in decreasing module id. */
export function* applyAllModulesReverse(ex: Execution, g: NetstackGlobals, ns: Netstack, applyfn: ApplyFn, pass: string): KThread<void> {
  let i = g.nsMax - 1;
  const fr = ex.frame('apply_all_modules_reverse', () => [ns, applyfn, pass, i]);
  yield* mutexEnter(g.gLock, L(667));
  for (i = g.nsMax - 1; i >= 0; i--) yield* applyfn(ex, g, ns, i, pass); // L668-674
  yield* mutexExit(g.gLock, L(675));
  ex.leave(fr);
}

/**
 * netstack_apply_create, L689-736. Entry: netstack_g_lock held (asserted,
 * L697), netstack_lock not held; exit the same. Waits out another thread's
 * INPROGRESS on this (ns, m) (L700); if CREATE_NEEDED, claims it, drops
 * both locks around the create callback (which gets ns without a
 * reference), then re-takes them in order to publish the result and
 * broadcast nms_cv. Returns TRUE if it dropped the lock.
 */
export const netstackApplyCreate: ApplyFn = function* (ex, g, ns, m, pass) {
  const nms = ns.mstate[m]!;
  let dropped = false;
  let result: ModuleInstance | null = null;
  const fr = ex.frame('netstack_apply_create', () => [ns, m, pass, dropped, result]);
  kassert(MUTEX_HELD(ex, g.gLock), 'MUTEX_HELD(lockp)'); // L697
  yield* mutexEnter(ns.lock, L(698));
  if (!nsBug(ex, 'ns-create-no-wait') && (yield* waitForNmsInprogress(ex, g, ns, m))) dropped = true; // L700
  if (nms.flags & NSS_CREATE_NEEDED) {
    // L703-705: claim the create.
    nmsUpdate(ex, g, ns, m, NSS_CREATE_NEEDED, NSS_CREATE_INPROGRESS, 'CLAIM_CREATE');
    yield* mutexExit(ns.lock, L(708));
    yield* mutexExit(g.gLock, L(709));
    dropped = true;
    // L712-717: ns_reg[m].nr_create is read with no lock held, at call time.
    yield* access(g.reg[m]!.obj, 'r', `ns_reg[${m}].nr_create`, L(717));
    const fn = g.reg[m]!.create;
    kassert(fn !== null, `ns_reg[${m}].nr_create != NULL`); // L712 (and the call at L717)
    yield* memAccess(ns.mem, 'r', 'netstack_stackid', false, L(713)); // L713
    result = yield* fn(ex, g, m, ns.stackid, ns, pass); // L717
    kassert(result !== null, 'result != NULL'); // L721
    yield* mutexEnter(g.gLock, L(722));
    yield* mutexEnter(ns.lock, L(723));
    ns.modules[m] = result; // L724
    nmsUpdate(ex, g, ns, m, NSS_CREATE_INPROGRESS, NSS_CREATE_COMPLETED, 'COMPLETE_CREATE'); // L725-726
    if (!nsBug(ex, 'ns-no-broadcast-after-create')) yield* cvBroadcast(nms.cv, L(727));
    yield* mutexExit(ns.lock, L(730));
    ex.leave(fr);
    return dropped;
  }
  yield* mutexExit(ns.lock, L(733));
  ex.leave(fr);
  return dropped;
};

/**
 * netstack_apply_shutdown, L749-795. Entry and exit: netstack_g_lock held,
 * netstack_lock not held. As netstack_apply_create for SHUTDOWN_NEEDED; the
 * callback gets netstack_modules[m], read with no lock held (L774).
 */
export const netstackApplyShutdown: ApplyFn = function* (ex, g, ns, m, pass) {
  const nms = ns.mstate[m]!;
  let dropped = false;
  const fr = ex.frame('netstack_apply_shutdown', () => [ns, m, pass, dropped]);
  kassert(MUTEX_HELD(ex, g.gLock), 'MUTEX_HELD(lockp)'); // L757
  yield* mutexEnter(ns.lock, L(758));
  if (!nsBug(ex, 'ns-shutdown-no-wait') && (yield* waitForNmsInprogress(ex, g, ns, m))) dropped = true; // L760
  if (nms.flags & NSS_SHUTDOWN_NEEDED) {
    nmsUpdate(ex, g, ns, m, NSS_SHUTDOWN_NEEDED, NSS_SHUTDOWN_INPROGRESS, 'CLAIM_SHUTDOWN'); // L763-765
    yield* mutexExit(ns.lock, L(768));
    yield* mutexExit(g.gLock, L(769));
    dropped = true;
    // L772-778: the pointer is read again, unlocked, at call time.
    yield* access(g.reg[m]!.obj, 'r', `ns_reg[${m}].nr_shutdown`, L(778));
    const fn = g.reg[m]!.shutdown;
    kassert(fn !== null, `ns_reg[${m}].nr_shutdown != NULL`); // L772
    yield* memAccess(ns.mem, 'r', 'netstack_stackid, netstack_modules[m]', false, L(773)); // L773-774
    yield* fn(ex, g, m, ns.stackid, ns.modules[m] ?? null, ns, pass); // L778
    yield* mutexEnter(g.gLock, L(782));
    yield* mutexEnter(ns.lock, L(783));
    nmsUpdate(ex, g, ns, m, NSS_SHUTDOWN_INPROGRESS, NSS_SHUTDOWN_COMPLETED, 'COMPLETE_SHUTDOWN'); // L784-785
    if (!nsBug(ex, 'ns-no-broadcast-after-shutdown')) yield* cvBroadcast(nms.cv, L(786));
    yield* mutexExit(ns.lock, L(789));
    ex.leave(fr);
    return dropped;
  }
  yield* mutexExit(ns.lock, L(792));
  ex.leave(fr);
  return dropped;
};

/**
 * netstack_apply_destroy, L808-855. Entry and exit: netstack_g_lock held,
 * netstack_lock not held. As netstack_apply_shutdown for DESTROY_NEEDED;
 * afterwards netstack_modules[m] is NULL (L843).
 */
export const netstackApplyDestroy: ApplyFn = function* (ex, g, ns, m, pass) {
  const nms = ns.mstate[m]!;
  let dropped = false;
  const fr = ex.frame('netstack_apply_destroy', () => [ns, m, pass, dropped]);
  kassert(MUTEX_HELD(ex, g.gLock), 'MUTEX_HELD(lockp)'); // L816
  yield* mutexEnter(ns.lock, L(817));
  if (!nsBug(ex, 'ns-destroy-no-wait') && (yield* waitForNmsInprogress(ex, g, ns, m))) dropped = true; // L819
  if (nms.flags & NSS_DESTROY_NEEDED) {
    nmsUpdate(ex, g, ns, m, NSS_DESTROY_NEEDED, NSS_DESTROY_INPROGRESS, 'CLAIM_DESTROY'); // L822-824
    yield* mutexExit(ns.lock, L(827));
    yield* mutexExit(g.gLock, L(828));
    dropped = true;
    yield* access(g.reg[m]!.obj, 'r', `ns_reg[${m}].nr_destroy`, L(837));
    const fn = g.reg[m]!.destroy;
    kassert(fn !== null, `ns_reg[${m}].nr_destroy != NULL`); // L831
    yield* memAccess(ns.mem, 'r', 'netstack_stackid, netstack_modules[m]', false, L(832)); // L832-833
    yield* fn(ex, g, m, ns.stackid, ns.modules[m] ?? null, ns, pass); // L837
    yield* mutexEnter(g.gLock, L(841));
    yield* mutexEnter(ns.lock, L(842));
    ns.modules[m] = null; // L843
    nmsUpdate(ex, g, ns, m, NSS_DESTROY_INPROGRESS, NSS_DESTROY_COMPLETED, 'COMPLETE_DESTROY'); // L844-845
    if (!nsBug(ex, 'ns-no-broadcast-after-destroy')) yield* cvBroadcast(nms.cv, L(846));
    yield* mutexExit(ns.lock, L(849));
    ex.leave(fr);
    return dropped;
  }
  yield* mutexExit(ns.lock, L(852));
  ex.leave(fr);
  return dropped;
};

/**
 * wait_for_zone_creator, L867-890. Entry and exit: lockp (netstack_g_lock)
 * held, netstack_lock not held. While the zone creator is running its
 * creates (NSF_ZONE_CREATE), drop netstack_g_lock and sleep on
 * netstack_cv; on wake-up drop netstack_lock first and re-take both in
 * order (L882). Returns TRUE if netstack_g_lock was dropped.
 */
export function* waitForZoneCreator(ex: Execution, g: NetstackGlobals, ns: Netstack): KThread<boolean> {
  let dropped = false;
  const fr = ex.frame('wait_for_zone_creator', () => [ns, dropped]);
  yield* mutexEnter(ns.lock, L(872));
  while (ns.flags & NSF_ZONE_CREATE) {
    dropped = true;
    const keepG = nsBug(ex, 'ns-creator-wait-keeps-g-lock');
    if (!keepG) yield* mutexExit(g.gLock, L(878));
    if (g.fix.reapWaitsForWaiters) ns.waiters++;
    yield* cvWait(ns.cv, ns.lock, L(880));
    if (nsBug(ex, 'ns-creator-retake-inverted')) {
      // Mutant: take netstack_g_lock while still holding netstack_lock.
      yield* mutexEnter(g.gLock, L(884));
    } else if (!keepG) {
      yield* mutexExit(ns.lock, L(883));
      yield* mutexEnter(g.gLock, L(884));
      yield* mutexEnter(ns.lock, L(885));
    }
    if (g.fix.reapWaitsForWaiters) yield* waiterDone(ns);
    if (nsBug(ex, 'ns-creator-wait-if')) break;
  }
  yield* mutexExit(ns.lock, L(888));
  ex.leave(fr);
  return dropped;
}

/**
 * wait_for_nms_inprogress, L897-918. Entry and exit: netstack_g_lock and
 * netstack_lock held. While any INPROGRESS bit of (ns, m) is set, drop
 * netstack_g_lock (the owner needs it to finish, L722/L782/L841) and sleep
 * on nms_cv with netstack_lock; on wake-up drop netstack_lock first and
 * re-take both in order (L911). Returns TRUE if netstack_g_lock was dropped.
 */
export function* waitForNmsInprogress(ex: Execution, g: NetstackGlobals, ns: Netstack, m: number): KThread<boolean> {
  const nms = ns.mstate[m]!;
  let dropped = false;
  const fr = ex.frame('wait_for_nms_inprogress', () => [ns, m, dropped]);
  while (nms.flags & NSS_ALL_INPROGRESS) {
    dropped = true;
    const keepG = nsBug(ex, 'ns-wait-keeps-g-lock');
    if (!keepG) yield* mutexExit(g.gLock, L(907));
    if (g.fix.reapWaitsForWaiters) ns.waiters++;
    yield* cvWait(nms.cv, ns.lock, L(909));
    if (nsBug(ex, 'ns-wait-retake-inverted')) {
      // Mutant: take netstack_g_lock while still holding netstack_lock.
      yield* mutexEnter(g.gLock, L(913));
    } else if (!keepG) {
      yield* mutexExit(ns.lock, L(912));
      yield* mutexEnter(g.gLock, L(913));
      yield* mutexEnter(ns.lock, L(914));
    }
    if (g.fix.reapWaitsForWaiters) yield* waiterDone(ns);
    if (nsBug(ex, 'ns-nms-wait-if')) break;
  }
  ex.leave(fr);
  return dropped;
}

/** Candidate fix NS-3: a waiter is back holding netstack_lock; wake a reap waiting for the last one. */
function* waiterDone(ns: Netstack): KThread<void> {
  ns.waiters--;
  if (ns.waiters === 0) yield* cvBroadcast(ns.cv);
}

/** Bits of nms_flags a phase owns (for the specs). */
export const PHASE_BITS: Record<CbKind, { needed: number; inprogress: number; completed: number }> = {
  create: { needed: NSS_CREATE_NEEDED, inprogress: NSS_CREATE_INPROGRESS, completed: NSS_CREATE_COMPLETED },
  shutdown: { needed: NSS_SHUTDOWN_NEEDED, inprogress: NSS_SHUTDOWN_INPROGRESS, completed: NSS_SHUTDOWN_COMPLETED },
  destroy: { needed: NSS_DESTROY_NEEDED, inprogress: NSS_DESTROY_INPROGRESS, completed: NSS_DESTROY_COMPLETED },
};
