/**
 * The ifnet (dlil.c) primitives netif calls [ext dlil.c]: I/O references,
 * the data-movement gate, the handler slots, SKYWALK_SET/CLEAR_CAPABLE and
 * the ifnet start thread. Not in the seed: modelled only as far as their
 * locking and the state netif reads goes.
 *
 * The data-movement gate is two separate critical sections of if_ref_lock,
 * as dlil has it: ifnet_datamov_suspend_if_needed (suspend, clear
 * IFRF_READY, take an ioref; FALSE if already suspended) and
 * ifnet_datamov_drain (sleep until if_datamov == 0). "Suspended but not
 * drained" is a state another thread can observe (R2).
 */
import type { KThread } from '../../core/effect.ts';
import { kassert } from '../../core/errors.ts';
import type { Execution } from '../../core/execution.ts';
import { access, localAccess } from '../../core/ops.ts';
import { cvBroadcast, cvWait } from '../../locks/kcondvar.ts';
import { mutexEnter, mutexExit } from '../../locks/kmutex.ts';
import { rwEnter, rwExit } from '../../locks/krwlock.ts';
import { Errno, type HandlerSlot, type NetifGlobals, type XIfnet } from './types.ts';

/** Take an ioref for `holder` (ghost: who holds it). Entry: if_ref_lock held. */
function increfLocked(g: NetifGlobals, ifp: XIfnet, holder: string): void {
  ifp.refio++;
  ifp.ioHolders.push(holder);
}

/**
 * Drop `holder`'s ioref. Entry: if_ref_lock held. if_refio going negative
 * is dlil's VERIFY; a holder that holds no ioref is a second release of
 * one reference (IOREF-1, checked by the monitor).
 */
function decrefLocked(g: NetifGlobals, ifp: XIfnet, holder: string): void {
  g.monitors.iorefDropped(g, ifp, holder);
  ifp.ioHolders.splice(ifp.ioHolders.indexOf(holder), 1);
  kassert(ifp.refio > 0, () => `VERIFY(if_refio > 0) of ${ifp.name} in ifnet_decr_iorefcnt`, 'IOREF-1');
  ifp.refio--;
}

/** ifnet_is_attached(ifp, 1): TRUE and an ioref for `holder` if fully attached (IFRF_ATTACHED, not embryonic). */
export function* ifnetIsAttached(g: NetifGlobals, ifp: XIfnet, holder: string): KThread<boolean> {
  yield* mutexEnter(ifp.refLock);
  const ok = ifp.attachedFlag && !ifp.embryonic;
  if (ok) increfLocked(g, ifp, holder);
  yield* localAccess(g.ctlObj, 'w', 'if_refio');
  yield* mutexExit(ifp.refLock);
  return ok;
}

/** ifnet_incr_iorefcnt: a further ioref for `holder` (the caller already holds one). */
export function* ifnetIncrIorefcnt(g: NetifGlobals, ifp: XIfnet, holder: string): KThread<void> {
  yield* mutexEnter(ifp.refLock);
  increfLocked(g, ifp, holder);
  yield* localAccess(g.ctlObj, 'w', 'if_refio');
  yield* mutexExit(ifp.refLock);
}

/** ifnet_decr_iorefcnt: `holder` gives its ioref back. */
export function* ifnetDecrIorefcnt(g: NetifGlobals, ifp: XIfnet, holder: string): KThread<void> {
  yield* mutexEnter(ifp.refLock);
  decrefLocked(g, ifp, holder);
  yield* localAccess(g.ctlObj, 'w', 'if_refio');
  yield* mutexExit(ifp.refLock);
}

/** Ghost: an ioref changes holder without being dropped ("use I/O refcnt from ifnet_is_attached()", L6475). */
export function ioRetag(ifp: XIfnet, from: string, to: string): void {
  const i = ifp.ioHolders.indexOf(from);
  if (i >= 0) ifp.ioHolders[i] = to;
}

/** ifunit_ref(name): the ifnet with an ioref, or null. */
export function* ifunitRef(g: NetifGlobals, name: string, holder: string): KThread<XIfnet | null> {
  const ifp = g.ifnets.find((i) => i.name === name) ?? null;
  if (ifp === null) return null;
  return (yield* ifnetIsAttached(g, ifp, holder)) ? ifp : null;
}

/**
 * ifnet_datamov_begin: TRUE with if_datamov and an ioref taken iff the
 * ifnet is attached and IFRF_READY (not suspended).
 */
export function* ifnetDatamovBegin(g: NetifGlobals, ifp: XIfnet, holder: string): KThread<boolean> {
  yield* mutexEnter(ifp.refLock);
  const ok = ifp.attachedFlag && ifp.ready;
  if (ok) {
    increfLocked(g, ifp, holder);
    ifp.datamov++;
  }
  yield* localAccess(g.ctlObj, 'w', 'if_datamov');
  yield* mutexExit(ifp.refLock);
  return ok;
}

/** ifnet_datamov_end: drop the section; the last one wakes the drainers. */
export function* ifnetDatamovEnd(g: NetifGlobals, ifp: XIfnet, holder: string): KThread<void> {
  yield* mutexEnter(ifp.refLock);
  kassert(ifp.datamov > 0, 'VERIFY(if_datamov > 0)');
  if (--ifp.datamov === 0 && ifp.drainers > 0) yield* cvBroadcast(ifp.datamovCv);
  decrefLocked(g, ifp, holder);
  yield* localAccess(g.ctlObj, 'w', 'if_datamov');
  yield* mutexExit(ifp.refLock);
}

/**
 * ifnet_datamov_suspend_if_needed: if nobody suspended the ifnet yet,
 * suspend it (if_suspend++, IFRF_READY cleared, an ioref taken) and return
 * TRUE; if it is already suspended, FALSE (whether or not the other
 * suspender has drained).
 */
export function* ifnetDatamovSuspendIfNeeded(g: NetifGlobals, ifp: XIfnet, holder: string): KThread<boolean> {
  yield* mutexEnter(ifp.refLock);
  let ret = false;
  if (ifp.suspend === 0) {
    increfLocked(g, ifp, holder);
    ifp.suspend++;
    kassert(ifp.ready, 'VERIFY(if_refflags & IFRF_READY)');
    ifp.ready = false;
    ret = true;
  }
  yield* localAccess(g.ctlObj, 'w', 'if_suspend');
  yield* mutexExit(ifp.refLock);
  return ret;
}

/**
 * ifnet_datamov_suspend: suspend unconditionally (if_suspend nests: the
 * first clears IFRF_READY) and take an ioref. With ifnet_datamov_drain
 * after it, this is ifnet_datamov_suspend_and_drain, which if_utun and
 * if_ipsec call.
 */
export function* ifnetDatamovSuspend(g: NetifGlobals, ifp: XIfnet, holder: string): KThread<void> {
  yield* mutexEnter(ifp.refLock);
  increfLocked(g, ifp, holder);
  if (ifp.suspend++ === 0) {
    kassert(ifp.ready, 'VERIFY(if_refflags & IFRF_READY)');
    ifp.ready = false;
  }
  yield* localAccess(g.ctlObj, 'w', 'if_suspend');
  yield* mutexExit(ifp.refLock);
}

/** ifnet_datamov_drain: sleep on if_datamov until no data mover is inside. Entry and exit: no lock held. */
export function* ifnetDatamovDrain(g: NetifGlobals, ifp: XIfnet): KThread<void> {
  yield* mutexEnter(ifp.refLock);
  kassert(ifp.suspend > 0 && !ifp.ready, 'VERIFY(if_suspend > 0 && !(if_refflags & IFRF_READY))');
  ifp.drainers++;
  while (ifp.datamov !== 0) yield* cvWait(ifp.datamovCv, ifp.refLock);
  ifp.drainers--;
  yield* localAccess(g.ctlObj, 'w', 'if_drainers');
  yield* mutexExit(ifp.refLock);
}

/** ifnet_datamov_resume: the last resume sets IFRF_READY again; drops the suspend's ioref. */
export function* ifnetDatamovResume(g: NetifGlobals, ifp: XIfnet, holder: string): KThread<void> {
  yield* mutexEnter(ifp.refLock);
  kassert(ifp.suspend > 0, 'VERIFY(if_suspend > 0)');
  if (--ifp.suspend === 0) ifp.ready = true;
  decrefLocked(g, ifp, holder);
  yield* localAccess(g.ctlObj, 'w', 'if_suspend');
  yield* mutexExit(ifp.refLock);
}

/** ifnet_set_start_handler / ifnet_set_output_handler: CAS from the original; EBUSY if redirected. */
export function* handlerSet(g: NetifGlobals, ifp: XIfnet, slot: HandlerSlot, fn: string): KThread<number> {
  yield* localAccess(ifp.naObj, 'w', slot.name);
  if (slot.current !== slot.original) return Errno.EBUSY;
  slot.current = fn;
  yield* localAccess(g.ctlObj, 'w', slot.name);
  return Errno.OK;
}

/** ifnet_reset_start_handler / ifnet_reset_output_handler: back to the original. */
export function* handlerReset(g: NetifGlobals, ifp: XIfnet, slot: HandlerSlot): KThread<void> {
  yield* localAccess(ifp.naObj, 'w', slot.name);
  slot.current = slot.original;
  yield* localAccess(g.ctlObj, 'w', slot.name);
}

/** SKYWALK_SET_CAPABLE / SKYWALK_CLEAR_CAPABLE (nx_netif.h [ext]): IFCAP_SKYWALK under ifnet_lock exclusive. */
export function* skywalkSetCapable(g: NetifGlobals, ifp: XIfnet, on: boolean): KThread<void> {
  yield* rwEnter(ifp.ifnetLock, 'RW_WRITER');
  ifp.capable = on;
  yield* localAccess(ifp.naObj, 'w', 'if_capabilities');
  yield* localAccess(g.ctlObj, 'w', 'if_capabilities');
  yield* rwExit(ifp.ifnetLock);
}

/** SKYWALK_CAPABLE(ifp): IFCAP_SKYWALK set (and if_na set, by the macro). A read of the ifnet the caller must hold. */
export function skywalkCapable(ifp: XIfnet | null): boolean {
  kassert(ifp !== null, 'SKYWALK_CAPABLE(ifp): ifp != NULL (NULL dereference)', 'NULL-DEREF');
  return ifp.capable && ifp.ifNa !== null;
}

/**
 * One round of the ifnet start thread (ifnet_start_thread_cont [ext
 * dlil.c]): mark if_start_active under if_start_lock, call the if_start
 * handler with the lock dropped, clear if_start_active and wake the
 * waiters (activate OFF sleeps on them, L6357-6363). `handlers` runs the
 * function the slot names.
 */
export function* ifnetStartThread(g: NetifGlobals, ifp: XIfnet, handlers: (fn: string) => KThread<void>): KThread<void> {
  yield* mutexEnter(ifp.startLock);
  ifp.startActive = 1;
  ifp.startReq = 0;
  yield* localAccess(ifp.naObj, 'r', 'if_start');
  const fn = ifp.ifStart.current;
  yield* mutexExit(ifp.startLock);
  yield* handlers(fn);
  yield* mutexEnter(ifp.startLock);
  ifp.startActive = 0;
  yield* cvBroadcast(ifp.startCv); // wakeup(&if_start_waiters)
  yield* mutexExit(ifp.startLock);
}

/** ifnet_start(ifp) [ext dlil.c]: request the start thread (if_start_req++) and return. */
export function* ifnetStart(_g: NetifGlobals, ifp: XIfnet): KThread<void> {
  yield* mutexEnter(ifp.startLock);
  ifp.startReq++;
  yield* mutexExit(ifp.startLock);
}

/** An unlocked load of ifp->if_na (the data path's double loads, R9). */
export function* loadIfNa(ifp: XIfnet, site: string): KThread<ReturnType<() => XIfnet['ifNa']>> {
  yield* access(ifp.naObj, 'r', 'if_na', site);
  return ifp.ifNa;
}
