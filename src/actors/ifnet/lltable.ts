/**
 * L2 tables (FB-LLE-vs-DETACH, log L76-97: ARP and NDP entries moved out
 * of the routing trie into per-interface tables, "Kip Macy revised the
 * locking code completely"). if_llatbl.c and in.c are not in the seed: the
 * entry and table here are the analysis's abstraction (its section 1.10,
 * which says the era lltable locking is unverified), at the level the if.c
 * hook supports: if_detach calls each domain's dom_ifdetach under
 * IF_AFDATA_LOCK(ifp), and in_domifdetach frees the AF_INET lltable and
 * its entries.
 *
 * Decided (from the analysis, not from code):
 *  - IF_AFDATA_LOCK(ifp) is a mutex in the ifnet; it protects
 *    ifp->if_afdata[AF_INET] (the table pointer) and the table's entry list.
 *  - Each llentry has LLE_WLOCK (its rwlock, only ever write-locked in these
 *    paths: a mutex here) protecting lle_refcnt and the entry's fields.
 *  - The table's link holds one reference (lle_refcnt starts at 1); a
 *    resolver that keeps the entry past IF_AFDATA_UNLOCK takes one
 *    (LLE_ADDREF under LLE_WLOCK) and gives it back with LLE_FREE, which
 *    frees at the last. Freeing an unlinked entry does not touch its table.
 *  - Fixed: lltable_free drops only the table's reference of each entry
 *    ("entry refcount; table drained before free"). Mutant
 *    fb-lltable-free-ignores-ref: it frees every entry regardless of
 *    lle_refcnt ("detach frees the table regardless of holders").
 */
import type { KThread } from '../../core/effect.ts';
import { kassert } from '../../core/errors.ts';
import type { Execution } from '../../core/execution.ts';
import { opaqueToGuard } from '../../core/guard.ts';
import { localAccess } from '../../core/ops.ts';
import { KMem, kmemFree, memAccess } from '../../locks/kmem.ts';
import { KMutex, MUTEX_HELD, mutexEnter, mutexExit } from '../../locks/kmutex.ts';
import { L } from './ifindex.ts';
import type { Ifnet } from './types.ts';
import { fbBug } from './mutants.ts';

/** struct llentry (abstract): an IPv4 -> MAC binding of one interface. */
export class Llentry {
  /** LLE_WLOCK(lle): protects refcnt and lladdr. */
  readonly lock: KMutex;
  /** lle_refcnt: the table's link, one per resolver keeping the entry. */
  refcnt = 1;
  /** On its table's list; protected by IF_AFDATA_LOCK. */
  linked = true;
  /** Ghost: threads keeping the entry outside every lock (LLE-1). */
  held = 0;
  constructor(
    ex: Execution,
    readonly mem: KMem,
    /** The IPv4 address (l3_addr), constant. */
    readonly l3: string,
  ) {
    this.lock = new KMutex(ex, `${mem.name}.lle_lock`, { mem, cls: 'lle_lock' });
  }
}

/** ifp->if_afdata[AF_INET]'s lltable, with the IF_AFDATA_LOCK of its ifnet. */
export class Lltable {
  /** IF_AFDATA_LOCK(ifp): lives in the ifnet. */
  readonly afdataLock: KMutex;
  /** ifp->if_afdata[AF_INET] still points at this table; protected by afdataLock. */
  attached = true;
  /** lle_head: the linked entries; protected by afdataLock. */
  readonly entries: Llentry[] = [];
  /** Ghost: every entry ever made (LLE-1 and the end check read them). */
  readonly all: Llentry[] = [];
  /** Ghost object written at every change of an entry's references or the table (LLE-1 watches it). */
  readonly obj: number;
  readonly mem: KMem;
  constructor(
    ex: Execution,
    readonly ifp: Ifnet,
  ) {
    this.afdataLock = new KMutex(ex, `${ifp.name}.if_afdata_mtx`, { mem: ifp.mem, cls: 'if_afdata_mtx' });
    this.mem = new KMem(ex, `lltable ${ifp.name} AF_INET`);
    this.obj = ex.newObject(`lltable ${ifp.name} ghost`, 'ghost');
    opaqueToGuard(this.all);
  }
  /** An entry resolved before the race (boot time, no lock). */
  add(ex: Execution, l3: string): Llentry {
    const lle = new Llentry(ex, new KMem(ex, `llentry ${this.ifp.name} ${l3}`), l3);
    this.entries.push(lle);
    this.all.push(lle);
    return lle;
  }
}

/**
 * lla_lookup(llt, 0, l3) plus LLE_ADDREF, as arpresolve keeps the entry
 * (the analysis's "resolves and holds an L2 entry"). Entry and exit: no
 * lock held; the caller keeps the ifnet (a reference). Under
 * IF_AFDATA_LOCK: if the ifnet still has its table, find the entry, and
 * under its LLE_WLOCK take a reference. Returns the entry, or null (no
 * table: the interface is detaching; or no entry).
 */
export function* llaLookupRef(ex: Execution, llt: Lltable, l3: string): KThread<Llentry | null> {
  yield* mutexEnter(llt.afdataLock, L(91));
  yield* localAccess(llt.obj, 'r', 'ifp->if_afdata[AF_INET]');
  if (!llt.attached) {
    yield* mutexExit(llt.afdataLock);
    return null;
  }
  yield* memAccess(llt.mem, 'r', 'lle_head');
  const lle = llt.entries.find((e) => e.l3 === l3) ?? null;
  if (lle !== null) {
    yield* mutexEnter(lle.lock);
    yield* memAccess(lle.mem, 'w', 'lle_refcnt++ (LLE_ADDREF)');
    lle.refcnt++;
    lle.held++;
    yield* localAccess(llt.obj, 'w', 'llentry held');
    yield* mutexExit(lle.lock);
  }
  yield* mutexExit(llt.afdataLock);
  return lle;
}

/**
 * LLE_FREE(lle). Entry and exit: no lock held; the caller gives up its
 * reference. LLE_WLOCK, drop it; the last reference frees the entry
 * (it is unlinked by then: the table's reference went with the link).
 */
export function* lleFree(ex: Execution, llt: Lltable, lle: Llentry, holder: boolean): KThread<void> {
  yield* mutexEnter(lle.lock);
  yield* memAccess(lle.mem, 'w', 'lle_refcnt-- (LLE_REMREF)');
  lle.refcnt--;
  if (holder) lle.held--;
  yield* localAccess(llt.obj, 'w', 'llentry released');
  const last = lle.refcnt === 0;
  yield* mutexExit(lle.lock);
  if (!last) return;
  kassert(!lle.linked, () => `${lle.mem.name} freed while linked`);
  yield* kmemFree(lle.mem); // LLE_LOCK_DESTROY, free(lle, M_LLTABLE)
  yield* localAccess(llt.obj, 'w', 'llentry freed');
}

/**
 * The resolver's use of a kept entry: LLE_WLOCK (an rlock in arpresolve),
 * copy the link-level address for the frame, unlock. Entry and exit: no
 * lock held; the caller holds a reference on lle.
 */
export function* lleReadLladdr(_ex: Execution, lle: Llentry): KThread<void> {
  yield* mutexEnter(lle.lock);
  yield* memAccess(lle.mem, 'r', 'll_addr (bcopy into the frame)');
  yield* mutexExit(lle.lock);
}

/**
 * in_domifdetach -> lltable_free(llt), called by if_detach's dom_ifdetach
 * loop. Entry and exit: IF_AFDATA_LOCK(ifp) held (the analysis: if_detach
 * tears down per-AF data under it). if_afdata[AF_INET] is cleared, each
 * entry is unlinked under its LLE_WLOCK and loses the table's reference,
 * then the table goes. Mutant fb-lltable-free-ignores-ref: every entry is
 * freed whatever lle_refcnt says.
 */
export function* lltableFree(ex: Execution, llt: Lltable): KThread<void> {
  kassert(MUTEX_HELD(ex, llt.afdataLock), 'IF_AFDATA_LOCK_ASSERT(ifp)');
  const ignoreRefs = fbBug(ex, 'fb-lltable-free-ignores-ref');
  llt.attached = false; // ifp->if_afdata[AF_INET] = NULL
  yield* localAccess(llt.obj, 'w', 'ifp->if_afdata[AF_INET] = NULL');
  yield* memAccess(llt.mem, 'r', 'lle_head (LIST_FOREACH_SAFE)');
  for (const lle of [...llt.entries]) {
    yield* mutexEnter(lle.lock);
    yield* memAccess(lle.mem, 'w', 'LIST_REMOVE(lle, lle_next); lle_refcnt--');
    llt.entries.splice(llt.entries.indexOf(lle), 1);
    lle.linked = false;
    lle.refcnt--;
    yield* localAccess(llt.obj, 'w', 'llentry unlinked');
    const free = ignoreRefs || lle.refcnt === 0;
    yield* mutexExit(lle.lock);
    if (free) {
      yield* kmemFree(lle.mem);
      yield* localAccess(llt.obj, 'w', 'llentry freed');
    }
  }
  yield* kmemFree(llt.mem); // free(llt, M_LLTABLE)
  yield* localAccess(llt.obj, 'w', 'lltable freed');
}

/**
 * if_detach's dom_ifdetach loop for AF_INET. Entry and exit: no lock
 * held. IF_AFDATA_LOCK(ifp) around in_domifdetach (the analysis, [ext-2]).
 */
export function* ifDetachDomains(ex: Execution, llt: Lltable): KThread<void> {
  yield* mutexEnter(llt.afdataLock, L(92));
  yield* lltableFree(ex, llt);
  yield* mutexExit(llt.afdataLock);
}
