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
import { kmemAllocNosleepAll } from '../../locks/kmem.ts';
import { MUTEX_HELD, mutexEnter, mutexExit } from '../../locks/kmutex.ts';
import { RW_WRITE_HELD, rwEnter, rwExit } from '../../locks/krwlock.ts';
import { ipsqExit, ipsqTryEnter, runOp } from './ipsq.ts';
import { Errno, type Grp, IAM_WRITER_ILL, type Ill, Illgrp, type IpmpStack, IPMP_ILL_REFRESH_TIMEOUT_TICKS, IS_UNDER_IPMP, NEW_OP } from './types.ts';

/** ipmp_illgrp_create (ipmp.c L553-577): the IPMP ill's illgrp (setup time: writer of the new IPMP ill). */
export function ipmpIllgrpCreate(ipmpIll: Ill): Illgrp {
  kassert(ipmpIll.grp === null, 'ipmp_ill->ill_grp == NULL ipmp.c L561');
  const illg = new Illgrp(ipmpIll);
  ipmpIll.grp = illg;
  return illg;
}

/**
 * ipmp_illgrp_destroy (ipmp.c L582-607), from ill_delete_tail of the IPMP
 * ill [ext ip_if.c: "safe to do because the illgrp has already been
 * unlinked from the group by I_PUNLINK, and thus SIOCSLIFGROUPNAME cannot
 * find it"]. Entry/exit: writer of the IPMP ill (L585), no locks; ASSERTs
 * the illgrp empty (L591-596; ig_arpent is not modelled), disconnects it
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
  const pend = ex.bug('ipmp-unlink-no-pend') ? 0 : 1;
  if (illg.ipmpIll.isv6) {
    if (grp.nv6 + pend * grp.pendv6 !== 0) return Errno.EBUSY;
    ex.touch(st.memberObj, true);
    ex.touch(st.illgrpObj, true);
    grp.v6 = null;
  } else {
    if (grp.nv4 + pend * grp.pendv4 !== 0) return Errno.EBUSY;
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
  // L1174-1222: multicast reset, link-layer shape, COS and MTU (abstracted).
  yield* rwEnter(st.illGLock, 'RW_WRITER', 'ipmp.c L1224');
  ex.touch(st.illgrpObj, true);
  illg.if.push(ill);
  ill.grp = illg;
  ill.m.send('JOIN_ILLGRP');
  yield* rwExit(st.illGLock, 'ipmp.c L1227');
  // L1233-1239: hide IREs, broadcast IREs (abstracted).
  yield* ipmpIllRefreshActive(ex, st, ill);
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
  kassert(IS_UNDER_IPMP(ill), 'IS_UNDER_IPMP(ill) ipmp.c L1258');
  kassert(IAM_WRITER_ILL(ex, ill), 'IAM_WRITER_ILL(ill) ipmp.c L1259');
  let tid: Callout | null;
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
    const locked = ex.bug('ipmp-untimeout-under-ill-lock');
    if (locked) yield* mutexEnter(ill.lock, 'mutant: ill_lock around untimeout');
    yield* untimeout(tid, 'ipmp.c L1267');
    if (locked) yield* mutexExit(ill.lock);
  }
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
  if (ipmpIllIsActive(ex, ill)) {
    if (!ill.actnode) refreshed = yield* ipmpIllActivate(ex, st, ill);
  } else if (ill.actnode) yield* ipmpIllDeactivate(ex, st, ill);
  return refreshed;
}

/** ipmp_ill_refresh_active (ipmp.c L1386-1391): on failure arm the retry timer. */
export function* ipmpIllRefreshActive(ex: Execution, st: IpmpStack, ill: Ill): KThread<void> {
  if (!(yield* ipmpIllTryRefreshActive(ex, st, ill))) yield* ipmpIllRefreshActiveTimerStart(ex, st, ill);
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
  yield* mutexEnter(ill.lock, 'ipmp.c L1407');
  ill.refreshTid = null;
  ex.touch(ill.tidObj, true);
  if (ill.condemned) {
    yield* mutexExit(ill.lock, 'ipmp.c L1410');
    return;
  }
  const keep = ex.bug('ipmp-timer-hold-ill-lock');
  if (!keep) yield* mutexExit(ill.lock, 'ipmp.c L1413');
  const ipsq = yield* ipsqTryEnter(ex, st, ill, null, NEW_OP, false, 'ipmp.c L1415');
  if (keep) yield* mutexExit(ill.lock);
  if (ipsq !== null) {
    if (ex.param<boolean>('fixTimer') && !IS_UNDER_IPMP(ill)) refreshed = true;
    else refreshed = yield* runOp(ex, st, ipsq, 'refresh timer', ipmpIllTryRefreshActive(ex, st, ill));
    yield* ipsqExit(ex, st, ill.phyint.ipsq);
  }
  if (!refreshed) yield* ipmpIllRefreshActiveTimerStart(ex, st, ill);
}

/** ipmp_ill_refresh_active_timer_start (ipmp.c L1430-1448): under ill_lock, arm unless armed or CONDEMNED. */
export function* ipmpIllRefreshActiveTimerStart(ex: Execution, st: IpmpStack, ill: Ill): KThread<void> {
  yield* mutexEnter(ill.lock, 'ipmp.c L1433');
  if (ill.refreshTid !== null || ill.condemned) {
    yield* mutexExit(ill.lock, 'ipmp.c L1441');
    return;
  }
  ill.refreshTid = yield* armRefreshTimer(ex, st, ill);
  yield* mutexExit(ill.lock, 'ipmp.c L1447');
}

/** timeout(ipmp_ill_refresh_active_timer, ill, IPMP_ILL_REFRESH_TIMEOUT) (ipmp.c L1444). */
export function* armRefreshTimer(ex: Execution, st: IpmpStack, ill: Ill): KThread<Callout> {
  if (st.calloutHorizon <= 0) return beyondHorizon(ex, st, ill);
  st.calloutHorizon--;
  const c = yield* timeout(`refresh ${ill.name}`, () => ipmpIllRefreshActiveTimer(ex, st, ill), IPMP_ILL_REFRESH_TIMEOUT_TICKS, 'ipmp.c L1444');
  ill.callouts.push(c);
  ex.touch(ill.tidObj, true);
  return c;
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
  kassert(IAM_WRITER_ILL(ex, ill), 'IAM_WRITER_ILL(ill) ipmp.c L1467');
  kassert(IS_UNDER_IPMP(ill), 'IS_UNDER_IPMP(ill) ipmp.c L1468');
  if (grp.nactif === 0) {
    // L1475-1478: linkupmp and linkdownmp, tested together (kmemAllocNosleepAll).
    if (!(yield* kmemAllocNosleepAll(['DL_NOTE_LINK_UP ipmp.c L1475', 'DL_NOTE_LINK_DOWN ipmp.c L1476']))) return false;
  }
  if (!ill.isv6) {
    // L1485-1488: actmp and deactmp, tested together; `fail:` (L1559-1564) frees both.
    if (!(yield* kmemAllocNosleepAll(['AR_IPMP_ACTIVATE ipmp.c L1485', 'AR_IPMP_DEACTIVATE ipmp.c L1486']))) return false;
    kassert(!ill.ardeactMp, 'ill->ill_ardeact_mp == NULL ipmp.c L1490');
    ex.touch(st.illgrpObj, true);
    ill.ardeactMp = true;
  }
  if (illg.actif.length === 0) {
    yield* ipmpIllgrpSetCast(ex, st, illg, ill);
    for (let i = 0; i < illg.ipmpIll.upDataAddrs; i++) yield* ipmpIllBindIpif(ex, st, ill);
  } else {
    for (;;) {
      const maxill = ipmpIllgrpMaxIll(illg)!;
      if (ill.boundCnt + 1 >= maxill.boundCnt) break;
      yield* ipmpIllUnbindIpif(ex, st, maxill);
      yield* ipmpIllBindIpif(ex, st, ill);
    }
  }
  yield* rwEnter(st.ipmpLock, 'RW_WRITER', 'ipmp.c L1538');
  ex.touch(st.illgrpObj, true);
  illg.actif.push(ill);
  illg.nactif++;
  illg.nextIll = ill;
  ill.actnode = true;
  ill.m.send('ACTIVATE');
  yield* rwExit(st.ipmpLock, 'ipmp.c L1542');
  if (grp.nactif++ === 0) {
    kassert(!grp.linkdownMp, 'grp->gr_linkdownmp == NULL ipmp.c L1554');
    ex.touch(st.illgrpObj, true);
    grp.linkdownMp = true;
  }
  return true;
}

/**
 * ipmp_ill_deactivate (ipmp.c L1570-1661), as writer: remove from ig_actif
 * (ipmp_lock W, L1598-1602), renominate the cast ill (L1608), unbind the
 * data addresses, drop ill_ardeact_mp (L1628), rebind to the least loaded
 * active ill (L1644-1650), count gr_nactif down (L1655).
 */
export function* ipmpIllDeactivate(ex: Execution, st: IpmpStack, ill: Ill): KThread<void> {
  const grp = ill.phyint.grp!;
  const illg = ill.grp!;
  kassert(IAM_WRITER_ILL(ex, ill), 'IAM_WRITER_ILL(ill) ipmp.c L1580');
  kassert(IS_UNDER_IPMP(ill), 'IS_UNDER_IPMP(ill) ipmp.c L1581');
  yield* rwEnter(st.ipmpLock, 'RW_WRITER', 'ipmp.c L1598');
  ex.touch(st.illgrpObj, true);
  illg.actif.splice(illg.actif.indexOf(ill), 1);
  illg.nactif--;
  illg.nextIll = illg.actif[0] ?? null;
  ill.actnode = false;
  ill.m.send('DEACTIVATE');
  yield* rwExit(st.ipmpLock, 'ipmp.c L1602');
  if (ill === illg.castIll) yield* ipmpIllgrpSetCast(ex, st, illg, illg.actif[0] ?? null);
  let unbound = 0;
  while (ill.boundCnt > 0) {
    yield* ipmpIllUnbindIpif(ex, st, ill);
    unbound++;
  }
  if (!ill.isv6) {
    kassert(ill.ardeactMp, 'mp != NULL (ill_ardeact_mp) ipmp.c L1630');
    ex.touch(st.illgrpObj, true);
    ill.ardeactMp = false;
  }
  for (let i = 0; i < unbound; i++) {
    const minill = ipmpIllgrpMinIll(illg);
    if (minill !== null) yield* ipmpIllBindIpif(ex, st, minill);
  }
  if (--grp.nactif === 0) {
    kassert(grp.linkdownMp, 'mp != NULL (gr_linkdownmp) ipmp.c L1658');
    ex.touch(st.illgrpObj, true);
    grp.linkdownMp = false;
  }
}

/**
 * ipmp_illgrp_set_cast (ipmp.c L800-867), as writer of the IPMP ill: clear
 * the old nominee's ill_nom_cast, publish the new one under ipmp_lock W
 * (L828-830), set its ill_nom_cast. Multicast and IRE work abstracted.
 */
export function* ipmpIllgrpSetCast(ex: Execution, st: IpmpStack, illg: Illgrp, castill: Ill | null): KThread<void> {
  kassert(IAM_WRITER_ILL(ex, illg.ipmpIll), 'IAM_WRITER_ILL(ipmp_ill) ipmp.c L807');
  const ocastill = illg.castIll;
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
}

/** ipmp_illgrp_max_ill / min_ill (ipmp.c L665-702): writer; the active ill with the most / fewest bound ipifs. */
export function ipmpIllgrpMaxIll(illg: Illgrp): Ill | null {
  let best: Ill | null = null;
  for (const i of illg.actif) if (best === null || i.boundCnt > best.boundCnt) best = i;
  return best;
}
export function ipmpIllgrpMinIll(illg: Illgrp): Ill | null {
  let best: Ill | null = null;
  for (const i of illg.actif) if (best === null || i.boundCnt < best.boundCnt) best = i;
  return best;
}

/** ipmp_ill_bind_ipif (ipmp.c L1707-1748): ipif_bound_ill written under ipmp_lock W (L1722-1724); the resolver is abstracted. */
export function* ipmpIllBindIpif(ex: Execution, st: IpmpStack, ill: Ill): KThread<void> {
  kassert(IAM_WRITER_ILL(ex, ill), 'IAM_WRITER_ILL(ill) ipmp.c L1713');
  yield* rwEnter(st.ipmpLock, 'RW_WRITER', 'ipmp.c L1722');
  ex.touch(st.illgrpObj, true);
  ill.boundCnt++;
  yield* rwExit(st.ipmpLock, 'ipmp.c L1724');
}

/** ipmp_ill_unbind_ipif (ipmp.c L1756-1817): the head of the chain; ipmp_lock W around the pointer (L1786-1788). */
export function* ipmpIllUnbindIpif(ex: Execution, st: IpmpStack, ill: Ill): KThread<void> {
  kassert(IAM_WRITER_ILL(ex, ill), 'IAM_WRITER_ILL(ill) ipmp.c L1763');
  kassert(ill.boundCnt > 0, 'ill_bound_cnt > 0 ipmp.c L1781');
  yield* rwEnter(st.ipmpLock, 'RW_WRITER', 'ipmp.c L1786');
  ex.touch(st.illgrpObj, true);
  ill.boundCnt--;
  yield* rwExit(st.ipmpLock, 'ipmp.c L1788');
}
