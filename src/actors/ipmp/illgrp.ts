/**
 * Underlying ills in an illgrp (ipmp_illgrp_t): link/unlink to the group,
 * join/leave, activation and deactivation, cast nomination, ipif binding
 * (data addresses abstracted to counts), and the refresh timer.
 * ipmp.c lines cited per function.
 */
import type { KThread } from '../../core/effect.ts';
import { kassert, kfail } from '../../core/errors.ts';
import type { Execution } from '../../core/execution.ts';
import { access, localAccess } from '../../core/ops.ts';
import { armTimeout, Callout, timeout, untimeout } from '../../locks/callout.ts';
import { kmemAllocNosleep, kmemAllocNosleepAll, kmemFree } from '../../locks/kmem.ts';
import { MUTEX_HELD, mutexEnter, mutexExit } from '../../locks/kmutex.ts';
import { RW_WRITE_HELD, rwEnter, rwExit } from '../../locks/krwlock.ts';
import { ipsqExit, ipsqTryEnter, runOp } from './ipsq.ts';
import { ipmpIpifIsDataaddr, ipmpIpifIsUpDataaddr } from './datapath.ts';
import { ArpEnt, Errno, type Grp, IAM_WRITER_ILL, type Ill, Illgrp, type Ipif, type IpmpStack, type Ipsq, type Ire, IPMP_ILL_REFRESH_TIMEOUT_TICKS, IS_UNDER_IPMP, NEW_OP } from './types.ts';
import { ipmpBug } from './mutants.ts';

/** ipmp_illgrp_create (ipmp.c L553-577): the IPMP ill's illgrp (setup time: writer of the new IPMP ill). */
export function ipmpIllgrpCreate(ipmpIll: Ill): Illgrp {
  kassert(ipmpIll.grp === null, 'ipmp_ill->ill_grp == NULL ipmp.c L561');
  const illg = new Illgrp(ipmpIll);
  ipmpIll.grp = illg;
  // L574: ipmp_illgrp_set_mtu(illg, IP_MIN_MTU) with ig_mtu == 0 (initialization; the DL_NOTIFY_IND is abstracted).
  illg.mtu = ipmpIll.isv6 ? IPV6_MIN_MTU : IP_MIN_MTU;
  return illg;
}

/** IP_MIN_MTU, IPV6_MIN_MTU (ip.h). */
export const IP_MIN_MTU = 68;
export const IPV6_MIN_MTU = 1280;

/**
 * ipmp_illgrp_destroy (ipmp.c L582-607), from ill_delete_tail of the IPMP
 * ill [ext ip_if.c: "safe to do because the illgrp has already been
 * unlinked from the group by I_PUNLINK, and thus SIOCSLIFGROUPNAME cannot
 * find it"]. Entry/exit: writer of the IPMP ill (L585), no locks; ASSERTs
 * the illgrp empty (L591-596), disconnects it
 * from the IPMP ill (L601-602, ill_grp written without ill_g_lock: the ill
 * is CONDEMNED and no longer reachable through the illgrp) and frees it (L606).
 */
export function ipmpIllgrpDestroy(ex: Execution, st: IpmpStack, illg: Illgrp): void {
  const grp = illg.ipmpIll.phyint.grp;
  kassert(!illg.destroyed, 'ipmp_illgrp_destroy of a destroyed illgrp');
  kassert(IAM_WRITER_ILL(ex, illg.ipmpIll), 'IAM_WRITER_ILL(illg->ig_ipmp_ill) ipmp.c L585');
  kassert(illg.ipmpIll.phyint.isIpmp, 'IS_IPMP(illg->ig_ipmp_ill) ipmp.c L586');
  // Spec ipmp notes inv. 7/14: the illgrp is no longer reachable from its group (I_PUNLINK ran).
  kassert(grp === null || (grp.v4 !== illg && grp.v6 !== illg), `illgrp of ${illg.ipmpIll.name} destroyed while still linked to its group`, 'illgrp-unlinked-at-destroy');
  kassert(illg.nextIll === null, 'illg->ig_next_ill == NULL ipmp.c L591');
  kassert(illg.castIll === null, 'illg->ig_cast_ill == NULL ipmp.c L592');
  kassert(illg.arpent.length === 0, 'list_is_empty(&illg->ig_arpent) ipmp.c L593');
  kassert(illg.if.length === 0, 'list_is_empty(&illg->ig_if) ipmp.c L594');
  kassert(illg.actif.length === 0, 'list_is_empty(&illg->ig_actif) ipmp.c L595');
  kassert(illg.nactif === 0, 'illg->ig_nactif == 0 ipmp.c L596');
  ex.touch(st.illgrpObj, true);
  illg.ipmpIll.grp = null; // L601
  illg.destroyed = true; // L602-606
}

/** ipmp_illgrp_link_grp (ipmp.c L1090-1104): ipmp_lock W; idempotent. */
export function ipmpIllgrpLinkGrp(ex: Execution, st: IpmpStack, illg: Illgrp, grp: Grp): void {
  kassert(ex.current === null || RW_WRITE_HELD(ex, st.ipmpLock), 'RW_WRITE_HELD(&ips_ipmp_lock) ipmp.c L1095');
  if (illg.ipmpIll.isv6) {
    kassert(grp.v6 === null || grp.v6 === illg, 'gr_v6 NULL or same ipmp.c L1101');
    grp.v6 = illg;
  } else {
    kassert(grp.v4 === null || grp.v4 === illg, 'gr_v4 NULL or same ipmp.c L1098');
    grp.v4 = illg;
  }
}

/** ipmp_illgrp_unlink_grp (ipmp.c L1110-1128): ipmp_lock W; EBUSY while members or pending joins exist. */
export function ipmpIllgrpUnlinkGrp(ex: Execution, st: IpmpStack, illg: Illgrp, grp: Grp): number {
  kassert(RW_WRITE_HELD(ex, st.ipmpLock), 'RW_WRITE_HELD(&ips_ipmp_lock) ipmp.c L1116');
  // Mutant ipmp-unlink-no-pend: the pending joins (gr_pendvX, L1119/L1123) are not counted.
  const pend = ipmpBug(ex, 'ipmp-unlink-no-pend') ? 0 : 1;
  // Mutant ipmp-unlink-no-members (ipmp notes M6): the members (gr_nvX) are not counted.
  const members = ipmpBug(ex, 'ipmp-unlink-no-members') ? 0 : 1;
  if (illg.ipmpIll.isv6) {
    if (members * grp.nv6 + pend * grp.pendv6 !== 0) return Errno.EBUSY;
    ex.touch(st.memberObj, true);
    ex.touch(st.illgrpObj, true);
    grp.v6 = null;
  } else {
    if (members * grp.nv4 + pend * grp.pendv4 !== 0) return Errno.EBUSY;
    ex.touch(st.memberObj, true);
    ex.touch(st.illgrpObj, true);
    grp.v4 = null;
  }
  return Errno.OK;
}

/**
 * ipmp_ill_join_illgrp (ipmp.c L1135-1242), phase 2 of a join, as writer of
 * the group xop: count the ill (ipmp_lock W, L1152-1157), sync ILLF_ROUTER
 * (ill_lock, L1162-1167), link-layer shape/COS/MTU (abstracted), insert in
 * ig_if and set ill_grp (ill_g_lock W, L1224-1227), then refresh activity.
 * The lock sections are sequential, never nested. Entry/exit: no locks.
 */
export function* ipmpIllJoinIllgrp(ex: Execution, st: IpmpStack, ill: Ill, illg: Illgrp): KThread<void> {
  const grp = ill.phyint.grp;
  const fr = ex.frame('ipmp_ill_join_illgrp', () => [ill, illg, grp]);
  kassert(!ill.phyint.isIpmp && grp !== null, '!IS_IPMP(ill) && phyint_grp != NULL ipmp.c L1143');
  kassert(IAM_WRITER_ILL(ex, ill), 'IAM_WRITER_ILL(ill) ipmp.c L1144');
  kassert(ill.grp === null, 'ill->ill_grp == NULL ipmp.c L1145');
  // Invariant 43 of the ipmp notes: phase 2 runs on the group xop.
  kassert(ill.phyint.ipsq.xop === grp.phyint!.ipsq.ownxop, `${ill.name} joins its illgrp on the group xop (ipmp notes inv. 43)`, 'join-illgrp-on-group-xop');
  yield* rwEnter(st.ipmpLock, 'RW_WRITER', 'ipmp.c L1152');
  ex.touch(st.illgrpObj, true);
  ex.touch(st.memberObj, true);
  if (ill.isv6) grp.nv6++;
  else grp.nv4++;
  yield* rwExit(st.ipmpLock, 'ipmp.c L1157');
  yield* mutexEnter(ill.lock, 'ipmp.c L1162');
  // ILLF_ROUTER follows the IPMP ill (flags not modelled).
  yield* mutexExit(ill.lock, 'ipmp.c L1167');
  // L1174-1187: multicast reset (abstracted). L1192-1222: link-layer shape
  // and COS (abstracted); the MTU as written: ill_max_mtu read without
  // ill_lock (L1209, L1220-1221; notes R5), the IPSQ writer owns ig_mtu.
  if (illg.if.length === 0) yield* ipmpIllgrpSetMtu(ex, st, illg, ill.maxMtu); // L1209
  else if (illg.mtu > ill.maxMtu) yield* ipmpIllgrpSetMtu(ex, st, illg, ill.maxMtu); // L1220-1221
  yield* rwEnter(st.illGLock, 'RW_WRITER', 'ipmp.c L1224');
  ex.touch(st.illgrpObj, true);
  illg.if.push(ill);
  ill.grp = illg;
  ill.m.send('JOIN_ILLGRP');
  yield* rwExit(st.illGLock, 'ipmp.c L1227');
  // L1233: hide the IREs on ill (ire_walk_ill; the IRE bucket locks are abstracted).
  for (const ire of ill.ires) ipmpIllIreMarkTesthidden(ex, ire, ill);
  // L1238-1239: broadcast IREs (abstracted).
  yield* ipmpIllRefreshActive(ex, st, ill);
  ex.leave(fr);
}

/**
 * ipmp_ill_leave_illgrp (ipmp.c L1249-1357), as writer: cancel the refresh
 * timeout reading ill_refresh_tid without ill_lock (L1267; untimeout waits
 * for a running handler), uncount (ipmp_lock W, L1286-1291), deactivate if
 * active (L1296), unlink from ig_if (ill_g_lock W, L1298-1301). MTU, COS,
 * ARP entries and multicast are abstracted. Entry/exit: no locks.
 */
export function* ipmpIllLeaveIllgrp(ex: Execution, st: IpmpStack, ill: Ill): KThread<void> {
  const illg = ill.grp!;
  let tid: Callout | null = null;
  let locked = false;
  let entp: ArpEnt | null = null;
  const fr = ex.frame('ipmp_ill_leave_illgrp', () => [ill, illg, tid, locked, entp]);
  kassert(IS_UNDER_IPMP(ill), 'IS_UNDER_IPMP(ill) ipmp.c L1258');
  kassert(IAM_WRITER_ILL(ex, ill), 'IAM_WRITER_ILL(ill) ipmp.c L1259');
  if (fixOn(ex, 'fixRefreshTid')) {
    // Candidate fix for IPMP-4 (notes R1): read and clear ill_refresh_tid
    // under ill_lock, then untimeout without it (F2: never across untimeout).
    yield* mutexEnter(ill.lock, 'fix IPMP-4: ill_lock around the tid read');
    yield* localAccess(ill.tidObj, 'w', 'ill_refresh_tid = 0');
    tid = ill.refreshTid;
    ill.refreshTid = null;
    yield* mutexExit(ill.lock);
  } else {
    // L1267 reads the tid without ill_lock and never clears it.
    yield* access(ill.tidObj, 'r', 'ill_refresh_tid', 'ipmp.c L1267');
    tid = ill.refreshTid;
  }
  if (tid !== null) {
    locked = ipmpBug(ex, 'ipmp-untimeout-under-ill-lock');
    if (locked) yield* mutexEnter(ill.lock, 'mutant: ill_lock around untimeout');
    yield* untimeout(tid, 'ipmp.c L1267');
    if (locked) yield* mutexExit(ill.lock);
  }
  // L1272: expose the IREs hidden at join (ire_walk_ill). L1279-1281: multicast down (abstracted).
  for (const ire of ill.ires) ipmpIllIreClearTesthidden(ex, ire, ill);
  yield* rwEnter(st.ipmpLock, 'RW_WRITER', 'ipmp.c L1286');
  const grp = ill.phyint.grp!;
  ex.touch(st.illgrpObj, true);
  ex.touch(st.memberObj, true);
  if (ill.isv6) grp.nv6--;
  else grp.nv4--;
  yield* rwExit(st.ipmpLock, 'ipmp.c L1291');
  if (ill.actnode) yield* ipmpIllDeactivate(ex, st, ill);
  yield* rwEnter(st.illGLock, 'RW_WRITER', 'ipmp.c L1298');
  ex.touch(st.illgrpObj, true);
  illg.if.splice(illg.if.indexOf(ill), 1);
  ill.grp = null;
  ill.m.send('LEAVE_ILLGRP');
  yield* rwExit(st.illGLock, 'ipmp.c L1301');
  // L1306-1307 broadcast IREs, L1313-1315 multicast up (abstracted).
  yield* ipmpIllgrpRefreshMtu(ex, st, illg); // L1320
  // Mutant ipmp-leave-keep-arpent: the last ill leaves the ARP entries behind.
  if (illg.if.length === 0 && !ipmpBug(ex, 'ipmp-leave-keep-arpent')) {
    // L1322-1329: no ills left, so no ARP: destroy every entry. The
    // link-layer shape and COS of the IPMP ill (L1331-1336, its ill_lock) are abstracted.
    while ((entp = ipmpIllgrpLookupArpent(ex, illg, null)) !== null) yield* ipmpIllgrpDestroyArpent(ex, st, illg, entp);
  }
  // L1337-1355: COS re-enable (abstracted).
  ex.leave(fr);
}

/**
 * ipmp_illgrp_set_mtu (ipmp.c L1033-1048): ig_mtu is set only if the
 * DL_NOTIFY_IND can be allocated (KM_NOSLEEP: "If allocation fails, we
 * have bigger problems than MTU"); the put to the IPMP ill's read queue is
 * abstracted. Entry: writer of the IPMP ill (or initialization, ig_mtu ==
 * 0: L1039); no locks.
 */
export function* ipmpIllgrpSetMtu(ex: Execution, _st: IpmpStack, illg: Illgrp, mtu: number): KThread<void> {
  const fr = ex.frame('ipmp_illgrp_set_mtu', () => [illg, mtu]);
  kassert(illg.mtu === 0 || IAM_WRITER_ILL(ex, illg.ipmpIll), 'illg->ig_mtu == 0 || IAM_WRITER_ILL(ill) ipmp.c L1039');
  if (yield* kmemAllocNosleep('DL_NOTE_SDU_SIZE ipmp.c L1044')) illg.mtu = mtu; // L1045
  ex.leave(fr);
}

/**
 * ipmp_illgrp_refresh_mtu (ipmp.c L1054-1084), as writer of the IPMP ill
 * (L1061): the least ill_max_mtu of ig_if, read under each member's
 * ill_lock in turn (L1071-1074, never nested), floored at the minimum MTU
 * (L1080), pushed if it changed. Entry/exit: no locks.
 */
export function* ipmpIllgrpRefreshMtu(ex: Execution, st: IpmpStack, illg: Illgrp): KThread<void> {
  const ipmpIll = illg.ipmpIll;
  kassert(IAM_WRITER_ILL(ex, ipmpIll), 'IAM_WRITER_ILL(ipmp_ill) ipmp.c L1061');
  let mtu = 0;
  let i = 0;
  const fr = ex.frame('ipmp_illgrp_refresh_mtu', () => [illg, mtu, i]);
  for (i = 0; i < illg.if.length; i++) {
    const ill = illg.if[i]!;
    yield* mutexEnter(ill.lock, 'ipmp.c L1071');
    if (mtu === 0 || ill.maxMtu < mtu) mtu = ill.maxMtu;
    yield* mutexExit(ill.lock, 'ipmp.c L1074');
  }
  mtu = Math.max(mtu, ipmpIll.isv6 ? IPV6_MIN_MTU : IP_MIN_MTU);
  if (illg.mtu !== mtu) yield* ipmpIllgrpSetMtu(ex, st, illg, mtu);
  ex.leave(fr);
}

/**
 * ipmp_illgrp_create_arpent (ipmp.c L874-904), as writer of the IPMP ill
 * (L881): allocate the entry and copy the AR_ENTRY_ADD message (KM_NOSLEEP
 * and copyb: either failing returns NULL, L884-890), replace an entry for
 * the same address (L899-900), insert at the head (L902).
 */
export function* ipmpIllgrpCreateArpent(ex: Execution, st: IpmpStack, illg: Illgrp, ipaddr: string, proxyarp: boolean): KThread<ArpEnt | null> {
  let entp: ArpEnt | null = null;
  const fr = ex.frame('ipmp_illgrp_create_arpent', () => [illg, ipaddr, proxyarp, entp]);
  kassert(IAM_WRITER_ILL(ex, illg.ipmpIll), 'IAM_WRITER_ILL(illg->ig_ipmp_ill) ipmp.c L881');
  if (!(yield* kmemAllocNosleepAll(['ipmp_arpent_t ipmp.c L884', 'copyb(area_mp) ipmp.c L887']))) return ex.leaving(fr, null);
  entp = new ArpEnt(ex, ipaddr, proxyarp);
  const oentp = ipmpIllgrpLookupArpent(ex, illg, ipaddr);
  if (oentp !== null) yield* ipmpIllgrpDestroyArpent(ex, st, illg, oentp);
  illg.arpent.unshift(entp);
  return ex.leaving(fr, entp);
}

/** ipmp_illgrp_destroy_arpent (ipmp.c L909-917), as writer (L912): unlink, free the message and the entry. */
export function* ipmpIllgrpDestroyArpent(ex: Execution, _st: IpmpStack, illg: Illgrp, entp: ArpEnt): KThread<void> {
  const fr = ex.frame('ipmp_illgrp_destroy_arpent', () => [illg, entp]);
  kassert(IAM_WRITER_ILL(ex, illg.ipmpIll), 'IAM_WRITER_ILL(illg->ig_ipmp_ill) ipmp.c L912');
  const k = illg.arpent.indexOf(entp);
  kassert(k >= 0, 'list_remove of an entry not on ig_arpent ipmp.c L914');
  illg.arpent.splice(k, 1);
  yield* kmemFree(entp.mem, 'ipmp.c L916');
  ex.leave(fr);
}

/** ipmp_illgrp_mark_arpent (ipmp.c L924-928): ARP has the entry (no assert; its callers are writers). */
export function ipmpIllgrpMarkArpent(ex: Execution, _illg: Illgrp, entp: ArpEnt): void {
  entp.mem.check(ex, 'ia_notified ipmp.c L927');
  entp.notified = true;
}

/** ipmp_illgrp_lookup_arpent (ipmp.c L934-948), as writer (L939): the entry for ipaddr, or any entry (the head) for null. */
export function ipmpIllgrpLookupArpent(ex: Execution, illg: Illgrp, ipaddr: string | null): ArpEnt | null {
  kassert(IAM_WRITER_ILL(ex, illg.ipmpIll), 'IAM_WRITER_ILL(illg->ig_ipmp_ill) ipmp.c L939');
  if (ipaddr === null) return illg.arpent[0] ?? null;
  for (const entp of illg.arpent) {
    entp.mem.check(ex, 'ia_ipaddr ipmp.c L945');
    if (entp.ipaddr === ipaddr) return entp;
  }
  return null;
}

/**
 * ipmp_illgrp_refresh_arpent (ipmp.c L955-1005), as writer of the IPv4
 * IPMP ill (L965-966): spread the entries over ig_actif round-robin. With
 * no active ill or no up address on the IPMP ill, an entry is marked not
 * notified (L971-974); a proxy entry already up to date is skipped, else
 * takes the hardware address of its ill (L985-992); the copy of the
 * message (copyb, KM_NOSLEEP: on failure not notified, L994-997) is put to
 * ARP (abstracted) and the entry marked (L1000). No locks: ig_actif and
 * ig_arpent are the writer's.
 */
export function* ipmpIllgrpRefreshArpent(ex: Execution, _st: IpmpStack, illg: Illgrp): KThread<void> {
  const ipmpIll = illg.ipmpIll;
  kassert(IAM_WRITER_ILL(ex, ipmpIll), 'IAM_WRITER_ILL(ipmp_ill) ipmp.c L965');
  kassert(!ipmpIll.isv6, '!ipmp_ill->ill_isv6 ipmp.c L966');
  let k = 0;
  // The walk of ig_arpent (a snapshot) and its cursor.
  const ents = illg.arpent.slice();
  let j = 0;
  const fr = ex.frame('ipmp_illgrp_refresh_arpent', () => [illg, k, ents, j]);
  for (j = 0; j < ents.length; j++) {
    const entp = ents[j]!;
    entp.mem.check(ex, 'ig_arpent walk ipmp.c L970');
    const ill = illg.actif[k] ?? null;
    if (ill === null || ipmpIll.ipifUpCount + ipmpIll.ipifs.filter((i) => i.up).length === 0) {
      entp.notified = false;
      continue;
    }
    ill.mem.check(ex, 'ill_phys_addr ipmp.c L988');
    if (entp.proxyarp) {
      if (entp.hwAddr === ill.physAddr && entp.notified) continue;
      entp.hwAddr = ill.physAddr;
    }
    if (!(yield* kmemAllocNosleep('copyb(ia_area_mp) ipmp.c L994'))) {
      entp.notified = false;
      continue;
    }
    // L999: putnext(ipmp_ill->ill_rq, area_mp) (abstracted).
    ipmpIllgrpMarkArpent(ex, illg, entp);
    k = k + 1 < illg.actif.length ? k + 1 : 0;
  }
  ex.leave(fr);
}

/**
 * ipmp_ill_ire_mark_testhidden (ipmp.c L1851-1878), the ire_walk_ill
 * callback of a join: as writer of a non-IPMP ill, hide its host, prefix,
 * default, cache and interface IREs from data traffic.
 */
export function ipmpIllIreMarkTesthidden(ex: Execution, ire: Ire, ill: Ill): void {
  kassert(IAM_WRITER_ILL(ex, ill), 'IAM_WRITER_ILL(ill) ipmp.c L1856');
  kassert(!ill.phyint.isIpmp, '!IS_IPMP(ill) ipmp.c L1857');
  if (!ill.ires.includes(ire)) return; // L1859: ire->ire_ipif->ipif_ill != ill
  switch (ire.type) {
    case 'IRE_HOST':
    case 'IRE_PREFIX':
    case 'IRE_DEFAULT':
    case 'IRE_CACHE':
    case 'IRE_IF_RESOLVER':
    case 'IRE_IF_NORESOLVER':
      ire.testhidden = true;
      break;
    default:
      break;
  }
}

/** ipmp_ill_ire_clear_testhidden (ipmp.c L1884-1893), the ire_walk_ill callback of a leave: as writer of a non-IPMP ill, clear the mark. */
export function ipmpIllIreClearTesthidden(ex: Execution, ire: Ire, ill: Ill): void {
  kassert(IAM_WRITER_ILL(ex, ill), 'IAM_WRITER_ILL(ill) ipmp.c L1886');
  kassert(!ill.phyint.isIpmp, '!IS_IPMP(ill) ipmp.c L1887');
  if (ill.ires.includes(ire)) ire.testhidden = false;
}

/**
 * A candidate-fix parameter that only some scenarios declare (reading it
 * through ex.param would force every scenario to declare it, and change
 * their options hashes and so their pinned tokens).
 */
export function fixOn(ex: Execution, name: string): boolean {
  return ex.options.params[name] === true;
}

/** ipmp_ill_is_active (ipmp.c L1828-1845): writer, or ill_lock and phyint_lock held (L1834-1835). */
export function ipmpIllIsActive(ex: Execution, ill: Ill): boolean {
  kassert(IS_UNDER_IPMP(ill), 'IS_UNDER_IPMP(ill) ipmp.c L1833');
  kassert(IAM_WRITER_ILL(ex, ill) || (MUTEX_HELD(ex, ill.lock) && MUTEX_HELD(ex, ill.phyint.lock)), 'IAM_WRITER_ILL || ill_lock+phyint_lock ipmp.c L1834');
  return !(ill.ipifUpCount === 0 || ill.phyint.offline);
}

/** ipmp_ill_try_refresh_active (ipmp.c L1363-1380): false only if an activation failed. */
export function* ipmpIllTryRefreshActive(ex: Execution, st: IpmpStack, ill: Ill): KThread<boolean> {
  kassert(IAM_WRITER_ILL(ex, ill), 'IAM_WRITER_ILL(ill) ipmp.c L1368');
  kassert(IS_UNDER_IPMP(ill), `IS_UNDER_IPMP(${ill.name}) ipmp.c L1369`);
  let refreshed = true;
  const fr = ex.frame('ipmp_ill_try_refresh_active', () => [ill, refreshed]);
  if (ipmpIllIsActive(ex, ill)) {
    if (!ill.actnode) refreshed = yield* ipmpIllActivate(ex, st, ill);
  } else if (ill.actnode) yield* ipmpIllDeactivate(ex, st, ill);
  return ex.leaving(fr, refreshed);
}

/**
 * ipmp_phyint_refresh_active (ipmp.c L2117-2124): refresh each ill of the
 * phyint; every non-NULL ill must be under IPMP and the caller its writer
 * (the callees ASSERT it, L1368-1369; ipmp notes inv. 46).
 */
export function* ipmpPhyintRefreshActive(ex: Execution, st: IpmpStack, phyi: Ill['phyint']): KThread<void> {
  const fr = ex.frame('ipmp_phyint_refresh_active', () => [phyi]);
  if (phyi.illv4 !== null) yield* ipmpIllRefreshActive(ex, st, phyi.illv4);
  if (phyi.illv6 !== null) yield* ipmpIllRefreshActive(ex, st, phyi.illv6);
  ex.leave(fr);
}

/** ipmp_ill_refresh_active (ipmp.c L1386-1391): on failure arm the retry timer. */
export function* ipmpIllRefreshActive(ex: Execution, st: IpmpStack, ill: Ill): KThread<void> {
  const fr = ex.frame('ipmp_ill_refresh_active', () => [ill]);
  if (!(yield* ipmpIllTryRefreshActive(ex, st, ill))) yield* ipmpIllRefreshActiveTimerStart(ex, st, ill);
  ex.leave(fr);
}

/**
 * ipmp_ill_refresh_active_timer (ipmp.c L1396-1425), the callout: clear
 * ill_refresh_tid and bail on CONDEMNED under ill_lock (L1407-1413), drop
 * it, try to enter the IPSQ without queueing (L1415), refresh and exit, and
 * re-arm if that failed. With fixTimer (candidate fix for IPMP-1) the
 * refresh is skipped once the ill has left its illgrp.
 */
export function* ipmpIllRefreshActiveTimer(ex: Execution, st: IpmpStack, ill: Ill): KThread<void> {
  let refreshed = false;
  let ipsq: Ipsq | null = null;
  const fr = ex.frame('ipmp_ill_refresh_active_timer', () => [ill, refreshed, ipsq]);
  yield* mutexEnter(ill.lock, 'ipmp.c L1407');
  ill.refreshTid = null;
  ex.touch(ill.tidObj, true);
  if (ill.condemned) {
    yield* mutexExit(ill.lock, 'ipmp.c L1410');
    return ex.leave(fr);
  }
  const keep = ipmpBug(ex, 'ipmp-timer-hold-ill-lock');
  if (!keep) yield* mutexExit(ill.lock, 'ipmp.c L1413');
  ipsq = yield* ipsqTryEnter(ex, st, ill, null, NEW_OP, false, 'ipmp.c L1415');
  if (keep) yield* mutexExit(ill.lock);
  if (ipsq !== null) {
    if (ex.param<boolean>('fixTimer') && !IS_UNDER_IPMP(ill)) refreshed = true;
    else refreshed = yield* runOp(ex, st, ipsq, 'refresh timer', ipmpIllTryRefreshActive(ex, st, ill));
    yield* ipsqExit(ex, st, ill.phyint.ipsq);
  }
  if (!refreshed) yield* ipmpIllRefreshActiveTimerStart(ex, st, ill);
  ex.leave(fr);
}

/** ipmp_ill_refresh_active_timer_start (ipmp.c L1430-1448): under ill_lock, arm unless armed or CONDEMNED. */
export function* ipmpIllRefreshActiveTimerStart(ex: Execution, st: IpmpStack, ill: Ill): KThread<void> {
  const fr = ex.frame('ipmp_ill_refresh_active_timer_start', () => [ill]);
  yield* mutexEnter(ill.lock, 'ipmp.c L1433');
  if (ill.refreshTid !== null || ill.condemned) {
    yield* mutexExit(ill.lock, 'ipmp.c L1441');
    return ex.leave(fr);
  }
  ill.refreshTid = yield* armRefreshTimer(ex, st, ill);
  yield* mutexExit(ill.lock, 'ipmp.c L1447');
  ex.leave(fr);
}

/**
 * timeout(ipmp_ill_refresh_active_timer, ill, IPMP_ILL_REFRESH_TIMEOUT) (ipmp.c L1444).
 * The callout's closure captures ill: its name `refresh <ill>` says so to the state walk.
 */
export function* armRefreshTimer(ex: Execution, st: IpmpStack, ill: Ill): KThread<Callout> {
  const fr = ex.frame('arm_refresh_timer', () => [ill]);
  if (st.calloutHorizon <= 0) return ex.leaving(fr, beyondHorizon(ex, st, ill));
  st.calloutHorizon--;
  const c = yield* timeout(`refresh ${ill.name}`, () => ipmpIllRefreshActiveTimer(ex, st, ill), IPMP_ILL_REFRESH_TIMEOUT_TICKS, 'ipmp.c L1444');
  ill.callouts.push(c);
  ex.touch(ill.tidObj, true);
  return ex.leaving(fr, c);
}

/**
 * A callout armed after the scenario's horizon of callout firings
 * (IpmpStack.calloutHorizon): it is pending (ill_refresh_tid is set,
 * untimeout cancels it) but never fires within the execution. This bounds
 * the unfair schedules in which 120 s of virtual time pass again and again
 * while the IPSQ writer takes no step.
 */
function beyondHorizon(ex: Execution, st: IpmpStack, ill: Ill): Callout {
  const obj = ex.newObject(`callout refresh ${ill.name} (beyond horizon)`, 'callout');
  const c = new Callout(obj, `refresh ${ill.name}`, -1, ex.now + IPMP_ILL_REFRESH_TIMEOUT_TICKS, obj);
  ill.callouts.push(c);
  ex.touch(ill.tidObj, true);
  return c;
}

/** Arm the refresh callout during setup (the state a failed activation leaves, ipmp.c L1389-1390). */
export function armRefreshTimerInSetup(ex: Execution, st: IpmpStack, ill: Ill): void {
  if (st.calloutHorizon <= 0) {
    ill.refreshTid = beyondHorizon(ex, st, ill);
    return;
  }
  st.calloutHorizon--;
  const c = armTimeout(ex, `refresh ${ill.name}`, () => ipmpIllRefreshActiveTimer(ex, st, ill), IPMP_ILL_REFRESH_TIMEOUT_TICKS);
  ill.callouts.push(c);
  ill.refreshTid = c;
}

/**
 * ipmp_ill_activate (ipmp.c L1455-1565), as writer: allocate every message
 * first (L1474-1488, so failure changes nothing), nominate the cast ill and
 * bind the data addresses if first (L1500-1512) or rebalance (L1519-1526),
 * append to ig_actif (ipmp_lock W, L1538-1542), count gr_nactif (L1553).
 */
export function* ipmpIllActivate(ex: Execution, st: IpmpStack, ill: Ill): KThread<boolean> {
  const grp = ill.phyint.grp;
  if (grp === null) kfail('assert', 'kassert', `NULL dereference of phyint_grp of ${ill.name} ipmp.c L1461`);
  const illg = ill.grp!;
  // Cursor of the bind loop (L1509-1512) and the rebalance's pick (L1519-1526).
  let i = 0;
  let maxill: Ill | null = null;
  const fr = ex.frame('ipmp_ill_activate', () => [ill, grp, illg, i, maxill]);
  kassert(IAM_WRITER_ILL(ex, ill), 'IAM_WRITER_ILL(ill) ipmp.c L1467');
  kassert(IS_UNDER_IPMP(ill), 'IS_UNDER_IPMP(ill) ipmp.c L1468');
  if (grp.nactif === 0) {
    // L1475-1478: linkupmp and linkdownmp, tested together (kmemAllocNosleepAll).
    if (!(yield* kmemAllocNosleepAll(['DL_NOTE_LINK_UP ipmp.c L1475', 'DL_NOTE_LINK_DOWN ipmp.c L1476']))) return ex.leaving(fr, false);
  }
  if (!ill.isv6) {
    // L1485-1488: actmp and deactmp, tested together; `fail:` (L1559-1564) frees both.
    if (!(yield* kmemAllocNosleepAll(['AR_IPMP_ACTIVATE ipmp.c L1485', 'AR_IPMP_DEACTIVATE ipmp.c L1486']))) return ex.leaving(fr, false);
    kassert(!ill.ardeactMp, 'ill->ill_ardeact_mp == NULL ipmp.c L1490');
    ex.touch(st.illgrpObj, true);
    ill.ardeactMp = true;
    // L1492: putnext(AR_IPMP_ACTIVATE) to ARP (abstracted).
  }
  // Ghost: from here to L1539 the ill may be nominated or bound while not yet on ig_actif.
  ill.activating = true;
  if (illg.actif.length === 0) {
    // L1502: nominate before binding ("that may need to send multicast packets", L1496-1501).
    yield* ipmpIllgrpSetCast(ex, st, illg, ill);
    // L1509-1512: bind every up data address of the IPMP ill.
    const ipifs = illg.ipmpIll.ipifs;
    for (i = 0; i < ipifs.length; i++) if (ipmpIpifIsUpDataaddr(ipifs[i]!)) yield* ipmpIllBindIpif(ex, st, ill, ipifs[i]!, 'Res_act_initial');
  } else {
    for (;;) {
      maxill = ipmpIllgrpMaxIll(ex, illg);
      kassert(maxill !== null, 'maxill != NULL ipmp.c L1521');
      if (ill.boundCnt + 1 >= maxill.boundCnt) break;
      const ipif = yield* ipmpIllUnbindIpif(ex, st, maxill, null, true);
      yield* ipmpIllBindIpif(ex, st, ill, ipif!, 'Res_act_rebind');
    }
  }
  yield* rwEnter(st.ipmpLock, 'RW_WRITER', 'ipmp.c L1538');
  ex.touch(st.illgrpObj, true);
  illg.actif.push(ill);
  illg.nactif++;
  illg.nextIll = ill;
  ill.actnode = true;
  ill.activating = false;
  ill.m.send('ACTIVATE');
  yield* rwExit(st.ipmpLock, 'ipmp.c L1542');
  // L1547-1548: refresh the ARP entries to use ill.
  if (!ill.isv6) yield* ipmpIllgrpRefreshArpent(ex, st, illg);
  if (grp.nactif++ === 0) {
    kassert(!grp.linkdownMp, 'grp->gr_linkdownmp == NULL ipmp.c L1554');
    ex.touch(st.illgrpObj, true);
    grp.linkdownMp = true;
  }
  return ex.leaving(fr, true);
}

/**
 * ipmp_ill_deactivate (ipmp.c L1570-1661), as writer: remove from ig_actif
 * (ipmp_lock W, L1598-1602), renominate the cast ill (L1609), unbind the
 * data addresses, drop ill_ardeact_mp (L1628), rebind to the least loaded
 * active ill (L1644-1650), count gr_nactif down (L1655).
 */
export function* ipmpIllDeactivate(ex: Execution, st: IpmpStack, ill: Ill): KThread<void> {
  const grp = ill.phyint.grp!;
  const illg = ill.grp!;
  const ubhead: Ipif[] = [];
  // Cursor of the rebind loop (L1644-1650).
  let i = 0;
  const fr = ex.frame('ipmp_ill_deactivate', () => [ill, grp, illg, ubhead, i]);
  kassert(IAM_WRITER_ILL(ex, ill), 'IAM_WRITER_ILL(ill) ipmp.c L1580');
  kassert(IS_UNDER_IPMP(ill), 'IS_UNDER_IPMP(ill) ipmp.c L1581');
  // L1590-1593: delete the group's IRE_CACHE entries (abstracted).
  if (fixOn(ex, 'fixCastOrder') && ill === illg.castIll) {
    // Candidate fix for IPMP-5: nominate the successor while ill is still
    // on ig_actif, so that ig_cast_ill always names a listed ill.
    yield* ipmpIllgrpSetCast(ex, st, illg, illg.actif.find((a) => a !== ill) ?? null);
  }
  const unbindAll = function* (): KThread<void> {
    const fr = ex.frame('ipmp_ill_deactivate unbind', () => []);
    for (;;) {
      const ipif = yield* ipmpIllUnbindIpif(ex, st, ill, null, true);
      if (ipif === null) break;
      ubhead.unshift(ipif);
    }
    ex.leave(fr);
  };
  // Candidate fix for IPMP-6: unbind while ill is still on ig_actif, so that
  // ipif_bound_ill never names an unlisted ill (the order the comment of
  // L1611-1617 asks for, unbind -> tell ARP -> rebind, is kept).
  const unbindFirst = fixOn(ex, 'fixBoundOrder');
  if (unbindFirst) yield* unbindAll();
  yield* rwEnter(st.ipmpLock, 'RW_WRITER', 'ipmp.c L1598');
  ex.touch(st.illgrpObj, true);
  illg.actif.splice(illg.actif.indexOf(ill), 1);
  illg.nactif--;
  illg.nextIll = illg.actif[0] ?? null;
  ill.actnode = false;
  ill.m.send('DEACTIVATE');
  yield* rwExit(st.ipmpLock, 'ipmp.c L1602');
  // L1608-1609: the nominee went: nominate the new head of ig_actif.
  if (ill === illg.castIll) yield* ipmpIllgrpSetCast(ex, st, illg, illg.actif[0] ?? null);
  // L1619-1622: unbind every ipif, saved head first (ipif_bound_next as scratch list).
  if (!unbindFirst) yield* unbindAll();
  if (!ill.isv6) {
    kassert(ill.ardeactMp, 'mp != NULL (ill_ardeact_mp) ipmp.c L1630');
    ex.touch(st.illgrpObj, true);
    ill.ardeactMp = false;
    // L1631: putnext(AR_IPMP_DEACTIVATE) (abstracted). L1636: refresh the ARP entries that used ill.
    yield* ipmpIllgrpRefreshArpent(ex, st, illg);
  }
  // L1644-1650: rebind each to the active ill with the fewest.
  for (i = 0; i < ubhead.length; i++) {
    const minill = ipmpIllgrpMinIll(ex, illg);
    if (minill !== null) yield* ipmpIllBindIpif(ex, st, minill, ubhead[i]!, 'Res_act_rebind');
  }
  if (--grp.nactif === 0) {
    kassert(grp.linkdownMp, 'mp != NULL (gr_linkdownmp) ipmp.c L1658');
    ex.touch(st.illgrpObj, true);
    grp.linkdownMp = false;
  }
  ex.leave(fr);
}

/**
 * ipmp_illgrp_set_cast (ipmp.c L800-867), as writer of the IPMP ill: clear
 * the old nominee's ill_nom_cast, publish the new one under ipmp_lock W
 * (L828-830), set its ill_nom_cast. Multicast and IRE work abstracted.
 */
export function* ipmpIllgrpSetCast(ex: Execution, st: IpmpStack, illg: Illgrp, castill: Ill | null): KThread<void> {
  kassert(IAM_WRITER_ILL(ex, illg.ipmpIll), 'IAM_WRITER_ILL(ipmp_ill) ipmp.c L807');
  const ocastill = illg.castIll;
  const fr = ex.frame('ipmp_illgrp_set_cast', () => [illg, castill, ocastill]);
  if (ocastill !== null) {
    kassert(ocastill.nomCast, 'ocastill->ill_nom_cast ipmp.c L815');
    ex.touch(st.illgrpObj, true);
    ocastill.nomCast = false;
  }
  yield* rwEnter(st.ipmpLock, 'RW_WRITER', 'ipmp.c L828');
  ex.touch(st.illgrpObj, true);
  illg.castIll = castill;
  yield* rwExit(st.ipmpLock, 'ipmp.c L830');
  if (castill !== null) {
    kassert(!castill.nomCast, '!castill->ill_nom_cast ipmp.c L848');
    ex.touch(st.illgrpObj, true);
    castill.nomCast = true;
  }
  ex.leave(fr);
}

/** ipmp_illgrp_max_ill (ipmp.c L665-682): writer of the IPMP ill (L670); the active ill with the most bound ipifs. */
export function ipmpIllgrpMaxIll(ex: Execution, illg: Illgrp): Ill | null {
  kassert(IAM_WRITER_ILL(ex, illg.ipmpIll), 'IAM_WRITER_ILL(illg->ig_ipmp_ill) ipmp.c L670');
  let best: Ill | null = null;
  for (const i of illg.actif) if (best === null || i.boundCnt > best.boundCnt) best = i;
  return best;
}

/** ipmp_illgrp_min_ill (ipmp.c L685-702): writer (L690); the active ill with the fewest, stopping at one with none. */
export function ipmpIllgrpMinIll(ex: Execution, illg: Illgrp): Ill | null {
  kassert(IAM_WRITER_ILL(ex, illg.ipmpIll), 'IAM_WRITER_ILL(illg->ig_ipmp_ill) ipmp.c L690');
  let best: Ill | null = null;
  for (const i of illg.actif) {
    if (best === null || i.boundCnt < best.boundCnt) {
      if (i.boundCnt === 0) return i; // L696: can't get better
      best = i;
    }
  }
  return best;
}

export type ResAct = 'Res_act_none' | 'Res_act_initial' | 'Res_act_rebind';

/**
 * ipmp_ill_bind_ipif (ipmp.c L1707-1748), as writer of both (L1713): push
 * ipif on ill's bound chain and count it (ipsq), publish ipif_bound_ill
 * under ipmp_lock W (L1722-1724), then tell the resolver unless
 * Res_act_none (ipif_resolver_up/ipif_ndp_up, abstracted: they succeed),
 * and record ipif_bound (L1747).
 */
export function* ipmpIllBindIpif(ex: Execution, st: IpmpStack, ill: Ill, ipif: Ipif, act: ResAct): KThread<void> {
  kassert(IAM_WRITER_ILL(ex, ill) && IAM_WRITER_ILL(ex, ipif.ill), 'IAM_WRITER_ILL(ill) && IAM_WRITER_IPIF(ipif) ipmp.c L1713');
  kassert(IS_UNDER_IPMP(ill) && ipif.ill.phyint.isIpmp, 'IS_UNDER_IPMP(ill) && IS_IPMP(ipif->ipif_ill) ipmp.c L1714');
  kassert(act === 'Res_act_none' || ipmpIpifIsUpDataaddr(ipif), 'act == Res_act_none || ipmp_ipif_is_up_dataaddr(ipif) ipmp.c L1715');
  kassert(ipif.boundIll === null, 'ipif->ipif_bound_ill == NULL ipmp.c L1716');
  const fr = ex.frame('ipmp_ill_bind_ipif', () => [ill, ipif, act]);
  ill.boundIpifs.unshift(ipif);
  ill.boundCnt++;
  yield* rwEnter(st.ipmpLock, 'RW_WRITER', 'ipmp.c L1722');
  ex.touch(st.illgrpObj, true);
  ipif.boundIll = ill;
  yield* rwExit(st.ipmpLock, 'ipmp.c L1724');
  // L1730-1745: the resolver (abstracted: no error, never EINPROGRESS).
  ipif.bound = true; // L1747: err == 0
  ex.leave(fr);
}

/**
 * ipmp_ill_unbind_ipif (ipmp.c L1756-1817), as writer (L1763): unbind ipif,
 * or with null the head of ill's chain (NULL if none, L1770-1775); clear
 * ipif_bound_ill under ipmp_lock W (L1786-1788), uncount, unlink from the
 * chain, tell the resolver if asked and bound (abstracted), clear ipif_bound.
 */
export function* ipmpIllUnbindIpif(ex: Execution, st: IpmpStack, ill: Ill, ipif0: Ipif | null, notifyres: boolean): KThread<Ipif | null> {
  kassert(IAM_WRITER_ILL(ex, ill), 'IAM_WRITER_ILL(ill) ipmp.c L1763');
  kassert(IS_UNDER_IPMP(ill), 'IS_UNDER_IPMP(ill) ipmp.c L1764');
  let ipif = ipif0;
  const fr = ex.frame('ipmp_ill_unbind_ipif', () => [ill, ipif, notifyres]);
  if (ipif === null) {
    ipif = ill.boundIpifs[0] ?? null;
    if (ipif === null) {
      kassert(ill.boundCnt === 0, 'ill->ill_bound_cnt == 0 ipmp.c L1773');
      return ex.leaving(fr, null);
    }
  }
  kassert(IAM_WRITER_ILL(ex, ipif.ill) && ipif.ill.phyint.isIpmp, 'IAM_WRITER_IPIF(ipif) && IS_IPMP(ipif->ipif_ill) ipmp.c L1778-1779');
  kassert(ipif.boundIll === ill, 'ipif->ipif_bound_ill == ill ipmp.c L1780');
  kassert(ill.boundCnt > 0, 'ill->ill_bound_cnt > 0 ipmp.c L1781');
  yield* rwEnter(st.ipmpLock, 'RW_WRITER', 'ipmp.c L1786');
  ex.touch(st.illgrpObj, true);
  ipif.boundIll = null;
  yield* rwExit(st.ipmpLock, 'ipmp.c L1788');
  ill.boundCnt--;
  ill.boundIpifs.splice(ill.boundIpifs.indexOf(ipif), 1); // L1791-1800
  // L1805-1813: ipif_ndp_down / putnext(ipif_arp_del_mp) when notifyres && ipif_bound (abstracted).
  void notifyres;
  ipif.bound = false; // L1814
  return ex.leaving(fr, ipif);
}

/**
 * ipmp_illgrp_add_ipif (ipmp.c L614-637), as writer of the ipif (L620): a
 * new data address of the IPMP ill; drop an ARP entry for its address (IP
 * manages those itself, L627-631), bind it to the least loaded active ill
 * without telling the resolver (L633-634); the bound ill, or null.
 */
export function* ipmpIllgrpAddIpif(ex: Execution, st: IpmpStack, illg: Illgrp, ipif: Ipif): KThread<Ill | null> {
  kassert(IAM_WRITER_ILL(ex, ipif.ill), 'IAM_WRITER_IPIF(ipif) ipmp.c L620');
  kassert(ipmpIpifIsDataaddr(ipif), 'ipmp_ipif_is_dataaddr(ipif) ipmp.c L621');
  const fr = ex.frame('ipmp_illgrp_add_ipif', () => [illg, ipif]);
  if (!ipif.ill.isv6) {
    const entp = ipmpIllgrpLookupArpent(ex, illg, ipif.lclAddr);
    if (entp !== null) yield* ipmpIllgrpDestroyArpent(ex, st, illg, entp);
  }
  const minill = ipmpIllgrpMinIll(ex, illg);
  if (minill !== null) yield* ipmpIllBindIpif(ex, st, minill, ipif, 'Res_act_none');
  return ex.leaving(fr, ipif.bound ? ipif.boundIll : null);
}

/**
 * ipmp_illgrp_del_ipif (ipmp.c L644-660), as writer (L649): unbind a data
 * address going away and, if that left the most loaded ill two ahead,
 * move one of its addresses to the ill that lost one (L654-658).
 */
export function* ipmpIllgrpDelIpif(ex: Execution, st: IpmpStack, illg: Illgrp, ipif0: Ipif): KThread<void> {
  kassert(IAM_WRITER_ILL(ex, ipif0.ill), 'IAM_WRITER_IPIF(ipif) ipmp.c L649');
  const boundill = ipif0.boundIll;
  let maxill: Ill | null = null;
  const fr = ex.frame('ipmp_illgrp_del_ipif', () => [illg, ipif0, boundill, maxill]);
  if (boundill === null) return ex.leave(fr);
  yield* ipmpIllUnbindIpif(ex, st, boundill, ipif0, false);
  maxill = ipmpIllgrpMaxIll(ex, illg)!;
  if (maxill.boundCnt > boundill.boundCnt + 1) {
    const ipif = yield* ipmpIllUnbindIpif(ex, st, maxill, null, true);
    yield* ipmpIllBindIpif(ex, st, boundill, ipif!, 'Res_act_rebind');
  }
  ex.leave(fr);
}
