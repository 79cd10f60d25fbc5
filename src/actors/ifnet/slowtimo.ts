/**
 * The if_slowtimo watchdog walker against a driver detaching its ifnet
 * (log L304-305, L496: if_slowtimo drives the deprecated if_watchdog).
 *
 * As the era code writes it, if_slowtimo holds IFNET_RLOCK across the walk
 * of V_ifnet and calls each due if_watchdog with it held; a driver's
 * watchdog takes the driver lock, so the lock order is ifnet_lock before
 * the driver lock. The detach path (the driver's detach method) stops the
 * hardware under its driver lock, drops it, and only then calls
 * ether_ifdetach (if_detach: IFNET_WLOCK) and if_free.
 *
 * Mutants (the two ways the analysis lists to break it; regression guards,
 * not commits of the log): fb-slowtimo-watchdog-unlocked, the walker drops
 * IFNET_RLOCK around if_watchdog and keeps a bare pointer;
 * fb-detach-under-driver-lock, the driver calls if_detach with its lock
 * still held (the reverse order).
 */
import type { KThread } from '../../core/effect.ts';
import type { Execution } from '../../core/execution.ts';
import { memAccess } from '../../locks/kmem.ts';
import { rwEnter, rwExit } from '../../locks/krwlock.ts';
import { L } from './ifindex.ts';
import { ifDetach, ifFree } from './ifnet.ts';
import { type Mtx, mtxLock, mtxUnlock } from './mtx.ts';
import type { Ifnet, IfnetGlobals } from './types.ts';
import { fbBug } from './mutants.ts';

/** A driver instance: its softc lock (EM_LOCK) and the ifnet it attached. */
export interface Driver {
  readonly lock: Mtx;
  readonly ifp: Ifnet;
  /** if_timer of the ifnet (seconds to the watchdog); written by the driver under its lock and by if_slowtimo under IFNET_RLOCK. */
  timer: number;
}

/** The driver's if_watchdog (em_watchdog): takes the driver lock, resets the chip. Entry: whatever the caller holds. */
function* driverWatchdog(_ex: Execution, drv: Driver): KThread<void> {
  yield* mtxLock(drv.lock);
  yield* memAccess(drv.ifp.mem, 'w', 'if_oerrors++, re-init (if_watchdog)');
  yield* mtxUnlock(drv.lock);
}

/**
 * if_slowtimo(arg): one tick. Entry and exit: no lock held. Under
 * IFNET_RLOCK, for each ifnet of V_ifnet: count if_timer down and call
 * if_watchdog when it reaches 0. The re-arming timeout() is left out (one
 * tick is what the scenario needs).
 */
export function* ifSlowtimoTick(ex: Execution, g: IfnetGlobals, drivers: readonly Driver[]): KThread<void> {
  yield* rwEnter(g.ifnetLock, 'RW_READER', L(304));
  for (const ifp of [...g.ifnet]) {
    const drv = drivers.find((d) => d.ifp === ifp);
    yield* memAccess(ifp.mem, 'w', 'if_timer');
    if (!drv || drv.timer === 0 || --drv.timer > 0) continue;
    if (fbBug(ex, 'fb-slowtimo-watchdog-unlocked')) {
      yield* rwExit(g.ifnetLock); // dropped around the driver call: ifp is a bare pointer now
      yield* driverWatchdog(ex, drv);
      yield* rwEnter(g.ifnetLock, 'RW_READER');
      continue;
    }
    yield* driverWatchdog(ex, drv);
  }
  yield* rwExit(g.ifnetLock, L(304));
}

/**
 * The driver's detach method (em_detach): stop the chip under the driver
 * lock (if_timer = 0), drop the lock, ether_ifdetach (if_detach), if_free.
 * Entry and exit: no lock held. The caller owns if_alloc's reference.
 */
export function* driverDetach(ex: Execution, g: IfnetGlobals, drv: Driver): KThread<void> {
  yield* mtxLock(drv.lock);
  yield* memAccess(drv.ifp.mem, 'w', 'if_timer = 0 (em_stop)');
  drv.timer = 0;
  const underLock = fbBug(ex, 'fb-detach-under-driver-lock');
  if (!underLock) yield* mtxUnlock(drv.lock);
  yield* ifDetach(ex, g, drv.ifp);
  if (underLock) yield* mtxUnlock(drv.lock);
  yield* ifFree(ex, g, drv.ifp);
}
