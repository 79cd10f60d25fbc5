/**
 * Unplumb of the IPMP interface itself: I_PUNLINK of the IPMP ill
 * (ip_sioctl_plink_ipmp -> ipmp_illgrp_unlink_grp, ipmp.c L1110-1128), then
 * its close (ip_modclose -> ill_delete_tail -> ipmp_illgrp_destroy, ipmp.c
 * L582-607 -> ill_glist_delete -> phyint_free -> ipmp_grp_destroy under
 * ipmp_lock W, ipmp.c L419-445, whose kstat_delete waits for readers).
 * The IPMP IPSQ excludes nothing here that matters: a joiner's phase 1 runs
 * as writer of its own xop, and a kstat reader holds no IPSQ at all. What
 * excludes them is ipmp_lock with gr_pendvX (the join) and the kstat hold
 * (the reader).
 */
import type { KThread } from '../../core/effect.ts';
import { defineScenario } from '../../core/scenario.ts';
import { ipmpGrpCreateKstats, kstatRead } from '../../actors/ipmp/group.ts';
import { ipModclose, ipProcessIoctl, ipSioctlGroupname, ipSioctlPlinkIpmp } from '../../actors/ipmp/ioctl.ts';
import { Errno, type Grp, type Ill, type IpmpStack, type Kstat } from '../../actors/ipmp/types.ts';
import { destroyedGrpUnreferenced, errnoIs, ipmpEndChecks, ipmpInvariants } from '../../specs/ipmp/index.ts';
import { grpHash } from '../../specs/ipmp/index.ts';
import { IPMP_GRANULARITY, makeGroup, makeIf, newStack } from './world.ts';
import { ipmpMutantTable } from '../../actors/ipmp/mutants.ts';

const FIX_PARAMS = { fixMactype: false, fixKstats: false, fixTimer: false };

interface S {
  st: IpmpStack;
  e: Ill[];
  grp: Grp[];
  ipmpIll: Ill[];
  /** Kstat reads: the value, or -1 when the kstat was already gone. */
  reads: number[];
  ksp: Kstat | null;
}

/**
 * ifconfig ipmp0 unplumb as the kernel sees it: I_PUNLINK of the IPMP ill
 * (an exclusive ioctl on its IPSQ, the group xop); if the illgrp unlinked,
 * the lower stream is closed (ip_modclose of the IPMP ill).
 */
function* unplumbIpmp(st: IpmpStack, ipmpIll: Ill): KThread<void> {
  const ex = st.ex;
  const fr = ex.frame('unplumb_ipmp', () => [ipmpIll]);
  yield* ipProcessIoctl(ex, st, ipmpIll, 'punlink ipmp0', () => ipSioctlPlinkIpmp(ex, st, ipmpIll, 'I_PUNLINK'));
  if (st.results.get('punlink ipmp0') === Errno.OK) yield* ipModclose(ex, st, ipmpIll);
  ex.leave(fr);
}

function* joinGroup(st: IpmpStack, ill: Ill, grname: string): KThread<void> {
  const ex = st.ex;
  const fr = ex.frame('join_group', () => [ill, grname]);
  yield* ipProcessIoctl(ex, st, ill, `join ${ill.name}`, () => ipSioctlGroupname(ex, st, ill, grname));
  ex.leave(fr);
}

function* closeIll(st: IpmpStack, ill: Ill): KThread<void> {
  const fr = st.ex.frame('close_ill', () => [ill]);
  yield* ipModclose(st.ex, st, ill);
  st.ex.leave(fr);
}

function* readKstat(st: IpmpStack, s: S): KThread<void> {
  const fr = st.ex.frame('read_kstat', () => [s.ksp]);
  const r = yield* kstatRead(st.ex, st, s.ksp!);
  s.reads.push(r === null ? -1 : r.value);
  st.ex.leave(fr);
}

/** The IPMP interface and everything under it are gone: group, illgrp, IPMP ill, phyint and IPSQ freed, the hash empty. */
function ipmpGone(st: IpmpStack, grp: Grp, ipmpIll: Ill): string | null {
  if (!grp.mem.freed) return 'group not destroyed';
  if (st.hash.size !== 0) return `hash still holds ${[...st.hash.keys()].join(', ')}`;
  if (ipmpIll.grp !== null) return 'IPMP ill still has its illgrp';
  if (!ipmpIll.mem.freed || !ipmpIll.phyint.mem.freed || !ipmpIll.phyint.ipsq.mem.freed) return 'IPMP ill, phyint or IPSQ not freed';
  return null;
}

/**
 * ipmp-unplumb-join: T1 unplumbs the IPMP interface ipmp0 (I_PUNLINK, then
 * the close that destroys the illgrp and the group) while T2 joins e0 to
 * ipmp0 by name (SIOCSLIFGROUPNAME). The join is excluded only by
 * ipmp_lock and gr_pendv4: either it counts its pending join first and the
 * unlink gets EBUSY (the unplumb fails, e0 ends a member), or it finds the
 * group unlinked (EAFNOSUPPORT) or gone (ENOENT).
 */
export const ipmpUnplumbJoin = defineScenario<S>({
  name: 'ipmp-unplumb-join',
  description: 'unplumb of the IPMP interface (I_PUNLINK, ip_modclose: ipmp_illgrp_destroy, ipmp_grp_destroy) vs a join of e0 to the group by name',
  system: 'ipmp',
  threads: 2,
  params: { ...FIX_PARAMS },
  mutants: ipmpMutantTable.pick('ipmp-unlink-no-pend'),
  granularity: IPMP_GRANULARITY,
  maxSteps: 3000,
  stateWalk: true,
  setup(ex) {
    const st = newStack(ex);
    const { grp, ipmpIll } = makeGroup(ex, st, 'ipmp0');
    const e0 = makeIf(st, 'e0').ill;
    ex.spawn('T1', unplumbIpmp(st, ipmpIll));
    ex.spawn('T2', joinGroup(st, e0, 'ipmp0'));
    return { st, e: [e0], grp: [grp], ipmpIll: [ipmpIll], reads: [], ksp: null };
  },
  invariants: [...ipmpInvariants, grpHash, destroyedGrpUnreferenced],
  endChecks: [
    ...ipmpEndChecks,
    {
      name: 'unplumb-join-result',
      statement: 'either the join counted first (I_PUNLINK EBUSY, e0 a member of the live group in its illgrp) or the unplumb won (join EAFNOSUPPORT or ENOENT, e0 out, group and IPMP interface freed)',
      check: ({ st, e, grp, ipmpIll }) => {
        const r = errnoIs(st, 'punlink ipmp0', [Errno.OK, Errno.EBUSY]);
        if (r) return r;
        const e0 = e[0]!;
        if (st.results.get('punlink ipmp0') === Errno.EBUSY) {
          return errnoIs(st, 'join e0', [Errno.OK]) ?? (e0.phyint.m.state === 'member' && e0.grp === grp[0]!.v4 && st.hash.get('ipmp0') === grp[0] ? null : `e0 ${e0.phyint.m.state}`);
        }
        return errnoIs(st, 'join e0', [Errno.EAFNOSUPPORT, Errno.ENOENT]) ?? (e0.phyint.m.state === 'out' && e0.phyint.grp === null ? null : `e0 ${e0.phyint.m.state}`) ?? ipmpGone(st, grp[0]!, ipmpIll[0]!);
      },
    },
  ],
});

/**
 * ipmp-unplumb-kstat: ipmp0 is already unlinked (I_PUNLINK done); T1 closes
 * the IPMP ill, so phyint_free runs ipmp_grp_destroy, whose kstat_delete
 * waits under ipmp_lock W for a reader holding the kstat (ipmp notes E4,
 * R6); T2 reads the group kstat (kstat hold, ipmp_grp_update_kstats with
 * ill_g_lock R, rele).
 */
export const ipmpUnplumbKstat = defineScenario<S>({
  name: 'ipmp-unplumb-kstat',
  description: 'close of the unlinked IPMP ill (ipmp_grp_destroy: kstat_delete under ipmp_lock W) vs a read of the group kstat (ks_update under the kstat hold)',
  system: 'ipmp',
  threads: 2,
  params: { ...FIX_PARAMS },
  mutants: ipmpMutantTable.pick('ipmp-grp-destroy-free-first'),
  granularity: IPMP_GRANULARITY,
  maxSteps: 2000,
  stateWalk: true,
  setup(ex) {
    const st = newStack(ex);
    const { grp, ipmpIll } = makeGroup(ex, st, 'ipmp0');
    ipmpGrpCreateKstats(ex, grp);
    // A completed I_PUNLINK (ipmp_illgrp_unlink_grp, ipmp.c L1123-1125): the group has no illgrp.
    grp.v4 = null;
    const s: S = { st, e: [], grp: [grp], ipmpIll: [ipmpIll], reads: [], ksp: grp.ksp };
    ex.spawn('T1', closeIll(st, ipmpIll));
    ex.spawn('T2', readKstat(st, s));
    return s;
  },
  invariants: [...ipmpInvariants, grpHash, destroyedGrpUnreferenced],
  endChecks: [
    ...ipmpEndChecks,
    {
      name: 'unplumb-kstat-result',
      statement: 'the reader either read the kstat (0: no member ever) or found it deleted; the group, its kstat and the IPMP interface are gone',
      check: ({ st, grp, ipmpIll, reads, ksp }) => {
        if (reads.length !== 1 || (reads[0] !== 0 && reads[0] !== -1)) return `kstat reads ${reads.join(', ')}`;
        if (!ksp!.deleted) return 'kstat not deleted';
        return ipmpGone(st, grp[0]!, ipmpIll[0]!);
      },
    },
  ],
});
