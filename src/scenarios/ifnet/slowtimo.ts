/**
 * fb-slowtimo-vs-detach (FB-SLOWTIMO-vs-DETACH, log L304-305, L496): T1 is
 * one if_slowtimo tick with em0's watchdog due (if_timer 1); T2 is em0's
 * driver detaching it (stop under the driver lock, if_detach, if_free).
 * Fixed (the era code): the watchdog runs under IFNET_RLOCK, so the detach
 * waits for the walk, and the driver drops its lock before if_detach.
 * Mutant fb-slowtimo-watchdog-unlocked: the walker drops the lock around
 * if_watchdog and the ifnet is freed under it (use-after-free). Mutant
 * fb-detach-under-driver-lock: the detach holds the driver lock into
 * if_detach's IFNET_WLOCK while the watchdog, under IFNET_RLOCK, waits for
 * the driver lock (deadlock; the lock-order graph has the cycle).
 */
import { defineScenario } from '../../core/scenario.ts';
import { KMem } from '../../locks/kmem.ts';
import { Mtx } from '../../actors/ifnet/mtx.ts';
import { type Driver, driverDetach, ifSlowtimoTick } from '../../actors/ifnet/slowtimo.ts';
import type { IfnetGlobals } from '../../actors/ifnet/types.ts';
import { ifnetInvariants, ifnetQuiescent } from '../../specs/ifnet/index.ts';
import { IFNET_GRANULARITY, ifnetSnapshot, ifnetWorld } from './world.ts';

interface S {
  g: IfnetGlobals;
  drv: Driver;
}

export const fbSlowtimoVsDetach = defineScenario<S>({
  name: 'fb-slowtimo-vs-detach',
  description: 'the if_slowtimo watchdog walk against a driver detaching and freeing its ifnet',
  system: 'freebsd',
  threads: 2,
  mutants: ['fb-slowtimo-watchdog-unlocked', 'fb-detach-under-driver-lock'],
  granularity: `${IFNET_GRANULARITY}; mtx_lock of the driver lock`,
  setup(ex) {
    const g = ifnetWorld(ex, 4, ['em0']);
    const ifp = g.all[0]!;
    const drv: Driver = { lock: new Mtx(ex, 'em0 softc mtx', 'em_mtx', new KMem(ex, 'em0 softc')), ifp, timer: 1 };
    ex.spawn('T1', ifSlowtimoTick(ex, g, [drv]));
    ex.spawn('T2', driverDetach(ex, g, drv));
    return { g, drv };
  },
  snapshot: (s) => ifnetSnapshot(s),
  invariants: ifnetInvariants,
  endChecks: [
    ifnetQuiescent,
    {
      name: 'slowtimo-result',
      statement: 'em0 ends freed',
      check: ({ g }) => (g.all[0]!.m.state === 'FREED' ? null : `em0 ends ${g.all[0]!.m.state}`),
    },
  ],
});
