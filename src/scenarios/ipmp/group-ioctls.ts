/**
 * The ipmp scenarios of the group ioctls beyond ipmp-join-join (see each
 * description): join against leave, leave against the refresh timer, an
 * unplumb with queued work, group rename against lookup, a member
 * exchange, kstat reads against a leave, mixed media, bad requests. All use
 * the stack built by world.ts: group ipmp0 (and ipmp1) with a linked IPv4
 * illgrp, underlying interfaces e0, e1 with one IPv4 ill each.
 */
import type { KThread } from '../../core/effect.ts';
import { defineScenario } from '../../core/scenario.ts';
import { rwEnter, rwExit } from '../../locks/krwlock.ts';
import { ipmpGrpInfo, ipmpGrpLookup, ipmpGrpUpdateKstats } from '../../actors/ipmp/group.ts';
import { armRefreshTimerInSetup, ipmpIllgrpUnlinkGrp } from '../../actors/ipmp/illgrp.ts';
import { ipModclose, ipProcessIoctl, ipSioctlGroupname, ipifUp } from '../../actors/ipmp/ioctl.ts';
import { Errno, type Grp, type Ill, type IpmpStack, IS_UNDER_IPMP } from '../../actors/ipmp/types.ts';
import { errnoIs, grpHash, ipmpEndChecks, ipmpInvariants } from '../../specs/ipmp/index.ts';
import { checkKstatRead, checkRenameLookup } from '../../specs/ipmp/monitors.ts';
import { IPMP_GRANULARITY, makeGroup, makeIf, newStack, preActivate, preJoin } from './world.ts';
import { ipmpMutantTable } from '../../actors/ipmp/mutants.ts';

const FIX_PARAMS = { fixMactype: false, fixKstats: false, fixTimer: false };

interface S {
  st: IpmpStack;
  e: Ill[];
  grp: Grp[];
  ipmpIll: Ill[];
  reads: number[];
}

function groupname(st: IpmpStack, ill: Ill, grname: string, label: string) {
  return ipProcessIoctl(st.ex, st, ill, label, () => ipSioctlGroupname(st.ex, st, ill, grname));
}

/** ipmp-join-leave: e0 (a member) leaves ipmp0 while e1 joins it. */
export const ipmpJoinLeave = defineScenario<S>({
  name: 'ipmp-join-leave',
  description: 'e0 leaves ipmp0 (SIOCSLIFGROUPNAME "") while e1 joins it: leave switch with the recursive exit of the group xop vs a join switch',
  system: 'ipmp',
  threads: 2,
  params: { ...FIX_PARAMS },
  mutants: ipmpMutantTable.pick('ipmp-dq-no-left-exit', 'ipmp-leave-no-swxop'),
  granularity: IPMP_GRANULARITY,
  stateWalk: true,
  maxSteps: 3000,
  setup(ex) {
    const st = newStack(ex);
    const { grp, ipmpIll } = makeGroup(ex, st, 'ipmp0');
    const e0 = makeIf(st, 'e0').ill;
    const e1 = makeIf(st, 'e1').ill;
    preJoin(st, e0.phyint, grp);
    ex.spawn('T1', groupname(st, e0, '', 'leave e0'));
    ex.spawn('T2', groupname(st, e1, 'ipmp0', 'join e1'));
    return { st, e: [e0, e1], grp: [grp], ipmpIll: [ipmpIll], reads: [] };
  },
  invariants: ipmpInvariants,
  endChecks: [
    ...ipmpEndChecks,
    {
      name: 'join-leave-result',
      statement: 'both ioctls succeed; e0 ends alone on its own xop, e1 a member on the group xop; gr_nif is 1',
      check: ({ st, e, grp }) =>
        errnoIs(st, 'leave e0', [0]) ??
        errnoIs(st, 'join e1', [0]) ??
        (e[0]!.phyint.m.state === 'out' && e[1]!.phyint.m.state === 'member' && grp[0]!.nif === 1 ? null : `e0 ${e[0]!.phyint.m.state}, e1 ${e[1]!.phyint.m.state}, gr_nif ${grp[0]!.nif}`),
    },
  ],
});

/**
 * ipmp-leave-timer: e0 is in ipmp0 with an address up but inactive (an
 * earlier activation failed, so its refresh callout is armed); it leaves the
 * group while the callout fires (ipmp.c L1267 vs L1396-1448).
 */
export const ipmpLeaveTimer = defineScenario<S>({
  name: 'ipmp-leave-timer',
  description: 'e0 leaves ipmp0 while its refresh timer (armed after a failed activation) fires: untimeout vs a handler that re-arms',
  system: 'ipmp',
  threads: 1,
  params: { ...FIX_PARAMS },
  mutants: ipmpMutantTable.pick('ipmp-untimeout-under-ill-lock', 'ipmp-timer-hold-ill-lock'),
  granularity: IPMP_GRANULARITY,
  stateWalk: true,
  maxSteps: 3000,
  setup(ex) {
    const st = newStack(ex);
    const { grp, ipmpIll } = makeGroup(ex, st, 'ipmp0');
    const e0 = makeIf(st, 'e0').ill;
    preJoin(st, e0.phyint, grp);
    e0.ipifUpCount = 1;
    armRefreshTimerInSetup(ex, st, e0);
    ex.spawn('T1', groupname(st, e0, '', 'leave e0'));
    return { st, e: [e0], grp: [grp], ipmpIll: [ipmpIll], reads: [] };
  },
  invariants: ipmpInvariants,
  endChecks: [
    ...ipmpEndChecks,
    {
      name: 'leave-result',
      statement: 'the leave succeeds and e0 ends out of the group, inactive',
      check: ({ st, e }) => errnoIs(st, 'leave e0', [0]) ?? (!IS_UNDER_IPMP(e[0]!) && !e[0]!.actnode ? null : 'e0 still in its illgrp or active'),
    },
  ],
});

/**
 * ipmp-unplumb-queued: T1 unplumbs e1 (ip_modclose) while T2 issues an
 * exclusive ioctl on e1 that may be queued on e1's IPSQ.
 */
export const ipmpUnplumbQueued = defineScenario<S>({
  name: 'ipmp-unplumb-queued',
  description: 'unplumb (ip_modclose) of e1 vs an exclusive ioctl on e1 that looked the ill up and may be queued on its IPSQ',
  system: 'ipmp',
  threads: 2,
  params: { ...FIX_PARAMS },
  mutants: ipmpMutantTable.pick('ipmp-dq-no-broadcast'),
  granularity: IPMP_GRANULARITY,
  stateWalk: true,
  maxSteps: 3000,
  setup(ex) {
    const st = newStack(ex);
    const e1 = makeIf(st, 'e1').ill;
    ex.spawn('T1', ipModclose(ex, st, e1));
    ex.spawn('T2', ipProcessIoctl(ex, st, e1, 'ifup e1', () => ipifUp(ex, st, e1)));
    return { st, e: [e1], grp: [], ipmpIll: [], reads: [] };
  },
  invariants: ipmpInvariants,
  endChecks: [
    ...ipmpEndChecks,
    {
      name: 'unplumb-result',
      statement: 'the ioctl either ran before the unplumb or failed with ENXIO; the ill, phyint and IPSQ are freed',
      check: ({ st, e }) => errnoIs(st, 'ifup e1', [Errno.OK, Errno.ENXIO]) ?? (e[0]!.mem.freed && e[0]!.phyint.ipsq.mem.freed ? null : 'ill or IPSQ not freed'),
    },
  ],
});

function* lookupBoth(st: IpmpStack, s: { reads: number[] }): KThread<void> {
  const fr = st.ex.frame('lookup_both', () => []);
  yield* rwEnter(st.ipmpLock, 'RW_READER', 'ip_if.c ip_sioctl_groupinfo');
  const g = ipmpGrpLookup(st.ex, st, 'ipmp0');
  const h = ipmpGrpLookup(st.ex, st, 'h0');
  checkRenameLookup(g, h, 'ipmp0', 'h0', (found) => ipmpGrpInfo(st.ex, st, found).ifname);
  s.reads.push(g ? 0 : 1);
  yield* rwExit(st.ipmpLock);
  st.ex.leave(fr);
}

/** ipmp-rename-lookup: T1 renames ipmp0's group to h0 while T2 looks both names up (SIOCGLIFGROUPINFO). */
export const ipmpRenameLookup = defineScenario<S>({
  name: 'ipmp-rename-lookup',
  description: 'rename of an IPMP group (SIOCSLIFGROUPNAME on the IPMP ill) vs a group lookup by name under ipmp_lock R',
  system: 'ipmp',
  threads: 2,
  params: { ...FIX_PARAMS },
  mutants: ipmpMutantTable.pick('ipmp-rename-copy-before-remove'),
  granularity: IPMP_GRANULARITY,
  stateWalk: true,
  maxSteps: 1000,
  setup(ex) {
    const st = newStack(ex);
    const { grp, ipmpIll } = makeGroup(ex, st, 'ipmp0');
    const s: S = { st, e: [], grp: [grp], ipmpIll: [ipmpIll], reads: [] };
    ex.spawn('T1', groupname(st, ipmpIll, 'h0', 'rename'));
    ex.spawn('T2', lookupBoth(st, s));
    return s;
  },
  invariants: [...ipmpInvariants, grpHash],
  endChecks: [
    ...ipmpEndChecks,
    {
      name: 'rename-result',
      statement: 'the rename succeeds: h0 maps to the group, ipmp0 to nothing, gr_ifname unchanged',
      check: ({ st, grp }) => errnoIs(st, 'rename', [0]) ?? (st.hash.get('h0') === grp[0] && !st.hash.has('ipmp0') && grp[0]!.ifname === 'ipmp0' ? null : 'hash not renamed'),
    },
  ],
});

/** ipmp-exchange: e0 (in ipmp0) moves to ipmp1 while e1 (in ipmp1) moves to ipmp0; a move is a leave then a join. */
export const ipmpExchange = defineScenario<S>({
  name: 'ipmp-exchange',
  description: 'two groups exchange members: e0 ipmp0 -> ipmp1 and e1 ipmp1 -> ipmp0 (leave then join, each with two xop switches)',
  system: 'ipmp',
  threads: 2,
  params: { ...FIX_PARAMS },
  mutants: [],
  granularity: IPMP_GRANULARITY,
  stateWalk: true,
  maxSteps: 4000,
  setup(ex) {
    const st = newStack(ex);
    const a = makeGroup(ex, st, 'ipmp0');
    const b = makeGroup(ex, st, 'ipmp1');
    const e0 = makeIf(st, 'e0').ill;
    const e1 = makeIf(st, 'e1').ill;
    preJoin(st, e0.phyint, a.grp);
    preJoin(st, e1.phyint, b.grp);
    const move = function* (ill: Ill, to: string): KThread<void> {
      const fr = ex.frame('move', () => [ill, to]);
      yield* groupname(st, ill, '', `leave ${ill.name}`);
      yield* groupname(st, ill, to, `join ${ill.name}`);
      ex.leave(fr);
    };
    ex.spawn('T1', move(e0, 'ipmp1'));
    ex.spawn('T2', move(e1, 'ipmp0'));
    return { st, e: [e0, e1], grp: [a.grp, b.grp], ipmpIll: [a.ipmpIll, b.ipmpIll], reads: [] };
  },
  invariants: ipmpInvariants,
  endChecks: [
    ...ipmpEndChecks,
    {
      name: 'exchange-result',
      statement: 'all four ioctls succeed; e0 ends in ipmp1 and e1 in ipmp0, each on its new group xop',
      check: ({ st, e, grp }) => {
        for (const l of ['leave e0', 'join e0', 'leave e1', 'join e1']) {
          const r = errnoIs(st, l, [0]);
          if (r) return r;
        }
        return e[0]!.phyint.grp === grp[1] && e[1]!.phyint.grp === grp[0] ? null : 'members not exchanged';
      },
    },
  ],
});

function* kstatReader(st: IpmpStack, s: S): KThread<void> {
  let i = 0;
  const fr = st.ex.frame('kstat_reader', () => [i]);
  for (i = 0; i < 2; i++) {
    const r = yield* ipmpGrpUpdateKstats(st.ex, st, s.grp[0]!, 'read');
    checkKstatRead('ipmp0', s.reads[s.reads.length - 1], r.value);
    s.reads.push(r.value);
  }
  st.ex.leave(fr);
}

/** ipmp-kstat-leave: a kstat reader of ipmp0 reads twice while e0 (which carried 10 packets in the group) leaves. */
export const ipmpKstatLeave = defineScenario<S>({
  name: 'ipmp-kstat-leave',
  description: 'kstat reader of the group (ipmp_grp_update_kstats, twice) vs a member leaving (kstat fold, then the ring unlink at ipsq_exit)',
  system: 'ipmp',
  threads: 2,
  params: { ...FIX_PARAMS },
  mutants: [],
  granularity: IPMP_GRANULARITY,
  stateWalk: true,
  maxSteps: 2000,
  setup(ex) {
    const st = newStack(ex);
    const { grp, ipmpIll } = makeGroup(ex, st, 'ipmp0');
    const e0 = makeIf(st, 'e0').ill;
    preJoin(st, e0.phyint, grp);
    e0.phyint.linkPackets = 10;
    const s: S = { st, e: [e0], grp: [grp], ipmpIll: [ipmpIll], reads: [] };
    ex.spawn('T1', groupname(st, e0, '', 'leave e0'));
    ex.spawn('T2', kstatReader(st, s));
    return s;
  },
  invariants: ipmpInvariants,
  endChecks: [
    ...ipmpEndChecks,
    {
      name: 'kstat-monotone',
      statement: 'successive reads of a group kstat never decrease, and the group keeps the departed member\'s 10 packets',
      check: ({ reads, grp }) => (grp[0]!.kstats0 === 10 && reads.every((v, i) => i === 0 || v >= reads[i - 1]!) ? null : `reads ${reads.join(', ')}; gr_kstats0 ${grp[0]!.kstats0}`),
    },
  ],
});

/** ipmp-mixed-media: e0 (DL_ETHER) and ib0 (DL_IB) join the empty group ipmp0 at the same time. */
export const ipmpMixedMedia = defineScenario<S>({
  name: 'ipmp-mixed-media',
  description: 'an Ethernet and an InfiniBand interface join one empty group concurrently (gr_mactype vet at L514 vs set at L1979-1982)',
  system: 'ipmp',
  threads: 2,
  params: { ...FIX_PARAMS },
  mutants: ipmpMutantTable.pick('ipmp-vet-no-mactype'),
  granularity: IPMP_GRANULARITY,
  stateWalk: true,
  maxSteps: 3000,
  setup(ex) {
    const st = newStack(ex);
    const { grp, ipmpIll } = makeGroup(ex, st, 'ipmp0');
    const e0 = makeIf(st, 'e0', 'DL_ETHER').ill;
    const ib0 = makeIf(st, 'ib0', 'DL_IB').ill;
    ex.spawn('T1', groupname(st, e0, 'ipmp0', 'join e0'));
    ex.spawn('T2', groupname(st, ib0, 'ipmp0', 'join ib0'));
    return { st, e: [e0, ib0], grp: [grp], ipmpIll: [ipmpIll], reads: [] };
  },
  invariants: ipmpInvariants,
  endChecks: [
    ...ipmpEndChecks,
    {
      name: 'mixed-media-result',
      statement: 'exactly one join succeeds and the other gets EINVAL (ipmp_grp_vet_ill L514)',
      check: ({ st }) => {
        const a = st.results.get('join e0');
        const b = st.results.get('join ib0');
        return [a, b].sort().join() === [0, Errno.EINVAL].sort().join() ? null : `results ${a}, ${b}`;
      },
    },
  ],
});

/**
 * ipmp-bad-requests: one thread issues requests the C code rejects, while
 * a second joins e0 properly; each bad request must get the C errno and
 * change nothing.
 */
export const ipmpBadRequests = defineScenario<S>({
  name: 'ipmp-bad-requests',
  description: 'bad SIOCSLIFGROUPNAME requests (unknown group, address up, wrong mactype, already in a group, empty or taken rename), kstat write and a busy unlink, each with the C errno',
  system: 'ipmp',
  threads: 1,
  params: { ...FIX_PARAMS },
  mutants: ipmpMutantTable.pick('ipmp-rename-no-eexist'),
  granularity: IPMP_GRANULARITY,
  stateWalk: true,
  maxSteps: 3000,
  setup(ex) {
    const st = newStack(ex);
    const a = makeGroup(ex, st, 'ipmp0');
    const b = makeGroup(ex, st, 'ipmp1');
    const e0 = makeIf(st, 'e0').ill;
    const e1 = makeIf(st, 'e1').ill;
    const ib0 = makeIf(st, 'ib0', 'DL_IB').ill;
    const e2 = makeIf(st, 'e2').ill;
    preJoin(st, e0.phyint, a.grp);
    e1.ipifUpCount = 1;
    const s: S = { st, e: [e0, e1, ib0, e2], grp: [a.grp, b.grp], ipmpIll: [a.ipmpIll, b.ipmpIll], reads: [] };
    const body = function* (): KThread<void> {
      // Which request runs is the callee's frame (its label); then the two direct calls.
      let at = '';
      const fr = ex.frame('bad_requests', () => [at]);
      yield* groupname(st, e2, 'nosuch', 'join unknown');
      yield* groupname(st, e1, 'ipmp0', 'join address up');
      yield* groupname(st, ib0, 'ipmp0', 'join wrong mactype');
      yield* groupname(st, e0, 'ipmp1', 'join while member');
      yield* groupname(st, a.ipmpIll, '', 'rename empty');
      yield* groupname(st, a.ipmpIll, 'ipmp1', 'rename taken');
      at = 'kstat write';
      const w = yield* ipmpGrpUpdateKstats(ex, st, a.grp, 'write');
      st.results.set('kstat write', w.err);
      at = 'unlink busy';
      yield* rwEnter(st.ipmpLock, 'RW_WRITER', 'ip_if.c ip_sioctl_plink_ipmp');
      st.results.set('unlink busy', ipmpIllgrpUnlinkGrp(ex, st, a.grp.v4!, a.grp));
      yield* rwExit(st.ipmpLock);
      ex.leave(fr);
    };
    ex.spawn('T1', body());
    return s;
  },
  invariants: [...ipmpInvariants, grpHash],
  endChecks: [
    ...ipmpEndChecks,
    {
      name: 'bad-request-errno',
      statement: 'each bad request gets the errno of the C code (ipmp notes §6) and changes nothing',
      check: ({ st, e, grp }) => {
        const want: [string, number][] = [
          ['join unknown', Errno.ENOENT],
          ['join address up', Errno.EADDRINUSE],
          ['join wrong mactype', Errno.EINVAL],
          ['join while member', Errno.EALREADY],
          ['rename empty', Errno.EINVAL],
          ['rename taken', Errno.EEXIST],
          ['kstat write', Errno.EACCES],
          ['unlink busy', Errno.EBUSY],
        ];
        for (const [l, v] of want) {
          const r = errnoIs(st, l, [v]);
          if (r) return r;
        }
        const [g0, g1] = grp;
        if (g0!.nif !== 1 || g1!.nif !== 0 || g0!.pendv4 !== 0 || g1!.pendv4 !== 0 || g0!.v4 === null) return 'group counters changed';
        if (st.hash.get('ipmp0') !== g0 || st.hash.get('ipmp1') !== g1 || st.hash.size !== 2) return 'group hash changed';
        if (e[0]!.phyint.grp !== g0 || e[1]!.phyint.grp !== null || e[2]!.phyint.grp !== null || e[3]!.phyint.grp !== null) return 'membership changed';
        return null;
      },
    },
  ],
});
