/**
 * The callers of ipmp.c that live in ip.c / ip_if.c (not among the
 * references; ipsq notes §2.10, §2.11, §4 and ipmp notes §6.2): the IPI_WR
 * ioctl pipeline, SIOCSLIFGROUPNAME (join, leave, rename), ip_join_illgrps
 * (phase 2 of a join, a SWITCH_OP), SIOCSLIFFLAGS-style activity changes,
 * and the unplumb of an underlying interface (ip_modclose, phyint_free).
 */
import type { KThread } from '../../core/effect.ts';
import { kassert, kfail } from '../../core/errors.ts';
import type { Execution } from '../../core/execution.ts';
import { cvBroadcast, cvWait } from '../../locks/kcondvar.ts';
import { kmemFree } from '../../locks/kmem.ts';
import { mutexEnter, mutexExit } from '../../locks/kmutex.ts';
import { rwEnter, rwExit } from '../../locks/krwlock.ts';
import { ipmpGrpDestroy, ipmpGrpKstatDeleteUnlocked, ipmpGrpLookup, ipmpGrpRename, ipmpGrpVetPhyint, ipmpPhyintJoinGrp, ipmpPhyintLeaveGrp } from './group.ts';
import { ipmpIllgrpDestroy, ipmpIllgrpLinkGrp, ipmpIllgrpUnlinkGrp, ipmpIllJoinIllgrp, ipmpIllLeaveIllgrp, ipmpPhyintRefreshActive } from './illgrp.ts';
import { ipsqCurrentFinish, ipsqCurrentStart, ipsqEnter, ipsqExit, ipsqFlush, ipsqTryEnter, qwriterIp, runOp } from './ipsq.ts';
import { Errno, type Grp, IAM_WRITER_ILL, type Ill, type Illgrp, type IpmpStack, type Ipsq, IS_UNDER_IPMP, type Msg, NEW_OP, type Phyint, phyintIlls, SWITCH_OP } from './types.ts';
import { ipmpBug } from './mutants.ts';

/** An ioctl body: runs as writer with the op started; returns the errno. */
export type IoctlBody = (ipsq: Ipsq) => KThread<number>;

/**
 * The ill lookup of an ioctl (ipif_lookup_on_name / ILL_CAN_LOOKUP, ipsq
 * notes §1.5): under ill_g_lock R find the ill, and under ill_lock refhold
 * it unless CONDEMNED (a writer may look up a CONDEMNED ill).
 */
export function* illLookupRefhold(ex: Execution, st: IpmpStack, ill: Ill): KThread<boolean> {
  let ok = false;
  const fr = ex.frame('ill_lookup_refhold', () => [ill, ok]);
  yield* rwEnter(st.illGLock, 'RW_READER', 'ip_if.c ill_lookup_on_name');
  if (!ill.listed) {
    yield* rwExit(st.illGLock);
    return ex.leaving(fr, false);
  }
  yield* mutexEnter(ill.lock, 'ip_if.c ILL_CAN_LOOKUP');
  ok = !ill.condemned || IAM_WRITER_ILL(ex, ill);
  if (ok) ill.refcnt++;
  yield* mutexExit(ill.lock);
  yield* rwExit(st.illGLock);
  return ex.leaving(fr, ok);
}

function* refrele(ex: Execution, ill: Ill): KThread<void> {
  const fr = ex.frame('ill_refrele', () => [ill]);
  yield* mutexEnter(ill.lock, 'ip_if.c ill_refrele');
  ill.refcnt--;
  if (ill.refcnt === 0 && ill.condemned) yield* cvBroadcast(ill.cv);
  yield* mutexExit(ill.lock);
  ex.leave(fr);
}

/**
 * ip_process_ioctl for an IPI_WR ioctl (ipsq notes §2.10): look up and
 * refhold the ill, ipsq_try_enter(NEW_OP, reentry_ok) queueing the ioctl
 * itself when busy, refrele before running, then current_start, the body,
 * current_finish, and ipsq_exit if this call entered. A queued ioctl
 * re-runs from the lookup, as writer, when the IPSQ drains it.
 * The errno is recorded in st.results[label].
 *
 * The queued message's continuation (ip_process_ioctl_rerun) captures ill,
 * label and body: the Msg carries ill and label (its name), and a label
 * names one ioctl of its scenario, so the body too; that is what the state
 * walk sees of it (a function is walked by its name only).
 */
export function* ipProcessIoctl(ex: Execution, st: IpmpStack, ill: Ill, label: string, body: IoctlBody): KThread<void> {
  let mp: Msg | null = null;
  let ipsq: Ipsq | null = null;
  const fr = ex.frame('ip_process_ioctl', () => [ill, label, mp, ipsq]);
  if (!(yield* illLookupRefhold(ex, st, ill))) {
    st.results.set(label, Errno.ENXIO);
    return ex.leave(fr);
  }
  const ip_process_ioctl_rerun = function* (ipsq: Ipsq): KThread<void> {
    const fr = ex.frame('ip_process_ioctl_rerun', () => [ill, label, ipsq]);
    if (!(yield* illLookupRefhold(ex, st, ill))) {
      st.results.set(label, Errno.ENXIO);
      return ex.leave(fr);
    }
    yield* refrele(ex, ill);
    yield* runIoctl(ex, st, ipsq, label, body);
    ex.leave(fr);
  };
  mp = st.newMsg(label, ip_process_ioctl_rerun, NEW_OP, ill);
  ipsq = yield* ipsqTryEnter(ex, st, ill, mp, NEW_OP, true, 'ip.c ip_process_ioctl');
  yield* refrele(ex, ill);
  if (ipsq === null) return ex.leave(fr);
  mp.status = 'run';
  yield* runIoctl(ex, st, ipsq, label, body);
  yield* ipsqExit(ex, st, ipsq);
  ex.leave(fr);
}

function* runIoctl(ex: Execution, st: IpmpStack, ipsq: Ipsq, label: string, body: IoctlBody): KThread<void> {
  let err = -1;
  const fr = ex.frame('run_ioctl', () => [ipsq, label, err]);
  yield* ipsqCurrentStart(ex, ipsq, label);
  err = yield* runOp(ex, st, ipsq, label, body(ipsq));
  st.results.set(label, err);
  yield* ipsqCurrentFinish(ex, ipsq);
  ex.leave(fr);
}

/**
 * ip_sioctl_groupname (SIOCSLIFGROUPNAME; ipsq notes §2.11, ipmp notes
 * §6.2), as writer of the phyint's current xop with the op in progress.
 * On the IPMP ill: rename. "" : leave (ipmp_phyint_leave_grp runs here, on
 * the group xop). Otherwise join phase 1: under ipmp_lock W look up and vet,
 * bump gr_pendv4/6, drop the lock, ipmp_phyint_join_grp, and queue
 * ip_join_illgrps as the SWITCH_OP (qwriter_ip, reentry_ok FALSE).
 */
export function* ipSioctlGroupname(ex: Execution, st: IpmpStack, ill: Ill, grname: string): KThread<number> {
  const phyi = ill.phyint;
  let grp: Grp | null = null;
  let err: number = Errno.OK;
  const fr = ex.frame('ip_sioctl_groupname', () => [ill, grname, grp, err]);
  kassert(IAM_WRITER_ILL(ex, ill), 'IAM_WRITER_ILL(ill) in ip_sioctl_groupname');
  if (phyi.isIpmp) {
    yield* rwEnter(st.ipmpLock, 'RW_WRITER', 'ip_if.c ip_sioctl_groupname rename');
    grp = phyi.grp!;
    err = grp.name === grname ? Errno.OK : ipmpGrpRename(ex, st, grp, grname);
    yield* rwExit(st.ipmpLock);
    return ex.leaving(fr, err);
  }
  // phyint_grp is written only by this phyint's writer (us): read without ipmp_lock.
  if (grname === '') {
    if (phyi.grp === null) return ex.leaving(fr, Errno.OK);
    yield* ipmpPhyintLeaveGrp(ex, st, phyi);
    return ex.leaving(fr, Errno.OK);
  }
  if (phyi.grp !== null) return ex.leaving(fr, phyi.grp.name === grname ? Errno.OK : Errno.EALREADY);
  const keep = ipmpBug(ex, 'ipmp-groupname-keep-ipmp-lock');
  yield* rwEnter(st.ipmpLock, 'RW_WRITER', 'ip_if.c ip_sioctl_groupname');
  grp = ipmpGrpLookup(ex, st, grname);
  if (grp === null) {
    yield* rwExit(st.ipmpLock);
    return ex.leaving(fr, Errno.ENOENT);
  }
  err = ipmpGrpVetPhyint(ex, st, grp, phyi);
  if (err !== 0) {
    yield* rwExit(st.ipmpLock);
    return ex.leaving(fr, err);
  }
  if (ex.param<boolean>('fixMactype') && grp.nif === 0 && grp.pendv4 + grp.pendv6 === 0) grp.mactype = (phyi.illv6 ?? phyi.illv4)!.mactype;
  ex.touch(st.memberObj, true);
  if (!ipmpBug(ex, 'ipmp-join-no-pend')) {
    if (phyi.illv4 !== null) grp.pendv4++;
    if (phyi.illv6 !== null) grp.pendv6++;
  }
  if (!keep) yield* rwExit(st.ipmpLock);
  yield* ipmpPhyintJoinGrp(ex, st, phyi, grp);
  if (keep) yield* rwExit(st.ipmpLock);
  // ill_refhold then qwriter_ip(..., ip_join_illgrps, SWITCH_OP, B_FALSE).
  yield* mutexEnter(ill.lock, 'ip_if.c ill_refhold');
  ill.refcnt++;
  yield* mutexExit(ill.lock);
  // The continuation captures ill (the Msg's ill) and names its phyint (the Msg's name).
  const ip_join_illgrps_op = (ipsq: Ipsq) => runOp(ex, st, ipsq, `ip_join_illgrps(${phyi.name})`, ipJoinIllgrps(ex, st, ipsq, ill));
  const mp = st.newMsg(`ip_join_illgrps(${phyi.name})`, ip_join_illgrps_op, SWITCH_OP, ill);
  yield* qwriterIp(ex, st, ill, mp, false);
  return ex.leaving(fr, Errno.OK);
}

/**
 * ip_join_illgrps (ip_if.c ~L11905; ipsq notes §2.11 step 7), the SWITCH_OP
 * run as writer of the group xop right after the switch: under ipmp_lock W
 * VERIFY(gr_pendvX-- > 0), then ipmp_ill_join_illgrp per family.
 */
export function* ipJoinIllgrps(ex: Execution, st: IpmpStack, _ipsq: Ipsq, ill: Ill): KThread<void> {
  const phyi = ill.phyint;
  let v4: Illgrp | null = null;
  let v6: Illgrp | null = null;
  const fr = ex.frame('ip_join_illgrps', () => [ill, v4, v6]);
  yield* rwEnter(st.ipmpLock, 'RW_WRITER', 'ip_if.c ip_join_illgrps');
  const grp = phyi.grp;
  ex.touch(st.memberObj, true);
  kassert(grp !== null, 'phyint_grp != NULL in ip_join_illgrps');
  if (phyi.illv4 !== null) kassert(grp.pendv4-- > 0, 'VERIFY(gr_pendv4-- > 0) in ip_join_illgrps');
  if (phyi.illv6 !== null) kassert(grp.pendv6-- > 0, 'VERIFY(gr_pendv6-- > 0) in ip_join_illgrps');
  v4 = grp.v4;
  v6 = grp.v6;
  yield* rwExit(st.ipmpLock);
  phyi.m.send('JOIN_ILLGRPS');
  if (phyi.illv4 !== null) {
    if (v4 === null) kfail('assert', 'kassert', 'NULL illgrp (gr_v4) dereferenced in ipmp_ill_join_illgrp ipmp.c L1147');
    yield* ipmpIllJoinIllgrp(ex, st, phyi.illv4, v4);
  }
  if (phyi.illv6 !== null) {
    if (v6 === null) kfail('assert', 'kassert', 'NULL illgrp (gr_v6) dereferenced in ipmp_ill_join_illgrp ipmp.c L1147');
    yield* ipmpIllJoinIllgrp(ex, st, phyi.illv6, v6);
  }
  ex.leave(fr);
}

/**
 * An address coming up on an underlying ill (the ipif_up path, abstracted
 * to ill_ipif_up_count++ under ill_lock), then ipmp_phyint_refresh_active
 * (ipmp.c L2117-2124) if the ill is in an illgrp.
 */
export function* ipifUp(ex: Execution, st: IpmpStack, ill: Ill): KThread<number> {
  const fr = ex.frame('ipif_up', () => [ill]);
  yield* mutexEnter(ill.lock, 'ip_if.c ipif_up');
  ill.ipifUpCount++;
  ex.touch(st.illgrpObj, true);
  yield* mutexExit(ill.lock);
  if (IS_UNDER_IPMP(ill)) yield* ipmpPhyintRefreshActive(ex, st, ill.phyint);
  return ex.leaving(fr, Errno.OK);
}

/**
 * An address going down on an underlying ill (SIOCSLIFFLAGS clearing
 * IFF_UP: the ipif_down path, abstracted to ill_ipif_up_count-- under
 * ill_lock), then ipmp_phyint_refresh_active (ipmp.c L2117-2124) if the ill
 * is in an illgrp, which deactivates it.
 */
export function* ipifDown(ex: Execution, st: IpmpStack, ill: Ill): KThread<number> {
  const fr = ex.frame('ipif_down', () => [ill]);
  yield* mutexEnter(ill.lock, 'ip_if.c ipif_down');
  kassert(ill.ipifUpCount > 0, 'ill_ipif_up_count > 0 in ipif_down');
  ill.ipifUpCount--;
  ex.touch(st.illgrpObj, true);
  yield* mutexExit(ill.lock);
  if (IS_UNDER_IPMP(ill)) yield* ipmpPhyintRefreshActive(ex, st, ill.phyint);
  return ex.leaving(fr, Errno.OK);
}

/**
 * ip_sioctl_plink_ipmp (ip_if.c [ext]; ipmp notes §3.1 link/unlink, §6.2):
 * I_PLINK / I_PUNLINK of an IPMP ill, as its writer (ASSERTs IS_IPMP,
 * IAM_WRITER_ILL). I_PUNLINK refuses (EBUSY) while the IPMP ill has up or
 * DAD-duplicate addresses, then holds ipmp_lock W across
 * ipmp_illgrp_unlink_grp: "ills trying to join grab ipmp_lock and bump a
 * pending join counter checked by ipmp_illgrp_unlink_grp(). During the
 * unlink no new pending joins can occur (since we have ipmp_lock). Once we
 * drop ipmp_lock, subsequent SIOCSLIFGROUPNAME requests will not find the
 * illgrp (since we unlinked it) and will return EAFNOSUPPORT."
 * Entry/exit: no locks.
 */
export function* ipSioctlPlinkIpmp(ex: Execution, st: IpmpStack, ill: Ill, ioccmd: 'I_PLINK' | 'I_PUNLINK'): KThread<number> {
  kassert(ill.phyint.isIpmp, 'IS_IPMP(ill) in ip_sioctl_plink_ipmp');
  kassert(IAM_WRITER_ILL(ex, ill), 'IAM_WRITER_ILL(ill) in ip_sioctl_plink_ipmp');
  const illg = ill.grp!;
  let err: number = Errno.OK;
  const fr = ex.frame('ip_sioctl_plink_ipmp', () => [ill, ioccmd, illg, err]);
  if (ioccmd === 'I_PLINK') {
    yield* rwEnter(st.ipmpLock, 'RW_WRITER', 'ip_if.c ip_sioctl_plink_ipmp I_PLINK');
    ipmpIllgrpLinkGrp(ex, st, illg, ill.phyint.grp!);
    yield* rwExit(st.ipmpLock);
    return ex.leaving(fr, Errno.OK);
  }
  if (ill.upDataAddrs + ill.ipifUpCount + ill.vet.dupCount > 0) return ex.leaving(fr, Errno.EBUSY);
  yield* rwEnter(st.ipmpLock, 'RW_WRITER', 'ip_if.c ip_sioctl_plink_ipmp I_PUNLINK');
  err = ipmpIllgrpUnlinkGrp(ex, st, illg, ill.phyint.grp!);
  yield* rwExit(st.ipmpLock);
  return ex.leaving(fr, err);
}

/**
 * phyint_free (ip_if.c [ext]; ipsq notes §2.11 "Unplumb", ipmp notes §3.1
 * destroy). Entry: writer, no locks (ill_glist_delete dropped ill_g_lock).
 * The IPMP phyint blows away its group under ipmp_lock W ("safe to do
 * because all of the illgrps have already been removed by I_PUNLINK, and
 * thus SIOCSLIFGROUPNAME cannot find us"); a member leaves its group (the
 * switch happens at the final ipsq_exit). Then ipsq_phyint = NULL so that
 * ipsq_exit frees the IPSQ, and the phyint is freed.
 */
export function* phyintFree(ex: Execution, st: IpmpStack, phyi: Phyint): KThread<void> {
  const fr = ex.frame('phyint_free', () => [phyi]);
  kassert(phyi.illv4 === null && phyi.illv6 === null, 'phyint_illv4 == NULL && phyint_illv6 == NULL in phyint_free');
  if (phyi.isIpmp && phyi.grp !== null) {
    // IPMP-2 candidate fix: no kstat_delete under ipmp_lock W.
    if (ex.param<boolean>('fixKstats')) yield* ipmpGrpKstatDeleteUnlocked(ex, phyi.grp);
    yield* rwEnter(st.ipmpLock, 'RW_WRITER', 'ip_if.c phyint_free');
    yield* ipmpGrpDestroy(ex, st, phyi.grp);
    phyi.grp = null;
    yield* rwExit(st.ipmpLock, 'ip_if.c phyint_free');
  }
  if (phyi.grp !== null) yield* ipmpPhyintLeaveGrp(ex, st, phyi);
  phyi.ipsq.phyint = null;
  phyi.m.send('FREE');
  yield* kmemFree(phyi.mem, 'ip_if.c phyint_free');
  ex.leave(fr);
}

/**
 * ip_modclose of an ill (ip.c ~L4425; ipsq notes §4), underlying or the
 * IPMP ill itself (after I_PUNLINK): enter the
 * IPSQ (blocking, must succeed), mark CONDEMNED and wake ipsq_enter
 * sleepers, ill_delete (flush #1, leave the illgrp), wait for references
 * and waiters to drain, ill_delete_tail (flush #2, the illgrp of an IPMP
 * ill destroyed, glist delete, phyint_free of the last ill: for the IPMP
 * phyint, ipmp_grp_destroy), free the ill, and the final ipsq_exit that
 * drains, performs a pending leave switch and frees the orphaned IPSQ.
 */
export function* ipModclose(ex: Execution, st: IpmpStack, ill: Ill): KThread<void> {
  const fr = ex.frame('ip_modclose', () => [ill]);
  const ok = yield* ipsqEnter(ex, st, ill, NEW_OP);
  kassert(ok, 'ipsq_enter in ip_modclose succeeds');
  const ipsq = ill.phyint.ipsq;
  yield* runOp(ex, st, ipsq, `ip_modclose(${ill.name})`, modcloseBody(ex, st, ill));
  yield* ipsqExit(ex, st, ipsq);
  ex.leave(fr);
}

function* modcloseBody(ex: Execution, st: IpmpStack, ill: Ill): KThread<void> {
  const phyi = ill.phyint;
  // Which ipsq_flush runs: ill_delete's (false) or ill_delete_tail's (true);
  // both calls look alike to the walk (same ill, same locks, same sites).
  let tail = false;
  let last = false;
  const fr = ex.frame('ip_modclose_body', () => [ill, tail, last]);
  yield* mutexEnter(ill.lock, 'ip.c ip_modclose');
  ill.condemned = true;
  ill.m.send('CONDEMN');
  yield* cvBroadcast(ill.cv);
  yield* mutexExit(ill.lock);
  // ill_delete
  yield* ipsqFlush(ex, st, ill);
  if (IS_UNDER_IPMP(ill)) yield* ipmpIllLeaveIllgrp(ex, st, ill);
  yield* mutexEnter(ill.lock, 'ip.c ip_modclose wait');
  // Mutant ipmp-modclose-no-refcnt-wait: ill_delete does not wait for the references to drain.
  while (ill.refcnt !== 0 && !ipmpBug(ex, 'ipmp-modclose-no-refcnt-wait')) yield* cvWait(ill.cv, ill.lock, 'ip.c ip_modclose !ill_is_freeable');
  while (ill.waiters !== 0) yield* cvWait(ill.cv, ill.lock, 'ip.c ip_modclose ill_waiters');
  yield* mutexExit(ill.lock);
  // ill_delete_tail
  tail = true;
  yield* ipsqFlush(ex, st, ill);
  if (phyi.isIpmp) {
    // ill_delete_tail: "If this ill is an IPMP meta-interface, blow away the
    // illgrp. This is safe to do because the illgrp has already been
    // unlinked from the group by I_PUNLINK" (still writer, no locks).
    ipmpIllgrpDestroy(ex, st, ill.grp!);
    ill.grp = null;
  }
  yield* rwEnter(st.illGLock, 'RW_WRITER', 'ip_if.c ill_glist_delete');
  ill.listed = false;
  ex.touch(st.memberObj, true);
  if (ill.isv6) phyi.illv6 = null;
  else phyi.illv4 = null;
  last = phyi.illv4 === null && phyi.illv6 === null;
  yield* rwExit(st.illGLock);
  if (last) yield* phyintFree(ex, st, phyi);
  ill.m.send('FREE');
  yield* kmemFree(ill.mem, 'ip.c mi_close_free');
  ex.leave(fr);
}

export { phyintIlls };
