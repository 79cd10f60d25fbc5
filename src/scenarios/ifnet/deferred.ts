/**
 * fb-deferred-start-after-detach (FB-DEFERRED-START-AFTER-DETACH, log
 * L32-57, L35-36): T1 transmits on ed0 (holding a reference from
 * ifunit_ref, as a route's ifa would) and calls if_start; T2 destroys the
 * cloned ed0 (if_detach, if_free). Fixed (after the IFF_NEEDSGIANT
 * removal): if_start calls the driver directly, under T1's reference.
 * Mutant fb-pre-needsgiant-removal: ed0 is IFF_NEEDSGIANT, so if_start
 * queues if_starttask on taskqueue_swi_giant; if_detach drains only
 * if_linktask, and the last if_rele frees ed0 with the task still queued
 * (TQ-1), which then runs the driver on freed memory.
 */
import { defineScenario } from '../../core/scenario.ts';
import type { KThread } from '../../core/effect.ts';
import { ifCloneDestroy, ifunitRef, ifunitRefDone } from '../../actors/ifnet/ifnet.ts';
import { giantInit, ifStart } from '../../actors/ifnet/start.ts';
import { Errno, type IfnetGlobals } from '../../actors/ifnet/types.ts';
import { ifnetInvariants, ifnetQuiescent, taskInvariants } from '../../specs/ifnet/index.ts';
import { IFNET_GRANULARITY, ifnetSnapshot, ifnetWorld } from './world.ts';

interface S {
  g: IfnetGlobals;
}

export const fbDeferredStartAfterDetach = defineScenario<S>({
  name: 'fb-deferred-start-after-detach',
  description: 'a transmit whose if_start may be deferred to a Giant taskqueue, against if_clone_destroy of the interface',
  system: 'freebsd',
  threads: 2,
  mutants: ['fb-pre-needsgiant-removal'],
  granularity: `${IFNET_GRANULARITY}; mutex_enter(Giant); the taskqueue worker taking a task`,
  setup(ex) {
    const g = ifnetWorld(ex, 4, ['ed0']);
    giantInit(ex, g);
    if (ex.bug('fb-pre-needsgiant-removal')) g.all[0]!.needsGiant = true;
    ex.spawn(
      'T1',
      (function* (): KThread<void> {
        const ifp = yield* ifunitRef(ex, g, 'ed0');
        if (ifp === null) {
          g.results.set('transmit', Errno.ENXIO);
          return;
        }
        yield* ifStart(ex, g, ifp);
        yield* ifunitRefDone(ex, g, ifp);
        g.results.set('transmit', Errno.OK);
      })(),
    );
    ex.spawn('T2', ifCloneDestroy(ex, g, 'ed0', 'destroy'));
    return { g };
  },
  snapshot: (s) => ifnetSnapshot(s),
  invariants: [...ifnetInvariants, ...taskInvariants],
  endChecks: [
    ifnetQuiescent,
    {
      name: 'deferred-start-result',
      statement: 'ed0 ends freed with no task left for it',
      check: ({ g }) => {
        const ed0 = g.all[0]!;
        return ed0.m.state === 'FREED' && ed0.pendingTasks === 0 ? null : `ed0 ${ed0.m.state}, ${ed0.pendingTasks} task(s) pending`;
      },
    },
  ],
});
