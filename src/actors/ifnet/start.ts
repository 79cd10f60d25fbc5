/**
 * if_start and its deferral to a Giant taskqueue (if_starttask,
 * if_start_deferred) for IFF_NEEDSGIANT drivers, as before the commit of
 * log L32-57 that removed IFF_NEEDSGIANT and with it "deferred invocation
 * of interface if_start routines" (log L35-36).
 *
 * Giant is a kmutex. taskqueue_swi_giant is a KTaskq with one worker; a
 * task it runs holds Giant. if_detach drains only if_linktask (on
 * taskqueue_swi), never if_starttask, and if_free drains nothing: a
 * queued if_starttask holds no reference on the ifnet.
 */
import type { KThread } from '../../core/effect.ts';
import { kassert } from '../../core/errors.ts';
import type { Execution } from '../../core/execution.ts';
import { localAccess } from '../../core/ops.ts';
import { KMutex, mutexEnter, mutexExit } from '../../locks/kmutex.ts';
import { memAccess } from '../../locks/kmem.ts';
import { KTaskq, taskqDispatch } from '../../locks/taskq.ts';
import { L } from './ifindex.ts';
import { mtxLock, mtxUnlock } from './mtx.ts';
import type { Ifnet, IfnetGlobals } from './types.ts';

/** Giant and taskqueue_swi_giant (one worker), for the scenarios that need them. */
export function giantInit(ex: Execution, g: IfnetGlobals): void {
  g.giant = new KMutex(ex, 'Giant');
  g.swiGiant = new KTaskq(ex, 'taskqueue_swi_giant', 1);
}

/** The driver's if_start: drains if_snd and touches the hardware. Entry: whatever the caller holds (Giant for a NEEDSGIANT driver). */
function* driverStart(ifp: Ifnet): KThread<void> {
  yield* memAccess(ifp.mem, 'w', 'if_snd (driver if_start)', true);
}

/**
 * if_start_deferred, the if_starttask handler. Entry and exit: no lock
 * held (the taskqueue takes Giant around it); uses the ifp the task was
 * queued for, with no reference.
 */
function* ifStartDeferred(_ex: Execution, g: IfnetGlobals, ifp: Ifnet): KThread<void> {
  yield* mutexEnter(g.giant!); // taskqueue_swi_giant runs its tasks with Giant
  ifp.starttaskQueued = false; // ta_pending = 0 before the handler runs
  yield* driverStart(ifp);
  yield* mutexExit(g.giant!);
  ifp.pendingTasks--;
  yield* localAccess(g.idxObj, 'w', 'pending tasks');
}

/**
 * if_start(ifp). Entry and exit: no lock held; the caller keeps ifp alive
 * (a reference). After the commit (the fixed model): call the driver's
 * if_start directly. Mutant fb-pre-needsgiant-removal: ed0 is an
 * IFF_NEEDSGIANT driver; without Giant held, the start is deferred:
 * taskqueue_enqueue(taskqueue_swi_giant, &ifp->if_starttask), coalesced
 * if already queued.
 */
export function* ifStart(ex: Execution, g: IfnetGlobals, ifp: Ifnet): KThread<void> {
  yield* memAccess(ifp.mem, 'r', 'if_flags', true);
  if (ifp.needsGiant) {
    kassert(g.giant !== null && g.swiGiant !== null, 'Giant and taskqueue_swi_giant exist');
    if (g.giant.owner === ex.currentThread()) {
      yield* driverStart(ifp);
      return;
    }
    if (!ifp.starttaskQueued) {
      ifp.starttaskQueued = true;
      ifp.pendingTasks++;
      yield* localAccess(g.idxObj, 'w', 'pending tasks');
      yield* taskqDispatch(g.swiGiant, `if_start_deferred(${ifp.name})`, () => ifStartDeferred(ex, g, ifp), 'TQ_SLEEP', L(35));
    }
    return;
  }
  yield* driverStart(ifp);
}

/**
 * IFQ_HANDOFF(ifp, m): queue a packet on if_snd under IFQ_LOCK, then
 * if_start. Entry and exit: no lock held; the caller holds a reference on
 * ifp (a route's ifa, or ifunit_ref).
 */
export function* ifqHandoff(ex: Execution, g: IfnetGlobals, ifp: Ifnet): KThread<void> {
  yield* mtxLock(ifp.ifqLock);
  yield* memAccess(ifp.mem, 'w', 'if_snd.ifq_len (IF_ENQUEUE)');
  ifp.ifqLen++;
  yield* mtxUnlock(ifp.ifqLock);
  yield* ifStart(ex, g, ifp);
}

