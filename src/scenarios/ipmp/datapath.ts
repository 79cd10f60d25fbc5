/**
 * Datapath threads against the group writer (ipmp notes §2.3 "Datapath /
 * non-IPSQ entry points"). A datapath thread holds no IPSQ: it takes
 * ipmp_lock (R, or W for the rotor) and, nested, the ill_lock of the ill it
 * references (ill_check_and_refhold), uses the ill and drops the
 * reference. The group writer meanwhile makes members leave, deactivate and
 * activate, and the IPMP interface itself is unplumbed.
 */
import type { KThread } from '../../core/effect.ts';
import { spawn } from '../../core/ops.ts';
import { defineScenario } from '../../core/scenario.ts';
import { rwEnter, rwExit } from '../../locks/krwlock.ts';
import { datapathRele, datapathUse, ipmpIllGetIpmpIfindex, ipmpIllgrpFindIll, ipmpIllgrpHoldCastIll, ipmpIllgrpHoldNextIll, ipmpIllHoldIpmpIll, ipmpIpifHoldBoundIll } from '../../actors/ipmp/datapath.ts';
import { ipifDown, ipifUp, ipModclose, ipProcessIoctl, ipSioctlGroupname, ipSioctlPlinkIpmp } from '../../actors/ipmp/ioctl.ts';
import { ArpEnt, Errno, type Grp, type Ill, type Ipif, type IpmpStack } from '../../actors/ipmp/types.ts';
import { datapathEndChecks, datapathInvariants } from '../../specs/ipmp/datapath.ts';
import { destroyedGrpUnreferenced, errnoIs, ipmpEndChecks, ipmpInvariants } from '../../specs/ipmp/index.ts';
import { grpHash } from '../../specs/ipmp/index.ts';
import { addDataAddr, IPMP_GRANULARITY, makeGroup, makeIf, newStack, preActivate, preBind, preJoin } from './world.ts';
import { ipmpMutantTable } from '../../actors/ipmp/mutants.ts';

const FIX_PARAMS = { fixMactype: false, fixKstats: false, fixTimer: false, fixCastOrder: false, fixBoundOrder: false };

interface S {
  st: IpmpStack;
  grp: Grp;
  ipmpIll: Ill;
  e: Ill[];
  ipif: Ipif | null;
  /** What each datapath call returned, in order ('-' for NULL). */
  got: string[];
}

/**
 * A transmit on the IPMP interface (ip_wput of a packet routed to ipmp0
 * [ext]): the next member by the rotor, held; the packet goes out on it;
 * the reference is dropped. Then the ill answering for the data address
 * (ipif_bound_ill), held and dropped.
 */
function* transmit(st: IpmpStack, s: S, n: number): KThread<void> {
  const ex = st.ex;
  let i = 0;
  let ill: Ill | null = null;
  let bound: Ill | null = null;
  const fr = ex.frame('transmit', () => [n, i, ill, bound]);
  for (i = 0; i < n; i++) {
    ill = yield* ipmpIllgrpHoldNextIll(ex, st, s.ipmpIll.grp!);
    s.got.push(ill?.name ?? '-');
    if (ill === null) continue;
    datapathUse(ex, ill, 'putnext(ill_wq) of the transmit');
    yield* datapathRele(ex, st, ill);
  }
  ill = null;
  bound = yield* ipmpIpifHoldBoundIll(ex, st, s.ipif!);
  s.got.push(bound?.name ?? '-');
  if (bound !== null) {
    datapathUse(ex, bound, 'the ARP reply for the data address');
    yield* datapathRele(ex, st, bound);
  }
  ex.leave(fr);
}

/** A multicast/broadcast send on the IPMP interface: the nominated cast ill, held, used, dropped; n times. */
function* multicast(st: IpmpStack, s: S, n: number): KThread<void> {
  const ex = st.ex;
  let i = 0;
  let ill: Ill | null = null;
  const fr = ex.frame('multicast', () => [n, i, ill]);
  for (i = 0; i < n; i++) {
    ill = yield* ipmpIllgrpHoldCastIll(ex, st, s.ipmpIll.grp!);
    s.got.push(ill?.name ?? '-');
    if (ill === null) continue;
    datapathUse(ex, ill, 'putnext(ill_wq) of the multicast send');
    yield* datapathRele(ex, st, ill);
  }
  ex.leave(fr);
}

/**
 * A packet received on underlying e0 that IP hands up as the IPMP
 * interface's [ext ip_rput]: the IPMP ill, held (ipmp_ill_hold_ipmp_ill);
 * its ifindex for the socket (ipmp_ill_get_ipmp_ifindex); the member of its
 * illgrp with the source hardware address (ipmp_illgrp_find_ill under
 * ill_g_lock R); then the reference is dropped.
 */
function* receive(st: IpmpStack, s: S, ill: Ill): KThread<void> {
  const ex = st.ex;
  let ipmpIll: Ill | null = null;
  const fr = ex.frame('receive', () => [ill, ipmpIll]);
  ipmpIll = yield* ipmpIllHoldIpmpIll(ex, st, ill);
  s.got.push(ipmpIll?.name ?? '-');
  if (ipmpIll === null) return ex.leave(fr);
  const ifindex = yield* ipmpIllGetIpmpIfindex(ex, st, ill);
  s.got.push(ifindex === 0 ? 'ifindex 0' : ifindex === ipmpIll.phyint.ifindex ? `ifindex ${ipmpIll.name}` : `ifindex ${ifindex}`);
  yield* rwEnter(st.illGLock, 'RW_READER', 'ip.c ip_rput (ill_g_lock for ipmp_illgrp_find_ill)');
  // The held IPMP ill keeps its illgrp: ipmp_illgrp_destroy runs in ill_delete_tail, after ill_refcnt drained.
  const illg = ipmpIll.grp;
  const m = illg === null ? null : ipmpIllgrpFindIll(ex, st, illg, ill.physAddr);
  s.got.push(illg === null ? 'no illgrp' : (m?.name ?? 'not found'));
  yield* rwExit(st.illGLock);
  datapathUse(ex, ipmpIll, 'putnext of the packet up the IPMP ill');
  yield* datapathRele(ex, st, ipmpIll);
  ex.leave(fr);
}

function groupname(st: IpmpStack, ill: Ill, grname: string, label: string) {
  return ipProcessIoctl(st.ex, st, ill, label, () => ipSioctlGroupname(st.ex, st, ill, grname));
}

/** ipmp0 with e0 and e1 as active members (e0 nominated), and one up data address bound to e0. */
function twoActive(ex: Parameters<typeof newStack>[0]): S {
  const st = newStack(ex);
  const { grp, ipmpIll } = makeGroup(ex, st, 'ipmp0');
  const e0 = makeIf(st, 'e0').ill;
  const e1 = makeIf(st, 'e1').ill;
  preJoin(st, e0.phyint, grp);
  preJoin(st, e1.phyint, grp);
  preActivate(e0);
  preActivate(e1);
  const ipif = addDataAddr(ipmpIll, '10.0.0.1');
  preBind(ipif, e0);
  st.enableDatapath();
  return { st, grp, ipmpIll, e: [e0, e1], ipif, got: [] };
}

/**
 * ipmp-transmit-leave: T1 transmits on ipmp0 twice, then looks up the ill
 * bound to its data address; T2 unplumbs e0 (ip_modclose: CONDEMNED, then
 * ipmp_ill_leave_illgrp, which deactivates it, renominates the cast ill to
 * e1 and rebinds the address to e1; then the wait for ill_refcnt, and
 * phyint_free, which runs ipmp_phyint_leave_grp).
 */
export const ipmpTransmitLeave = defineScenario<S>({
  name: 'ipmp-transmit-leave',
  description: 'datapath transmit (ipmp_illgrp_hold_next_ill, ipmp_ipif_hold_bound_ill) vs an active member leaving as it is unplumbed (ip_modclose: deactivate, leave, refcnt drain, free)',
  system: 'ipmp',
  threads: 2,
  params: { ...FIX_PARAMS },
  mutants: ipmpMutantTable.pick('ipmp-refhold-no-condemned-check', 'ipmp-modclose-no-refcnt-wait'),
  granularity: IPMP_GRANULARITY,
  stateWalk: true,
  maxSteps: 3000,
  setup(ex) {
    const s = twoActive(ex);
    ex.spawn('T1', transmit(s.st, s, 2));
    ex.spawn('T2', ipModclose(ex, s.st, s.e[0]!));
    return s;
  },
  invariants: [...ipmpInvariants, ...datapathInvariants],
  endChecks: [
    ...ipmpEndChecks,
    ...datapathEndChecks,
    {
      name: 'transmit-leave-result',
      statement: 'both transmits got a member (e1 stays active throughout), the bound-ill lookup got e0, e1 or NULL (between the unbind and the rebind); e0 is freed; e1 is the only active ill, nominated, with the data address',
      check: ({ e, got, ipif, ipmpIll }) => {
        const [e0, e1] = e as [Ill, Ill];
        if (got.length !== 3 || !['e0', 'e1'].includes(got[0]!) || !['e0', 'e1'].includes(got[1]!) || !['e0', 'e1', '-'].includes(got[2]!)) return `datapath got ${got.join(', ')}`;
        if (!e0.mem.freed) return 'e0 not freed';
        const illg = ipmpIll.grp!;
        if (illg.actif.length !== 1 || illg.actif[0] !== e1 || illg.castIll !== e1 || ipif!.boundIll !== e1) return `ig_actif ${illg.actif.map((i) => i.name).join(',')}, cast ${illg.castIll?.name ?? 'NULL'}, bound ${ipif!.boundIll?.name ?? 'NULL'}`;
        return null;
      },
    },
  ],
});

/**
 * ipmp-cast-deactivate: T1 takes e0's address down (ipmp_ill_deactivate of
 * the nominated ill: ig_actif unlinked at L1598-1602, the cast ill
 * renominated to e1 at L1609), then e1's (no active ill left: nomination
 * NULL), then brings e1's back up (ipmp_ill_activate of the first active
 * ill: nominated at L1502 before it is listed at L1539). T2 sends multicast
 * on ipmp0 twice (ipmp_illgrp_hold_cast_ill).
 */
export const ipmpCastDeactivate = defineScenario<S>({
  name: 'ipmp-cast-deactivate',
  description: 'datapath multicast (ipmp_illgrp_hold_cast_ill) vs the cast ill deactivated and renominated, the last ill deactivated, and the first ill activated again',
  system: 'ipmp',
  threads: 2,
  params: { ...FIX_PARAMS },
  mutants: [],
  granularity: IPMP_GRANULARITY,
  stateWalk: true,
  maxSteps: 4000,
  setup(ex) {
    const s = twoActive(ex);
    const { st } = s;
    const [e0, e1] = s.e as [Ill, Ill];
    const body = function* (): KThread<void> {
      // Which ioctl runs is the callee's frame (its label).
      const fr = ex.frame('cast_deactivate', () => []);
      yield* ipProcessIoctl(ex, st, e0, 'ifdown e0', () => ipifDown(ex, st, e0));
      yield* ipProcessIoctl(ex, st, e1, 'ifdown e1', () => ipifDown(ex, st, e1));
      yield* ipProcessIoctl(ex, st, e1, 'ifup e1', () => ipifUp(ex, st, e1));
      ex.leave(fr);
    };
    ex.spawn('T1', body());
    ex.spawn('T2', multicast(st, s, 2));
    return s;
  },
  invariants: [...ipmpInvariants, ...datapathInvariants],
  endChecks: [
    ...ipmpEndChecks,
    ...datapathEndChecks,
    {
      name: 'cast-deactivate-result',
      statement: 'the three ioctls succeed; e1 ends the only active ill, nominated, with the data address; each multicast send got e0, e1 or NULL',
      check: ({ st, e, got, ipif, ipmpIll }) => {
        const r = errnoIs(st, 'ifdown e0', [0]) ?? errnoIs(st, 'ifdown e1', [0]) ?? errnoIs(st, 'ifup e1', [0]);
        if (r) return r;
        const illg = ipmpIll.grp!;
        if (illg.actif.length !== 1 || illg.actif[0] !== e[1] || illg.castIll !== e[1] || ipif!.boundIll !== e[1]) return `ig_actif ${illg.actif.map((i) => i.name).join(',')}, cast ${illg.castIll?.name ?? 'NULL'}, bound ${ipif!.boundIll?.name ?? 'NULL'}`;
        return got.length === 2 && got.every((g) => ['e0', 'e1', '-'].includes(g)) ? null : `multicast got ${got.join(', ')}`;
      },
    },
  ],
});

/**
 * ipmp-bound-deactivate: ipmp0 has three data addresses, two bound to e0
 * and one to e1. T1 takes e0's address down (ipmp_ill_deactivate: unlinked
 * from ig_actif at L1598-1602, its addresses unbound at L1619 and rebound
 * to e1 at L1644-1650), then up again (ipmp_ill_activate moves one address
 * back from e1, L1519-1526). T2, the datapath, twice looks up the ill that
 * answers for the first address (ipmp_ipif_hold_bound_ill).
 */
export const ipmpBoundDeactivate = defineScenario<S>({
  name: 'ipmp-bound-deactivate',
  description: 'datapath lookup of the ill bound to a data address (ipmp_ipif_hold_bound_ill) vs the deactivation of that ill (unbind, rebind) and its activation again (rebalance)',
  system: 'ipmp',
  threads: 2,
  params: { ...FIX_PARAMS },
  mutants: [],
  granularity: IPMP_GRANULARITY,
  stateWalk: true,
  maxSteps: 4000,
  setup(ex) {
    const s = twoActive(ex);
    const { st, ipmpIll } = s;
    const [e0, e1] = s.e as [Ill, Ill];
    preBind(addDataAddr(ipmpIll, '10.0.0.2'), e1);
    preBind(addDataAddr(ipmpIll, '10.0.0.3'), e0);
    const body = function* (): KThread<void> {
      // Which ioctl runs is the callee's frame (its label).
      const fr = ex.frame('bound_deactivate', () => []);
      yield* ipProcessIoctl(ex, st, e0, 'ifdown e0', () => ipifDown(ex, st, e0));
      yield* ipProcessIoctl(ex, st, e0, 'ifup e0', () => ipifUp(ex, st, e0));
      ex.leave(fr);
    };
    const lookup = function* (): KThread<void> {
      let i = 0;
      let ill: Ill | null = null;
      const fr = ex.frame('bound_lookup', () => [i, ill]);
      for (i = 0; i < 2; i++) {
        ill = yield* ipmpIpifHoldBoundIll(ex, st, s.ipif!);
        s.got.push(ill?.name ?? '-');
        if (ill === null) continue;
        datapathUse(ex, ill, 'the ARP reply for the data address');
        yield* datapathRele(ex, st, ill);
      }
      ex.leave(fr);
    };
    ex.spawn('T1', body());
    ex.spawn('T2', lookup());
    return s;
  },
  invariants: [...ipmpInvariants, ...datapathInvariants],
  endChecks: [
    ...ipmpEndChecks,
    ...datapathEndChecks,
    {
      name: 'bound-deactivate-result',
      statement: 'both ioctls succeed; both ills end active with the three addresses bound and balanced (one and two); each lookup got e0, e1 or NULL',
      check: ({ st, e, got, ipmpIll }) => {
        const r = errnoIs(st, 'ifdown e0', [0]) ?? errnoIs(st, 'ifup e0', [0]);
        if (r) return r;
        const [e0, e1] = e as [Ill, Ill];
        if (!e0.actnode || !e1.actnode || ipmpIll.ipifs.some((i) => i.boundIll === null) || [e0.boundCnt, e1.boundCnt].sort().join() !== '1,2') return `e0 ${e0.boundCnt} e1 ${e1.boundCnt} bound; unbound ${ipmpIll.ipifs.filter((i) => i.boundIll === null).map((i) => i.name).join(',')}`;
        return got.length === 2 && got.every((g) => ['e0', 'e1', '-'].includes(g)) ? null : `lookups got ${got.join(', ')}`;
      },
    },
  ],
});

/**
 * ipmp-arp-destroy: ipmp0 has one member, e0 (active), and a proxy ARP
 * entry (ig_arpent, added earlier by SIOCSARP on ipmp0 and notified to ARP).
 * T1: e0 leaves ipmp0 (ipmp_ill_deactivate refreshes the ARP entries,
 * L1636; the last ill leaving destroys them, L1322-1329). T2: unplumb of
 * ipmp0 (I_PUNLINK, EBUSY while e0 is counted; then the close, whose
 * ipmp_illgrp_destroy ASSERTs ig_arpent empty, L593). T3: a packet received
 * on e0 is handed up as ipmp0 (ipmp_ill_hold_ipmp_ill, get_ipmp_ifindex,
 * find_ill), whose read of ill_grp under ipmp_lock may be stale (L1896-1900).
 */
export const ipmpArpDestroy = defineScenario<S>({
  name: 'ipmp-arp-destroy',
  description: 'ARP entry refresh and destroy by the last member leaving vs the unplumb of the IPMP interface (I_PUNLINK, ipmp_illgrp_destroy) vs a datapath receive on the member (ipmp_ill_hold_ipmp_ill)',
  system: 'ipmp',
  threads: 3,
  params: { ...FIX_PARAMS },
  mutants: ipmpMutantTable.pick('ipmp-leave-keep-arpent', 'ipmp-unlink-no-members'),
  granularity: IPMP_GRANULARITY,
  stateWalk: true,
  maxSteps: 4000,
  setup(ex) {
    const st = newStack(ex);
    const { grp, ipmpIll } = makeGroup(ex, st, 'ipmp0');
    const e0 = makeIf(st, 'e0').ill;
    preJoin(st, e0.phyint, grp);
    preActivate(e0);
    // An entry SIOCSARP made on ipmp0 (ipmp_illgrp_create_arpent, notified by ipmp_illgrp_refresh_arpent).
    const entp = new ArpEnt(ex, '10.0.0.9', true);
    entp.hwAddr = e0.physAddr;
    entp.notified = true;
    ipmpIll.grp!.arpent.push(entp);
    st.enableDatapath();
    const s: S = { st, grp, ipmpIll, e: [e0], ipif: null, got: [] };
    // The I_PUNLINK may be queued on the group xop and run by T1 as it
    // drains; ifconfig closes the stream once the reply came, so the close
    // is a new thread started where the ioctl completes.
    const punlink = function* (): KThread<number> {
      let err = -1;
      const fr = ex.frame('punlink', () => [err]);
      err = yield* ipSioctlPlinkIpmp(ex, st, ipmpIll, 'I_PUNLINK');
      if (err === Errno.OK) yield* spawn('T2 close', ipModclose(ex, st, ipmpIll));
      return ex.leaving(fr, err);
    };
    ex.spawn('T1', groupname(st, e0, '', 'leave e0'));
    ex.spawn('T2', ipProcessIoctl(ex, st, ipmpIll, 'punlink ipmp0', punlink));
    ex.spawn('T3', receive(st, s, e0));
    return s;
  },
  invariants: [...ipmpInvariants, ...datapathInvariants, grpHash, destroyedGrpUnreferenced],
  endChecks: [
    ...ipmpEndChecks,
    ...datapathEndChecks,
    {
      name: 'arp-destroy-result',
      statement: 'the leave succeeds; I_PUNLINK is EBUSY (e0 still counted) or the IPMP interface is gone; the receive got ipmp0 (with its ifindex, or 0 once e0 left, and e0 found or not in ig_if) or NULL',
      check: ({ st, got, ipmpIll }) => {
        const r = errnoIs(st, 'leave e0', [0]) ?? errnoIs(st, 'punlink ipmp0', [Errno.OK, Errno.EBUSY]);
        if (r) return r;
        if (st.results.get('punlink ipmp0') === Errno.OK && !ipmpIll.mem.freed) return 'I_PUNLINK succeeded but ipmp0 was not freed';
        if (st.results.get('punlink ipmp0') === Errno.EBUSY && ipmpIll.grp!.arpent.length !== 0) return 'ARP entries left after the last member left';
        if (got[0] === '-') return got.length === 1 ? null : `receive got ${got.join(', ')}`;
        return got.length === 3 && got[0] === 'ipmp0' && ['ifindex ipmp0', 'ifindex 0'].includes(got[1]!) && ['e0', 'not found'].includes(got[2]!) ? null : `receive got ${got.join(', ')}`;
      },
    },
  ],
});
