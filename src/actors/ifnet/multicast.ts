/**
 * Link-layer multicast membership: sa_equal / sa_dl_equal, if_findmulti,
 * if_addmulti, and the SIOCADDMULTI case of ifhwioctl (log L563-570: AF_LINK
 * memberships joined through the ioctl).
 *
 * if_multiaddrs and ifma_refcount are protected by IF_ADDR_LOCK(ifp). The
 * driver's if_ioctl(SIOCADDMULTI) is called after IF_ADDR_UNLOCK, on the
 * caller's ifp (the ioctl path holds a reference, ifunit_ref).
 */
import type { KThread } from '../../core/effect.ts';
import { kassert } from '../../core/errors.ts';
import type { Execution } from '../../core/execution.ts';
import { localAccess } from '../../core/ops.ts';
import { KMem, memAccess } from '../../locks/kmem.ts';
import { MUTEX_HELD, mutexEnter, mutexExit } from '../../locks/kmutex.ts';
import { ifLockgiantIoctl } from './giant.ts';
import { L } from './ifindex.ts';
import { Errno, Ifma, type Ifnet, type IfnetGlobals, type SockaddrDl } from './types.ts';
import { fbBug } from './mutants.ts';

/** sa_equal: the two sockaddrs byte for byte (every field of the sockaddr_dl). */
export function saEqual(a: SockaddrDl, b: SockaddrDl): boolean {
  return a.alen === b.alen && a.lladdr === b.lladdr && a.index === b.index && a.nlen === b.nlen;
}

/** sa_dl_equal, log L566-567: the link-level addresses only (sdl_alen and the LLADDR bytes). */
export function saDlEqual(a: SockaddrDl, b: SockaddrDl): boolean {
  return a.alen === b.alen && a.lladdr === b.lladdr;
}

/**
 * if_findmulti. Entry and exit: IF_ADDR_LOCK(ifp) held (asserted). The
 * ifma on ifp for sa, or NULL. Mutant fb-pre-sa-dl-equal: the code before
 * log L566-567 compared AF_LINK addresses with sa_equal, so the same MAC
 * built by two callers (different sdl_index) was two groups.
 */
export function* ifFindmulti(ex: Execution, ifp: Ifnet, sa: SockaddrDl): KThread<Ifma | null> {
  kassert(MUTEX_HELD(ex, ifp.addrLock), 'IF_ADDR_LOCK_ASSERT(ifp)');
  const eq = fbBug(ex, 'fb-pre-sa-dl-equal') ? saEqual : saDlEqual;
  for (const ifma of ifp.multiaddrs) {
    yield* memAccess(ifma.mem, 'r', 'ifma_addr');
    if (eq(ifma.addr, sa)) return ifma;
  }
  return null;
}

/**
 * The body of if_addmulti under IF_ADDR_LOCK. Entry and exit:
 * IF_ADDR_LOCK(ifp) held. An existing membership gains a reference;
 * otherwise a new ifma (M_NOWAIT, here never failing) with reference 1 is
 * linked at the head of if_multiaddrs. `user` (ghost) marks a userland
 * join. Returns [ifma, created].
 */
function* ifAddmultiLocked(ex: Execution, g: IfnetGlobals, ifp: Ifnet, sa: SockaddrDl, user: boolean): KThread<[Ifma, boolean]> {
  let ifma = yield* ifFindmulti(ex, ifp, sa);
  let created = false;
  if (ifma !== null) {
    yield* memAccess(ifma.mem, 'w', 'ifma_refcount++');
    ifma.refcount++;
  } else {
    ifma = new Ifma(new KMem(ex, `ifma ${ifp.name}/${sa.lladdr}#${ifp.multiaddrs.length}`), sa, ifp);
    ifp.multiaddrs.unshift(ifma); // TAILQ_INSERT_HEAD(&ifp->if_multiaddrs, ifma, ifma_link)
    ifma.m.send('LINK');
    created = true;
  }
  if (user) ifma.userRefs++;
  yield* localAccess(g.mcObj, 'w', 'if_multiaddrs');
  return [ifma, created];
}

/**
 * if_addmulti(ifp, sa, &retifma). Entry and exit: no lock held; the caller
 * keeps ifp alive. Finds or creates the membership under IF_ADDR_LOCK,
 * then, for a new one, calls the driver's if_ioctl(SIOCADDMULTI) with the
 * lock dropped.
 */
export function* ifAddmulti(ex: Execution, g: IfnetGlobals, ifp: Ifnet, sa: SockaddrDl, user = false): KThread<Ifma> {
  yield* mutexEnter(ifp.addrLock);
  const [ifma, created] = yield* ifAddmultiLocked(ex, g, ifp, sa, user);
  const giant = g.giant !== null && ifp.needsGiant;
  if (giant && created && fbBug(ex, 'fb-addmulti-giant-under-addr-lock')) {
    yield* ifLockgiantIoctl(ex, g, ifp, 'SIOCADDMULTI', true); // called down under IF_ADDR_LOCK
    yield* mutexExit(ifp.addrLock);
    return ifma;
  }
  yield* mutexExit(ifp.addrLock);
  if (created && giant) yield* ifLockgiantIoctl(ex, g, ifp, 'SIOCADDMULTI');
  else if (created) yield* memAccess(ifp.mem, 'r', 'if_ioctl (SIOCADDMULTI)', true);
  return ifma;
}

/**
 * ifhwioctl(SIOCADDMULTI, ifp). Entry and exit: no lock held; the caller
 * holds a reference on ifp. Userland may join a group once: the handler
 * looks the group up under IF_ADDR_LOCK, drops the lock, and calls
 * if_addmulti unless it was found (EADDRINUSE). Its own comment says
 * userland "may also lose a race while we check if the membership already
 * exists": two joins can both find nothing and both succeed. With
 * `fixAddmultiAtomic` (candidate fix, finding FB-1) the lookup and the
 * insertion are one IF_ADDR_LOCK section.
 */
export function* ifhwioctlAddmulti(ex: Execution, g: IfnetGlobals, ifp: Ifnet, sa: SockaddrDl, fixAtomic: boolean): KThread<number> {
  if (fixAtomic) {
    yield* mutexEnter(ifp.addrLock);
    if ((yield* ifFindmulti(ex, ifp, sa)) !== null) {
      yield* mutexExit(ifp.addrLock);
      return Errno.EADDRINUSE;
    }
    yield* ifAddmultiLocked(ex, g, ifp, sa, true);
    yield* mutexExit(ifp.addrLock);
    yield* memAccess(ifp.mem, 'r', 'if_ioctl (SIOCADDMULTI)', true);
    return Errno.OK;
  }
  yield* mutexEnter(ifp.addrLock, L(563));
  const found = yield* ifFindmulti(ex, ifp, sa);
  yield* mutexExit(ifp.addrLock, L(563));
  if (found !== null) return Errno.EADDRINUSE;
  yield* ifAddmulti(ex, g, ifp, sa, true);
  return Errno.OK;
}
