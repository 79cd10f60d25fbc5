/**
 * The ifnet lifecycle and lookups of if.c: if_alloc, if_attach, if_detach,
 * if_free (if_free_type), if_ref, if_rele, ifunit, ifunit_ref, ifioctl
 * (with ifhwioctl calling into the driver) and if_clone_destroy.
 *
 * The fixed model is the code after the ifunit_ref commit (rwatson, April
 * 2009, not in the log; the problem it closes is the "disappearing ifnets"
 * of log L291-292, made easier to reach by log L28-31): lookups that keep
 * the ifnet take a reference, if_free_type only drops the reference
 * if_alloc gave, and the memory goes at the last if_rele. Mutant
 * fb-pre-r191423-ifunit-noref is the code before it: ifioctl keeps the bare
 * pointer ifunit returns, and if_free frees at once.
 */
import type { KThread } from '../../core/effect.ts';
import { kassert } from '../../core/errors.ts';
import type { Execution } from '../../core/execution.ts';
import { localAccess } from '../../core/ops.ts';
import { KMem, kmemFree, memAccess } from '../../locks/kmem.ts';
import { rwEnter, rwExit } from '../../locks/krwlock.ts';
import { KRefcount, refHold, refRele } from '../../locks/refcount.ts';
import { ifAllocIndex, ifFreeIndexLocked, L } from './ifindex.ts';
import { mtxDestroy, mtxInit } from './mtx.ts';
import { ifDetachPurgeRoutes } from './route.ts';
import { ifPurgemaddrs } from './mcdetach.ts';
import { ifDetachDomains } from './lltable.ts';
import { Errno, Ifnet, type IfnetGlobals } from './types.ts';
import { fbBug } from './mutants.ts';

const NOREF = 'fb-pre-r191423-ifunit-noref';
/** Mutant: the era if_detach destroys if_snd's mutex (the fixed model destroys it with the ifnet, at the last reference). */
const IFQ_EARLY = 'fb-ifq-destroy-in-detach';
/** Mutant: the era if_detach calls mac_ifnet_destroy (the fixed model does it with the ifnet, at the last reference). */
const MAC_EARLY = 'fb-mac-destroy-in-detach';
/** Mutant: the era code initialises if_snd's mutex in if_attach, after if_alloc published the ifnet (fixed by bf5b2167, not in the log). */
const INIT_LATE = 'fb-pre-bf5b2167-init-in-attach';

/** Ghost: the running thread now keeps ifp outside ifnet_lock (with a reference or not). */
function* holdPointer(ex: Execution, g: IfnetGlobals, ifp: Ifnet, referenced: boolean): KThread<void> {
  ifp.holders.set(ex.currentThread(), referenced);
  yield* localAccess(g.idxObj, 'w', 'holders');
}

/** Ghost: the running thread is done with its pointer to ifp. */
function* dropPointer(ex: Execution, g: IfnetGlobals, ifp: Ifnet): KThread<void> {
  ifp.holders.delete(ex.currentThread());
  yield* localAccess(g.idxObj, 'w', 'holders');
}

/**
 * if_alloc(type). Entry and exit: no lock held. Allocates the ifnet
 * (M_WAITOK: never fails), gives it the reference its creator owns
 * (refcount_init(&if_refcount, 1), fixed model), and publishes it in
 * ifindex_table at a new index (ifAllocIndex). It is reachable by index
 * from here on, before if_attach (FB-PUBLISH-BEFORE-INIT is about that).
 */
export function* ifAlloc(ex: Execution, g: IfnetGlobals, name: string): KThread<Ifnet> {
  const ifp = new Ifnet(ex, new KMem(ex, `ifnet ${name}`), name, g.cov);
  if (!fbBug(ex, NOREF)) ifp.ref = new KRefcount(ex, `${name}.if_refcount`, 1);
  // Fixed (after bf5b2167): IFQ_LOCK_INIT(&ifp->if_snd) here, before the
  // ifnet is published; the mutant leaves it to if_attach.
  if (fbBug(ex, INIT_LATE)) ifp.ifqLock.inited = false;
  if (g.mac) ifp.label = new KMem(ex, `${name} if_label`); // mac_ifnet_init
  g.all.push(ifp);
  yield* ifAllocIndex(ex, g, ifp);
  return ifp;
}

/**
 * if_attach. Entry and exit: no lock held. Links ifp on V_ifnet under
 * IFNET_WLOCK (log L288-290: attach modifies the shared structures under
 * the lock); ifunit can find it from here on.
 */
export function* ifAttach(ex: Execution, g: IfnetGlobals, ifp: Ifnet): KThread<void> {
  yield* memAccess(ifp.mem, 'w', 'if_addrhead, if_snd (initialisation)', false, L(298)); // log L298-303
  if (fbBug(ex, INIT_LATE)) yield* mtxInit(ifp.ifqLock, L(298)); // IFQ_LOCK_INIT(&ifp->if_snd) in if_attach
  yield* rwEnter(g.ifnetLock, 'RW_WRITER', L(290));
  g.ifnet.push(ifp); // TAILQ_INSERT_TAIL(&V_ifnet, ifp, if_link)
  ifp.m.send('ATTACH');
  yield* localAccess(g.idxObj, 'w', 'V_ifnet');
  yield* rwExit(g.ifnetLock, L(290));
}

/**
 * if_detach. Entry and exit: no lock held. Unlinks ifp from V_ifnet under
 * IFNET_WLOCK (log L290); returns without doing anything more if it was not
 * on the list. ifp stays in ifindex_table until if_free.
 */
export function* ifDetach(ex: Execution, g: IfnetGlobals, ifp: Ifnet): KThread<boolean> {
  yield* rwEnter(g.ifnetLock, 'RW_WRITER', L(290));
  const i = g.ifnet.indexOf(ifp);
  if (i >= 0) {
    g.ifnet.splice(i, 1); // TAILQ_REMOVE(&V_ifnet, ifp, if_link)
    ifp.m.send('UNLINK');
    yield* localAccess(g.idxObj, 'w', 'V_ifnet');
  }
  yield* rwExit(g.ifnetLock, L(290));
  if (i < 0) return false;
  yield* memAccess(ifp.mem, 'w', 'if_addrhead (purge), if_snd', true); // the rest of if_detach, no ifnet lock
  if (g.rt) yield* ifDetachPurgeRoutes(ex, g.rt, ifp, (p) => ifRele(ex, g, p)); // delete the routes using ifp, in every FIB (log L352-356)
  // if_purgemaddrs (log L550-551), after in_ifdetach; absent before that commit (mutant
  // fb-pre-ec002fee-delmulti-lookup). The model skips IF_ADDR_LOCK for an empty list (nobody else takes it then);
  // the look at the list is a read of the multicast ghost, so that DPOR orders it against a leave's unlink.
  yield* localAccess(g.mcObj, 'r', 'if_multiaddrs (empty?)');
  if (ifp.multiaddrs.length > 0 && !fbBug(ex, 'fb-pre-ec002fee-delmulti-lookup')) yield* ifPurgemaddrs(ex, g, ifp, g.mcastListRef);
  if (g.llt && g.llt.ifp === ifp) yield* ifDetachDomains(ex, g.llt); // dom_ifdetach under IF_AFDATA_LOCK (log L76-97; lltable.ts)
  if (fbBug(ex, IFQ_EARLY)) yield* mtxDestroy(ifp.ifqLock); // IFQ_LOCK_DESTROY(&ifp->if_snd) in if_detach
  if (ifp.label && fbBug(ex, MAC_EARLY)) yield* kmemFree(ifp.label); // mac_ifnet_destroy(ifp) in if_detach (log L497-512 names it)
  return true;
}

/**
 * if_free (if_free_type). Entry and exit: no lock held; the caller gives
 * up the reference if_alloc returned. Sets IFF_DYING (unlocked: "XXX:
 * Locking"), gives the index back under IFNET_WLOCK, and frees the memory
 * if that was the last reference (else the last if_rele does).
 *
 * Mutant fb-pre-r191423-ifunit-noref: no refcount; the memory is freed
 * here whatever other threads still hold.
 */
export function* ifFree(ex: Execution, g: IfnetGlobals, ifp: Ifnet): KThread<void> {
  yield* memAccess(ifp.mem, 'w', 'if_flags |= IFF_DYING', true);
  ifp.dying = true;
  ifp.m.send('DYING');
  yield* rwEnter(g.ifnetLock, 'RW_WRITER', L(290));
  yield* ifFreeIndexLocked(ex, g, ifp);
  yield* rwExit(g.ifnetLock, L(290));
  if (fbBug(ex, NOREF)) {
    yield* ifFreeInternal(ex, g, ifp);
    return;
  }
  yield* ifRele(ex, g, ifp);
}

/** if_free_internal: the memory goes. Entry and exit: no lock held; nobody can reach ifp. */
function* ifFreeInternal(ex: Execution, g: IfnetGlobals, ifp: Ifnet): KThread<void> {
  kassert(ifp.dying, 'ifp->if_flags & IFF_DYING');
  if (!fbBug(ex, IFQ_EARLY)) yield* mtxDestroy(ifp.ifqLock); // ifq_delete(&ifp->if_snd): nobody can reach ifp
  if (ifp.label && !fbBug(ex, MAC_EARLY)) yield* kmemFree(ifp.label); // mac_ifnet_destroy: the label lives as long as the ifnet
  yield* kmemFree(ifp.mem); // free(ifp, M_IFNET)
  ifp.m.send('FREE');
  yield* localAccess(g.idxObj, 'w', 'ifnet freed');
}

/** if_ref (fixed model). Entry and exit: any locks; the caller's pointer is valid (lock or reference). */
export function* ifRef(_ex: Execution, _g: IfnetGlobals, ifp: Ifnet): KThread<void> {
  kassert(ifp.ref !== null, 'if_refcount exists');
  yield* memAccess(ifp.mem, 'r', 'if_refcount');
  yield* refHold(ifp.ref);
}

/** if_rele (fixed model). Entry and exit: no lock held. The last release frees the ifnet. */
export function* ifRele(ex: Execution, g: IfnetGlobals, ifp: Ifnet): KThread<void> {
  kassert(ifp.ref !== null, 'if_refcount exists');
  yield* memAccess(ifp.mem, 'r', 'if_refcount', true);
  const n = yield* refRele(ifp.ref); // refcount_release: atomic
  if (n === 0) yield* ifFreeInternal(ex, g, ifp);
}

/**
 * ifunit(name). Entry and exit: no lock held. Walks V_ifnet under
 * IFNET_RLOCK and returns the match as a bare pointer: the lock is dropped
 * before the caller uses it (log L291-292).
 */
export function* ifunit(ex: Execution, g: IfnetGlobals, name: string): KThread<Ifnet | null> {
  yield* rwEnter(g.ifnetLock, 'RW_READER');
  let found: Ifnet | null = null;
  for (const ifp of g.ifnet) {
    yield* memAccess(ifp.mem, 'r', 'if_xname');
    if (ifp.name === name) {
      found = ifp;
      break;
    }
  }
  if (found) yield* holdPointer(ex, g, found, false);
  yield* rwExit(g.ifnetLock);
  return found;
}

/**
 * ifunit_ref(name) (fixed model). Entry and exit: no lock held. As ifunit,
 * but skips an ifnet with IFF_DYING and takes a reference under
 * IFNET_RLOCK, so the ifnet outlives the lock drop; the caller if_rele()s.
 */
export function* ifunitRef(ex: Execution, g: IfnetGlobals, name: string): KThread<Ifnet | null> {
  yield* rwEnter(g.ifnetLock, 'RW_READER');
  let found: Ifnet | null = null;
  for (const ifp of g.ifnet) {
    yield* memAccess(ifp.mem, 'r', 'if_xname, if_flags');
    if (ifp.name === name && !ifp.dying) {
      found = ifp;
      break;
    }
  }
  if (found) {
    yield* ifRef(ex, g, found);
    yield* holdPointer(ex, g, found, true);
  }
  yield* rwExit(g.ifnetLock);
  return found;
}

/**
 * ifioctl(so, cmd, data) for an interface ioctl (SIOCSIFFLAGS on `name`).
 * Entry and exit: no lock held. Looks the ifnet up, then ifhwioctl reads it
 * and calls the driver's if_ioctl, a long call with no ifnet lock
 * (log L28-31: non-interface sockets reach it too). Fixed model: the
 * lookup is ifunit_ref and the reference is dropped at the end; mutant
 * fb-pre-r191423-ifunit-noref: the bare pointer of ifunit.
 */
export function* ifioctl(ex: Execution, g: IfnetGlobals, name: string, op: string): KThread<number> {
  const noref = fbBug(ex, NOREF);
  const ifp = noref ? yield* ifunit(ex, g, name) : yield* ifunitRef(ex, g, name);
  if (ifp === null) {
    g.results.set(op, Errno.ENXIO);
    return Errno.ENXIO;
  }
  // ifhwioctl(SIOCSIFFLAGS): read the flags, call the driver.
  yield* memAccess(ifp.mem, 'r', 'if_flags, if_ioctl', true);
  yield* memAccess(ifp.mem, 'w', 'if_flags (driver if_ioctl)', true);
  yield* dropPointer(ex, g, ifp);
  if (!noref) yield* ifRele(ex, g, ifp);
  g.results.set(op, Errno.OK);
  return Errno.OK;
}

/**
 * if_clone_destroy(name). Entry and exit: no lock held. Finds the cloned
 * ifnet, and the cloner's destroy method detaches and frees it (if_detach,
 * then if_free): the destroyer owns the reference if_alloc gave.
 */
export function* ifCloneDestroy(ex: Execution, g: IfnetGlobals, name: string, op: string): KThread<number> {
  const ifp = yield* ifunit(ex, g, name);
  if (ifp === null) {
    g.results.set(op, Errno.ENXIO);
    return Errno.ENXIO;
  }
  yield* dropPointer(ex, g, ifp); // the cloner owns ifp from here (if_alloc's reference)
  yield* ifDetach(ex, g, ifp);
  yield* ifFree(ex, g, ifp);
  g.results.set(op, Errno.OK);
  return Errno.OK;
}


/** The end of a use begun with ifunit_ref: the pointer is given up, then if_rele. Entry and exit: no lock held. */
export function* ifunitRefDone(ex: Execution, g: IfnetGlobals, ifp: Ifnet): KThread<void> {
  yield* dropPointer(ex, g, ifp);
  yield* ifRele(ex, g, ifp);
}
