/**
 * fb-ifnet-disappear (FB-IFNET-DISAPPEAR, log L291-292, L28-31): T1 runs
 * an interface ioctl on ed0 (ifioctl: look the ifnet up by name, then
 * ifhwioctl calls the driver with no ifnet lock) while T2 destroys the
 * cloned ed0 (if_clone_destroy: if_detach, if_free).
 *
 * Fixed (after the ifunit_ref commit): T1 holds a reference from
 * ifunit_ref, so if_free only gives back the index and the last if_rele
 * frees; or T1 finds ed0 gone or dying and fails with ENXIO. Mutant
 * fb-pre-r191423-ifunit-noref: T1 keeps ifunit's bare pointer and if_free
 * frees at once: REF-1 (freed while held), then the driver call reads
 * freed memory.
 */
import { defineScenario } from '../../core/scenario.ts';
import { ifCloneDestroy, ifioctl } from '../../actors/ifnet/ifnet.ts';
import { Errno, type IfnetGlobals } from '../../actors/ifnet/types.ts';
import { ifnetInvariants, ifnetQuiescent, rt1 } from '../../specs/ifnet/index.ts';
import { RtTables, rtinitAllFibs } from '../../actors/ifnet/route.ts';
import { IFNET_GRANULARITY, ifnetSnapshot, ifnetWorld } from './world.ts';

interface S {
  g: IfnetGlobals;
}

export const fbIfnetDisappear = defineScenario<S>({
  name: 'fb-ifnet-disappear',
  description: 'an interface ioctl against if_clone_destroy of the same interface (ifunit vs ifunit_ref)',
  system: 'freebsd',
  threads: 2,
  mutants: ['fb-pre-r191423-ifunit-noref'],
  granularity: IFNET_GRANULARITY,
  setup(ex) {
    const g = ifnetWorld(ex, 4, ['ed0']);
    ex.spawn('T1', ifioctl(ex, g, 'ed0', 'ioctl'));
    ex.spawn('T2', ifCloneDestroy(ex, g, 'ed0', 'destroy'));
    return { g };
  },
  snapshot: (s) => ifnetSnapshot(s),
  invariants: ifnetInvariants,
  endChecks: [
    ifnetQuiescent,
    {
      name: 'disappear-result',
      statement: 'the destroy succeeds and ed0 ends freed; the ioctl succeeds or fails with ENXIO',
      check: ({ g }) => {
        const d = g.results.get('destroy');
        const i = g.results.get('ioctl');
        if (d !== Errno.OK) return `destroy returned ${d}`;
        if (i !== Errno.OK && i !== Errno.ENXIO) return `ioctl returned ${i}`;
        if (g.all[0]!.m.state !== 'FREED') return `ed0 ends ${g.all[0]!.m.state}`;
        return null;
      },
    },
  ],
});

/**
 * fb-fib-detach-purge (FB-FIB-DETACH-PURGE, log L352-363, L375-379): two
 * FIBs; ed0's interface route is in both (rtinit). T1 destroys the cloned
 * ed0. Fixed (era if_detach): the purge walks every FIB. Mutant
 * fb-detach-purge-fib0-only: only row 0 is purged, and FIB 1's route
 * outlives ed0 (RT-1). One thread, no preemption: a lifecycle bug.
 */
export const fbFibDetachPurge = defineScenario<S>({
  name: 'fb-fib-detach-purge',
  description: 'if_clone_destroy of an interface whose route is in two FIBs',
  system: 'freebsd',
  threads: 1,
  mutants: ['fb-detach-purge-fib0-only'],
  granularity: `${IFNET_GRANULARITY}; mutex_enter of each FIB's RADIX_NODE_HEAD_LOCK`,
  setup(ex) {
    const g = ifnetWorld(ex, 4, ['ed0']);
    g.rt = new RtTables(ex, 2);
    rtinitAllFibs(g.rt, g.all[0]!, '192.0.2.0/24');
    ex.spawn('T1', ifCloneDestroy(ex, g, 'ed0', 'destroy'));
    return { g };
  },
  snapshot: (s) => ifnetSnapshot(s),
  invariants: [...ifnetInvariants, rt1],
  endChecks: [ifnetQuiescent],
});
