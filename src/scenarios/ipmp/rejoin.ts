/**
 * ipmp-leave-rejoin (ipmp notes §5 R1): e0 is in ipmp0 with an address up
 * but inactive (an earlier ipmp_ill_activate failed, so the refresh callout
 * is armed, ipmp.c L1389-1390). One thread takes it out and back in:
 * SIOCSLIFGROUPNAME "" (the leave cancels the callout at L1267 without
 * clearing ill_refresh_tid), the address goes down (the join vet refuses
 * up addresses, L472), SIOCSLIFGROUPNAME ipmp0, and the address comes up
 * again, which activates e0 (ipmp_phyint_refresh_active, L2117). KM_NOSLEEP
 * allocations may fail (allocFail), so the activation at L1474-1488 may
 * fail again; the retry must then be armed (L1430-1448).
 *
 * The refresh callout fires concurrently (it is a second thread). The
 * candidate fix of IPMP-1 is on by default here (fixTimer) so that a
 * failure is R1's and not IPMP-1's; fixRefreshTid is the candidate fix of
 * IPMP-4 (R1).
 */
import type { KThread } from '../../core/effect.ts';
import { defineScenario } from '../../core/scenario.ts';
import { armRefreshTimerInSetup } from '../../actors/ipmp/illgrp.ts';
import { ipifDown, ipifUp, ipProcessIoctl, ipSioctlGroupname } from '../../actors/ipmp/ioctl.ts';
import type { Grp, Ill, IpmpStack } from '../../actors/ipmp/types.ts';
import { errnoIs, ipmpEndChecks, ipmpInvariants } from '../../specs/ipmp/index.ts';
import { IPMP_GRANULARITY, makeGroup, makeIf, newStack, preJoin } from './world.ts';

interface S {
  st: IpmpStack;
  e0: Ill;
  grp: Grp;
}

export const ipmpLeaveRejoin = defineScenario<S>({
  name: 'ipmp-leave-rejoin',
  description: 'e0 (inactive, refresh armed) leaves ipmp0, takes its address down, rejoins and brings it up with KM_NOSLEEP failures: the stale ill_refresh_tid left by untimeout (L1267) vs the retry guard (L1438)',
  system: 'ipmp',
  threads: 1,
  params: { fixMactype: false, fixKstats: false, fixTimer: true, fixRefreshTid: false, fires: 0 },
  paramTypes: { fires: { min: 0, max: 3, description: 'refresh callouts that fire during the leave and rejoin (unfair-clock bound)' } },
  mutants: [],
  granularity: IPMP_GRANULARITY,
  allocFail: true,
  maxSteps: 3000,
  stateWalk: true,
  setup(ex) {
    const st = newStack(ex);
    const { grp } = makeGroup(ex, st, 'ipmp0');
    const e0 = makeIf(st, 'e0').ill;
    preJoin(st, e0.phyint, grp);
    e0.ipifUpCount = 1;
    // Unfair-clock bound (docs/coverage/ipmp.md): `fires` refresh callouts
    // may fire in the execution, the one armed here first; later ones are
    // pending (ill_refresh_tid set, untimeout cancels them, active-list counts
    // them as armed) but never fire. fires = 0: the 120 s timer does not
    // expire during the four ioctls.
    st.calloutHorizon = ex.param<number>('fires');
    armRefreshTimerInSetup(ex, st, e0);
    const body = function* (): KThread<void> {
      // Which ioctl runs is the callee's frame (its label).
      const fr = ex.frame('leave_rejoin', () => []);
      yield* ipProcessIoctl(ex, st, e0, 'leave e0', () => ipSioctlGroupname(ex, st, e0, ''));
      yield* ipProcessIoctl(ex, st, e0, 'ifdown e0', () => ipifDown(ex, st, e0));
      yield* ipProcessIoctl(ex, st, e0, 'join e0', () => ipSioctlGroupname(ex, st, e0, 'ipmp0'));
      yield* ipProcessIoctl(ex, st, e0, 'ifup e0', () => ipifUp(ex, st, e0));
      ex.leave(fr);
    };
    ex.spawn('T1', body());
    return { st, e0, grp };
  },
  invariants: ipmpInvariants,
  endChecks: [
    ...ipmpEndChecks,
    {
      name: 'rejoin-result',
      statement: 'all four ioctls succeed and e0 ends a member of ipmp0 with its address up',
      check: ({ st, e0, grp }) =>
        errnoIs(st, 'leave e0', [0]) ??
        errnoIs(st, 'ifdown e0', [0]) ??
        errnoIs(st, 'join e0', [0]) ??
        errnoIs(st, 'ifup e0', [0]) ??
        (e0.phyint.grp === grp && e0.grp !== null && e0.ipifUpCount === 1 ? null : 'e0 not back in ipmp0 with its address up'),
    },
  ],
});
