/**
 * Giant around driver ioctls (IFF_LOCKGIANT, log L32-36, L513-526): for an
 * IFF_NEEDSGIANT driver, if.c takes Giant around every call into the
 * driver's if_ioctl. The driver's multicast filter programming (ed_setmulti
 * style) walks if_multiaddrs under IF_ADDR_LOCK, so the lock order the
 * code keeps is Giant before IF_ADDR_LOCK: if_addmulti drops IF_ADDR_LOCK
 * before IFF_LOCKGIANT and the SIOCADDMULTI call ("We are certain we have
 * added something, so call down to the interface"), and if_delmulti_ifma's
 * comment asks callers to hold Giant "to avoid a LOR".
 *
 * Mutant fb-addmulti-giant-under-addr-lock (a regression guard for that
 * order, not a commit): if_addmulti calls down with IF_ADDR_LOCK still held
 * (IF_ADDR_LOCK before Giant), against SIOCSIFFLAGS (Giant, then the
 * driver's IF_ADDR_LOCK).
 */
import type { KThread } from '../../core/effect.ts';
import { kassert } from '../../core/errors.ts';
import type { Execution } from '../../core/execution.ts';
import { memAccess } from '../../locks/kmem.ts';
import { MUTEX_HELD, mutexEnter, mutexExit } from '../../locks/kmutex.ts';
import type { Ifnet, IfnetGlobals } from './types.ts';

/**
 * The driver's multicast filter programming. `addrLockHeld`: the caller
 * already holds IF_ADDR_LOCK (the mutant's call under the lock); else the
 * driver takes it around the walk. Entry: Giant held (IFF_LOCKGIANT).
 */
function* driverSetmulti(ex: Execution, g: IfnetGlobals, ifp: Ifnet, addrLockHeld: boolean): KThread<void> {
  kassert(MUTEX_HELD(ex, g.giant!), 'Giant held (IFF_LOCKGIANT)');
  if (!addrLockHeld) yield* mutexEnter(ifp.addrLock);
  for (const ifma of ifp.multiaddrs) yield* memAccess(ifma.mem, 'r', 'ifma_addr (hash filter)');
  yield* memAccess(ifp.mem, 'w', 'multicast hash filter');
  if (!addrLockHeld) yield* mutexExit(ifp.addrLock);
}

/**
 * IFF_LOCKGIANT(ifp); (*ifp->if_ioctl)(ifp, cmd); IFF_UNLOCKGIANT(ifp) for
 * a command that reprograms the multicast filter (SIOCADDMULTI, or
 * SIOCSIFFLAGS through the driver's init). Entry and exit: IF_ADDR_LOCK
 * held iff `addrLockHeld`; Giant not held.
 */
export function* ifLockgiantIoctl(ex: Execution, g: IfnetGlobals, ifp: Ifnet, cmd: string, addrLockHeld = false): KThread<void> {
  kassert(g.giant !== null && ifp.needsGiant, 'an IFF_NEEDSGIANT ifnet and Giant');
  yield* mutexEnter(g.giant, cmd);
  yield* driverSetmulti(ex, g, ifp, addrLockHeld);
  yield* mutexExit(g.giant);
}
