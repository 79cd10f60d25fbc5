/**
 * Leaving a multicast group, and the purge of the memberships at interface
 * detach (log L550-557: ifmultiaddr refcounting; "the stack detects that an
 * ifnet has been detached and cleans up"; kernel consumers changed to
 * if_delmulti_ifma because in_delmulti "is unable to detect interface
 * removal by design, as it performs searches on structures which are
 * removed with the interface"). Functions as the era if.c writes them:
 * if_delmulti (by address, on an ifp the caller keeps), if_delmulti_ifma
 * (by the membership pointer; "safe to call ... if the ifp disappeared"),
 * if_delmulti_locked (with `detaching`) and if_purgemaddrs.
 *
 * Reference ownership as written: if_allocmulti starts ifma_refcount at 1,
 * the caller's; the list holds none; if_purgemaddrs drops one reference of
 * every ifma (if_delmulti_locked(ifp, ifma, 1)) and NULLs ifma_ifp. A
 * consumer that still holds its ifma then leaves through freed memory
 * (finding FB-4), and if_delmulti_ifma reads ifma_ifp with no lock and
 * locks that ifnet, which if_detach + if_free may have freed meanwhile.
 *
 * `fixMcastOwnership` (candidate fix of FB-4, the ownership the analysis's
 * MC-1 asks for): the list holds its own reference (the purge drops only
 * that one), and a membership holds a reference on its ifnet (if_ref at the
 * join, if_rele after the leave), so ifma_ifp never points at freed memory.
 *
 * Mutant fb-pre-ec002fee-delmulti-lookup (the code before the commit): the
 * consumer leaves by address on the ifp it remembered (if_delmulti), and
 * if_detach does not purge the memberships.
 */
import type { KThread } from '../../core/effect.ts';
import type { Execution } from '../../core/execution.ts';
import { localAccess } from '../../core/ops.ts';
import { KMem, kmemFree, memAccess } from '../../locks/kmem.ts';
import { MUTEX_HELD, mutexEnter, mutexExit } from '../../locks/kmutex.ts';
import { kassert } from '../../core/errors.ts';
import { ifFindmulti } from './multicast.ts';
import { Errno, Ifma, type Ifnet, type IfnetGlobals, type SockaddrDl } from './types.ts';
import { fbBug } from './mutants.ts';

/**
 * if_delmulti_locked(ifp, ifma, detaching). Entry and exit: IF_ADDR_LOCK
 * of ifma's ifnet held, if it still has one. Returns 1 if the last
 * reference went (the hardware filter must be reprogrammed).
 */
export function* ifDelmultiLocked(ex: Execution, g: IfnetGlobals, ifp: Ifnet | null, ifma: Ifma, detaching: boolean, listRef: boolean): KThread<number> {
  if (ifp !== null && ifma.ifp !== null) kassert(MUTEX_HELD(ex, ifp.addrLock), 'IF_ADDR_LOCK_ASSERT(ifp)');
  yield* memAccess(ifma.mem, 'w', 'ifma_ifp, ifma_refcount');
  const owner = ifma.ifp;
  const unlink = (): void => {
    if (owner === null) return;
    const i = owner.multiaddrs.indexOf(ifma);
    if (i >= 0) {
      owner.multiaddrs.splice(i, 1); // TAILQ_REMOVE(&ifp->if_multiaddrs)
      ifma.m.send('UNLINK');
    }
  };
  if (detaching && owner !== null) {
    orphan(ifma); // "null out references to ifnet, so that upper protocol layers will notice"
    if (listRef) unlink(); // the fix: the list's reference is the one dropped
  }
  ifma.refcount--;
  if (listRef && !detaching && ifma.refcount === 1 && owner !== null) {
    ifma.refcount = 0; // only the list's reference is left: unlink and drop it
    unlink();
  }
  yield* localAccess(g.mcObj, 'w', 'ifma_refcount');
  if (ifma.refcount > 0) return 0;
  // A network-layer ifma releases its link-layer companion first.
  const ll = ifma.llifma;
  if (ll !== null) {
    yield* memAccess(ll.mem, 'w', 'll_ifma->ifma_refcount');
    if (detaching) orphan(ll); // "XXX" in the code
    if (--ll.refcount === 0) {
      const li = owner !== null ? owner.multiaddrs.indexOf(ll) : -1;
      if (li >= 0) {
        owner!.multiaddrs.splice(li, 1); // TAILQ_REMOVE(&ifp->if_multiaddrs, ll_ifma)
        ll.m.send('UNLINK');
      }
      yield* ifFreemulti(ll);
    }
    yield* localAccess(g.mcObj, 'w', 'll_ifma released');
  }
  if (!listRef || !detaching) unlink();
  yield* ifFreemulti(ifma);
  yield* localAccess(g.mcObj, 'w', 'if_freemulti');
  return 1;
}

/**
 * ifma->ifma_ifp = NULL (if_delmulti_locked with `detaching`). Entry and
 * exit: IF_ADDR_LOCK of the detaching ifnet held. A membership still on
 * the list becomes ORPHANED; one already unlinked only loses the pointer.
 */
function orphan(ifma: Ifma): void {
  if (ifma.ifp === null) return;
  ifma.ifp = null;
  if (ifma.m.state === 'LINKED') ifma.m.send('ORPHAN');
}

/** if_freemulti(ifma): the memory goes. Entry and exit: nobody else holds ifma (ifma_refcount 0). */
function* ifFreemulti(ifma: Ifma): KThread<void> {
  kassert(ifma.refcount === 0, () => `if_freemulti: ${ifma.mem.name} ifma_refcount ${ifma.refcount}`);
  yield* kmemFree(ifma.mem);
  ifma.m.send('FREE');
}

/** if_purgemaddrs(ifp), from if_detach. Entry and exit: no lock held. */
export function* ifPurgemaddrs(ex: Execution, g: IfnetGlobals, ifp: Ifnet, listRef: boolean): KThread<void> {
  yield* mutexEnter(ifp.addrLock);
  for (const ifma of [...ifp.multiaddrs]) yield* ifDelmultiLocked(ex, g, ifp, ifma, true, listRef);
  yield* mutexExit(ifp.addrLock);
}

/** if_delmulti_ifma(ifma). Entry and exit: no lock held. */
export function* ifDelmultiIfma(ex: Execution, g: IfnetGlobals, ifma: Ifma): KThread<void> {
  yield* memAccess(ifma.mem, 'r', 'ifp = ifma->ifma_ifp', true);
  const ifp = ifma.ifp;
  if (ifp !== null) yield* mutexEnter(ifp.addrLock); // IF_ADDR_LOCK(ifp): the lock lives in the ifnet
  const lastref = yield* ifDelmultiLocked(ex, g, ifp, ifma, false, g.mcastListRef);
  if (ifp !== null) {
    yield* mutexExit(ifp.addrLock);
    if (lastref) yield* memAccess(ifp.mem, 'r', 'if_ioctl (SIOCDELMULTI)', true);
  }
}

/** if_delmulti(ifp, sa): by address on an ifp the caller keeps. Entry and exit: no lock held. */
export function* ifDelmulti(ex: Execution, g: IfnetGlobals, ifp: Ifnet, sa: SockaddrDl): KThread<number> {
  yield* mutexEnter(ifp.addrLock);
  const ifma = yield* ifFindmulti(ex, ifp, sa);
  const lastref = ifma ? yield* ifDelmultiLocked(ex, g, ifp, ifma, false, g.mcastListRef) : 0;
  yield* mutexExit(ifp.addrLock);
  if (ifma === null) return 2; // ENOENT
  if (lastref) yield* memAccess(ifp.mem, 'r', 'if_ioctl (SIOCDELMULTI)', true);
  return Errno.OK;
}

/**
 * if_addmulti for a network-layer group `sa` whose link-layer address is
 * `llsa` (if_resolvemulti). Entry and exit: no lock held. Under
 * IF_ADDR_LOCK: an existing membership gains a reference; else a new ifma
 * (reference 1, the caller's) whose companion is the link-layer ifma,
 * found (and referenced: ll_ifma->ifma_refcount++) or created. The driver's
 * SIOCADDMULTI after the unlock.
 *
 * Mutant fb-llifma-no-ref (a regression guard for the companion's
 * reference, log L550): an existing link-layer ifma is shared without a
 * reference, so the first network-layer leave frees it under the other.
 */
export function* ifAddmultiNet(ex: Execution, g: IfnetGlobals, ifp: Ifnet, sa: SockaddrDl, llsa: SockaddrDl): KThread<Ifma> {
  yield* mutexEnter(ifp.addrLock);
  const found = yield* ifFindmulti(ex, ifp, sa);
  if (found !== null) {
    yield* memAccess(found.mem, 'w', 'ifma_refcount++');
    found.refcount++;
    yield* localAccess(g.mcObj, 'w', 'ifma_refcount');
    yield* mutexExit(ifp.addrLock);
    return found;
  }
  const ifma = new Ifma(new KMem(ex, `ifma ${ifp.name}/${sa.lladdr}`), sa, ifp);
  let ll = yield* ifFindmulti(ex, ifp, llsa);
  if (ll === null) {
    ll = new Ifma(new KMem(ex, `ifma ${ifp.name}/${llsa.lladdr}`), llsa, ifp);
    ifp.multiaddrs.unshift(ll);
    ll.m.send('LINK');
  } else if (!fbBug(ex, 'fb-llifma-no-ref')) {
    yield* memAccess(ll.mem, 'w', 'll_ifma->ifma_refcount++');
    ll.refcount++;
  }
  ifma.llifma = ll;
  ifp.multiaddrs.unshift(ifma);
  ifma.m.send('LINK');
  yield* localAccess(g.mcObj, 'w', 'if_multiaddrs');
  yield* mutexExit(ifp.addrLock);
  yield* memAccess(ifp.mem, 'r', 'if_ioctl (SIOCADDMULTI)', true);
  return ifma;
}
