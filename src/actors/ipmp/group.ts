/**
 * IPMP groups (ipmp_grp_t): the hash under ips_ipmp_lock, create, lookup,
 * rename, destroy, the vet of a joining ill/phyint, the phyint join/leave
 * (phase 1 and the leave request; the xop switch itself is in ipsq_dq), and
 * the kstat update. ipmp.c lines cited per function.
 */
import type { KThread } from '../../core/effect.ts';
import { kassert, kfail } from '../../core/errors.ts';
import type { Execution } from '../../core/execution.ts';
import { access } from '../../core/ops.ts';
import { kmemFree } from '../../locks/kmem.ts';
import { mutexEnter, mutexExit } from '../../locks/kmutex.ts';
import { RW_LOCK_HELD, RW_WRITE_HELD, rwEnter, rwExit } from '../../locks/krwlock.ts';
import { ipmpIllLeaveIllgrp } from './illgrp.ts';
import { Errno, Grp, IAM_WRITER_ILL, Kstat, IAM_WRITER_IPSQ, type Ill, type IpmpStack, type Ipsq, IS_UNDER_IPMP, type Phyint, phyintIlls } from './types.ts';
import { ipmpBug } from './mutants.ts';

/** Asserting a lock in setup (no thread) is vacuous: setup is single-threaded. */
function held(ex: Execution, ok: boolean): boolean {
  return ex.current === null || ok;
}

/**
 * ipmp_grp_create (ipmp.c L139-179): allocate, create the kstat, insert.
 * Entry/exit: ipmp_lock W (ASSERT L146). Allocation failures are not
 * injected (caller would return ENOMEM).
 */
export function ipmpGrpCreate(ex: Execution, st: IpmpStack, grname: string, phyi: Phyint): Grp {
  kassert(held(ex, RW_WRITE_HELD(ex, st.ipmpLock)), 'RW_WRITE_HELD(&ips_ipmp_lock) ipmp.c L146');
  const grp = new Grp(ex, grname, phyi, st.cov);
  st.groups.push(grp);
  ipmpGrpInsert(ex, st, grp);
  return grp;
}

/** ipmp_grp_lookup (ipmp.c L291-303): ipmp_lock held R or W (ASSERT L296). */
export function ipmpGrpLookup(ex: Execution, st: IpmpStack, grname: string): Grp | null {
  kassert(held(ex, RW_LOCK_HELD(ex, st.ipmpLock)), 'RW_LOCK_HELD(&ips_ipmp_lock) ipmp.c L296');
  return st.hash.get(grname) ?? null;
}

/** ipmp_grp_info (ipmp.c L308-333): ipmp_lock held (ASSERT L314). */
export function ipmpGrpInfo(ex: Execution, st: IpmpStack, grp: Grp): { nv4: number; nv6: number; mactype: string; ifname: string; m4: string } {
  kassert(RW_LOCK_HELD(ex, st.ipmpLock), 'RW_LOCK_HELD(&ips_ipmp_lock) ipmp.c L314');
  grp.mem.check(ex, 'ipmp_grp_info');
  return {
    nv4: grp.nv4 + grp.pendv4,
    nv6: grp.nv6 + grp.pendv6,
    mactype: grp.nif > 0 ? grp.mactype! : 'SUNW_DL_IPMP',
    ifname: grp.ifname,
    m4: grp.v4?.castIll?.name ?? '',
  };
}

/** ipmp_grp_insert (ipmp.c L339-360): ipmp_lock W; panics if the reserved insert fails (duplicate key). */
export function ipmpGrpInsert(ex: Execution, st: IpmpStack, grp: Grp): void {
  kassert(held(ex, RW_WRITE_HELD(ex, st.ipmpLock)), 'RW_WRITE_HELD(&ips_ipmp_lock) ipmp.c L345');
  if (st.hash.has(grp.name)) kfail('assert', 'kassert', `panic: cannot insert IPMP group "${grp.name}" (ipmp.c L357)`);
  st.hash.set(grp.name, grp);
}

/** ipmp_grp_remove (ipmp.c L365-380): ipmp_lock W; panics if the key is missing or maps elsewhere. */
export function ipmpGrpRemove(ex: Execution, st: IpmpStack, grp: Grp): void {
  kassert(held(ex, RW_WRITE_HELD(ex, st.ipmpLock)), 'RW_WRITE_HELD(&ips_ipmp_lock) ipmp.c L373');
  if (st.hash.get(grp.name) !== grp) kfail('assert', 'kassert', `panic: cannot remove IPMP group "${grp.name}" (ipmp.c L377)`);
  st.hash.delete(grp.name);
}

/**
 * ipmp_grp_rename (ipmp.c L386-413): ipmp_lock W. EINVAL for "", EEXIST if
 * the name is taken (including this group's own), ENOMEM if the reserve
 * fails (not injected). Order: reserve, remove, copy the name, insert.
 */
export function ipmpGrpRename(ex: Execution, st: IpmpStack, grp: Grp, grname: string): number {
  kassert(RW_WRITE_HELD(ex, st.ipmpLock), 'RW_WRITE_HELD(&ips_ipmp_lock) ipmp.c L392');
  grp.mem.check(ex, 'ipmp_grp_rename');
  if (grname === '') return Errno.EINVAL;
  if (st.hash.has(grname) && !ipmpBug(ex, 'ipmp-rename-no-eexist')) return Errno.EEXIST;
  ex.touch(st.memberObj, true);
  if (ipmpBug(ex, 'ipmp-rename-copy-before-remove')) {
    grp.name = grname;
    ipmpGrpRemove(ex, st, grp);
  } else {
    ipmpGrpRemove(ex, st, grp);
    grp.name = grname;
  }
  ipmpGrpInsert(ex, st, grp);
  grp.m.send('RENAME');
  return Errno.OK;
}

/**
 * ipmp_grp_create_kstats (ipmp.c L184-202), the part the kstat framework
 * needs: the "ipmp" kstat with ks_private = grp (L196), installed and
 * cached in gr_ksp (L200). Called at setup by the scenarios that read the
 * kstat through the framework (kstatRead); see Kstat in types.ts.
 */
export function ipmpGrpCreateKstats(ex: Execution, grp: Grp): void {
  kassert(grp.ksp === null, 'gr_ksp == NULL before ipmp_grp_create_kstats');
  grp.ksp = new Kstat(ex, `ipmp ${grp.ifname}`, grp);
}

/**
 * kstat_delete_netstack (kstat.c [ext], called at ipmp.c L282): take the
 * exclusive hold, which waits for a reader inside ks_update to kstat_rele,
 * unlink the kstat so that no later hold finds it, and drop the hold.
 * Entry/exit: whatever the caller holds (ipmp_grp_destroy: ipmp_lock W,
 * ipmp notes E4; under the IPMP-2 candidate fix, ipmpGrpKstatDeleteUnlocked:
 * no lock); may block.
 */
function* kstatDelete(ex: Execution, ksp: Kstat): KThread<void> {
  const fr = ex.frame('kstat_delete', () => [ksp]);
  yield* mutexEnter(ksp.hold, 'kstat.c kstat_delete (kstat_hold_byaddr) ipmp.c L282');
  kassert(!ksp.deleted, 'kstat deleted twice');
  ksp.deleted = true;
  yield* mutexExit(ksp.hold, 'kstat.c kstat_delete');
  ex.leave(fr);
}

/**
 * Candidate fix for IPMP-2, second half (fixKstats): the fixed ks_update
 * takes ipmp_lock R while the kstat is held, so kstat_delete must not wait
 * for that hold with ipmp_lock W held (it deadlocked: docs/findings.md).
 * phyint_free of the IPMP phyint deletes the group kstat first, holding no
 * lock; the group stays in the hash until ipmp_grp_destroy. Nothing can
 * re-create the kstat in between (only ipmp_grp_create does, L163) or join
 * the group (its illgrps are unlinked, I_PUNLINK). Entry/exit: writer of
 * the IPMP phyint's IPSQ, no locks; may block.
 */
export function* ipmpGrpKstatDeleteUnlocked(ex: Execution, grp: Grp): KThread<void> {
  const fr = ex.frame('ipmp_grp_kstat_delete_unlocked', () => [grp]);
  kassert(ex.param<boolean>('fixKstats'), 'the early kstat delete is the fixKstats path');
  if (grp.ksp !== null && !grp.ksp.deleted) yield* kstatDelete(ex, grp.ksp);
  ex.leave(fr);
}

/**
 * A read of the group kstat through the framework [ext kstat.c,
 * KSTAT_IOC_READ]: kstat_hold_bykid (fails once kstat_delete unlinked it),
 * ks_update = ipmp_grp_update_kstats(ks_private, KSTAT_READ) with the hold
 * kept, kstat_rele. Returns null when the kstat is gone (ENXIO).
 * Entry/exit: no locks.
 */
export function* kstatRead(ex: Execution, st: IpmpStack, ksp: Kstat): KThread<{ err: number; value: number } | null> {
  let r: { err: number; value: number } | null = null;
  const fr = ex.frame('kstat_read', () => [ksp, r]);
  yield* mutexEnter(ksp.hold, 'kstat.c kstat_hold_bykid');
  if (ksp.deleted) {
    yield* mutexExit(ksp.hold, 'kstat.c kstat_hold_bykid (gone)');
    return ex.leaving(fr, null);
  }
  r = yield* ipmpGrpUpdateKstats(ex, st, ksp.grp, 'read');
  yield* mutexExit(ksp.hold, 'kstat.c kstat_rele');
  return ex.leaving(fr, r);
}

/**
 * ipmp_grp_destroy_kstats (ipmp.c L277-285): delete the group kstat
 * (kstat_delete_netstack, which waits for a reader inside ks_update, L282),
 * zero the baseline (L283) and forget gr_ksp (L284). Entry/exit: the
 * caller's locks (ipmp_grp_destroy: ipmp_lock W); may block. Under
 * fixKstats phyint_free has already deleted the kstat, before it took
 * ipmp_lock (ipmpGrpKstatDeleteUnlocked).
 */
export function* ipmpGrpDestroyKstats(ex: Execution, grp: Grp): KThread<void> {
  const ksp = grp.ksp;
  const fr = ex.frame('ipmp_grp_destroy_kstats', () => [grp, ksp]);
  if (ksp !== null && !ex.param<boolean>('fixKstats')) yield* kstatDelete(ex, ksp); // L282
  grp.kstats0 = 0; // L283
  grp.ksp = null; // L284
  ex.leave(fr);
}

/**
 * ipmp_grp_destroy (ipmp.c L419-445): ipmp_lock W on entry and exit
 * (ASSERT L424; the caller, phyint_free [ext], takes it). Panics if
 * gr_nif != 0 (L430-431); removes the group from the hash (L433), deletes
 * its kstat (ipmp_grp_destroy_kstats L434 -> L277-285: kstat_delete waits,
 * with ipmp_lock still held, for a reader inside ks_update; then the
 * baseline is zeroed and gr_ksp cleared), ASSERTs the group empty
 * (L436-441), clears gr_phyint (L442) and frees it (L444). With fixKstats
 * the kstat was deleted before ipmp_lock was taken (ipmpGrpKstatDeleteUnlocked).
 */
export function* ipmpGrpDestroy(ex: Execution, st: IpmpStack, grp: Grp): KThread<void> {
  let ksp: Kstat | null = null;
  const fr = ex.frame('ipmp_grp_destroy', () => [grp, ksp]);
  kassert(RW_WRITE_HELD(ex, st.ipmpLock), 'RW_WRITE_HELD(&ips_ipmp_lock) ipmp.c L424');
  grp.mem.check(ex, 'ipmp_grp_destroy');
  if (grp.nif !== 0) kfail('assert', 'kassert', `panic: cannot destroy IPMP group "${grp.name}": in use (ipmp.c L430-431)`);
  ex.touch(st.memberObj, true);
  ipmpGrpRemove(ex, st, grp);
  ksp = grp.ksp;
  // Mutant: the kstat is deleted only after kmem_free (L444), from a saved gr_ksp.
  const late = ipmpBug(ex, 'ipmp-grp-destroy-free-first');
  if (!late) yield* ipmpGrpDestroyKstats(ex, grp); // L434
  kassert(grp.v4 === null, 'grp->gr_v4 == NULL ipmp.c L436');
  kassert(grp.v6 === null, 'grp->gr_v6 == NULL ipmp.c L437');
  kassert(grp.nv4 === 0, 'grp->gr_nv4 == 0 ipmp.c L438');
  kassert(grp.nv6 === 0, 'grp->gr_nv6 == 0 ipmp.c L439');
  kassert(grp.nactif === 0, 'grp->gr_nactif == 0 ipmp.c L440');
  kassert(!grp.linkdownMp, 'grp->gr_linkdownmp == NULL ipmp.c L441');
  grp.phyint = null; // L442
  grp.m.send('DESTROY');
  yield* kmemFree(grp.mem, 'ipmp.c L444');
  // (Under fixKstats phyint_free already deleted it: the fix hides this mutant.)
  if (late && ksp !== null && !ksp.deleted) yield* kstatDelete(ex, ksp);
  ex.leave(fr);
}

/**
 * ipmp_grp_vet_ill (ipmp.c L453-518): the errno for a bad ill, in the C
 * code's check order. Entry: writer of the ill's IPSQ (L458), ipmp_lock held (L459).
 */
export function ipmpGrpVetIll(ex: Execution, st: IpmpStack, grp: Grp, ill: Ill): number {
  kassert(IAM_WRITER_ILL(ex, ill), 'IAM_WRITER_ILL(ill) ipmp.c L458');
  kassert(RW_LOCK_HELD(ex, st.ipmpLock), 'RW_LOCK_HELD(&ips_ipmp_lock) ipmp.c L459');
  if (ill.ipifUpCount + ill.vet.dupCount > 0) return Errno.EADDRINUSE;
  if (ill.vet.appaddrCnt !== 0) return Errno.EADDRNOTAVAIL;
  if (ill.vet.ptpaddrCnt !== 0) return Errno.EINVAL;
  if (!ill.vet.multicast) return Errno.ENOTSUP;
  if (ill.vet.nonudNoarpXresolv) return Errno.ENOTSUP;
  if (ill.vet.usesrc) return Errno.ENOTSUP;
  // L514. Candidate fix for finding IPMP-3 (fixMactype): joiners between vet and ipmp_phyint_join_grp count too.
  const members = grp.nif > 0 || (ex.param<boolean>('fixMactype') && grp.pendv4 + grp.pendv6 > 0);
  if (members && grp.mactype !== ill.mactype && !ipmpBug(ex, 'ipmp-vet-no-mactype')) return Errno.EINVAL;
  return Errno.OK;
}

/**
 * ipmp_grp_vet_phyint (ipmp.c L525-548): EAFNOSUPPORT if the group lacks an
 * address family the phyint has; then the v4 ill's vet, then the v6 ill's.
 * Entry: writer (L531), ipmp_lock held (L532).
 */
export function ipmpGrpVetPhyint(ex: Execution, st: IpmpStack, grp: Grp, phyi: Phyint): number {
  kassert(IAM_WRITER_IPSQ(ex, phyi.ipsq), 'IAM_WRITER_IPSQ(phyi->phyint_ipsq) ipmp.c L531');
  kassert(RW_LOCK_HELD(ex, st.ipmpLock), 'RW_LOCK_HELD(&ips_ipmp_lock) ipmp.c L532');
  if ((phyi.illv4 !== null && grp.v4 === null) || (phyi.illv6 !== null && grp.v6 === null)) return Errno.EAFNOSUPPORT;
  let err = Errno.OK as number;
  if (phyi.illv4 !== null) err = ipmpGrpVetIll(ex, st, grp, phyi.illv4);
  if (err === 0 && phyi.illv6 !== null) err = ipmpGrpVetIll(ex, st, grp, phyi.illv6);
  return err;
}

/**
 * ipmp_phyint_join_grp (ipmp.c L1946-1994), phase 1 of a join, as writer of
 * the phyint's own xop (L1954): snapshot the link kstats (no lock), then
 * under ipmp_lock W set phyint_grp, count gr_nif (first member sets
 * gr_mactype, later ones ASSERT it, L1979-1982) and request the switch to
 * the group's xop at ipsq_exit (L1989-1991). Entry/exit: no locks.
 */
export function* ipmpPhyintJoinGrp(ex: Execution, st: IpmpStack, phyi: Phyint, grp: Grp): KThread<void> {
  const ipsq = phyi.ipsq;
  grp.mem.check(ex, 'grp->gr_phyint ipmp.c L1951');
  const grpIpsq = grp.phyint!.ipsq;
  kassert(IAM_WRITER_IPSQ(ex, ipsq), 'IAM_WRITER_IPSQ(ipsq) ipmp.c L1954');
  kassert(phyi.illv4 !== null || phyi.illv6 !== null, 'phyint has an ill ipmp.c L1955');
  // L1960-1968: routing socket RTM_DELETE for each ill (a no-op in practice: the vet requires no up addresses, L472).
  if (phyi.illv4 !== null) ipmpIllRtsaddrmsg(ex, st, phyi.illv4, 'RTM_DELETE');
  if (phyi.illv6 !== null) ipmpIllRtsaddrmsg(ex, st, phyi.illv6, 'RTM_DELETE');
  const ill = (phyi.illv6 ?? phyi.illv4)!;
  const fr = ex.frame('ipmp_phyint_join_grp', () => [phyi, grp, ill]);
  phyi.kstats0 = yield* ipmpPhyintGetKstats(ex, phyi); // L1974
  yield* rwEnter(st.ipmpLock, 'RW_WRITER', 'ipmp.c L1976');
  ex.touch(st.memberObj, true);
  phyi.grp = grp;
  if (++grp.nif === 1) grp.mactype = ill.mactype;
  else kassert(grp.mactype === ill.mactype, `grp->gr_mactype == ill->ill_mactype (${grp.mactype} vs ${ill.mactype}) ipmp.c L1982`);
  kassert(ipsq.swxop === null, 'ipsq->ipsq_swxop == NULL ipmp.c L1989');
  kassert(grpIpsq.xop === grpIpsq.ownxop, 'grp_ipsq->ipsq_xop == &grp_ipsq->ipsq_ownxop ipmp.c L1990');
  if (ipmpBug(ex, 'ipmp-join-switch-immediately')) ipsq.xop = grpIpsq.ownxop;
  else ipsq.swxop = grpIpsq.ownxop;
  phyi.m.send('JOIN_REQ');
  yield* rwExit(st.ipmpLock, 'ipmp.c L1993');
  ex.leave(fr);
}

/**
 * ipmp_phyint_leave_grp (ipmp.c L1999-2049), as writer (of the group xop,
 * L2007): kick the ills out of their illgrps, fold the kstat delta into
 * gr_kstats0 (atomic_add_64, L2030-2034, no lock), then under ipmp_lock W
 * drop gr_nif, clear phyint_grp and request the switch back to the own xop
 * (L2036-2048). Entry/exit: no locks.
 */
export function* ipmpPhyintLeaveGrp(ex: Execution, st: IpmpStack, phyi: Phyint): KThread<void> {
  const ipsq = phyi.ipsq;
  let grp: Grp | null = null;
  let delta = 0;
  const fr = ex.frame('ipmp_phyint_leave_grp', () => [phyi, grp, delta]);
  kassert(IAM_WRITER_IPSQ(ex, ipsq), 'IAM_WRITER_IPSQ(ipsq) ipmp.c L2007');
  if (phyi.illv4 !== null && IS_UNDER_IPMP(phyi.illv4)) yield* ipmpIllLeaveIllgrp(ex, st, phyi.illv4);
  if (phyi.illv6 !== null && IS_UNDER_IPMP(phyi.illv6)) yield* ipmpIllLeaveIllgrp(ex, st, phyi.illv6);
  // L2018-2022: routing socket RTM_ADD for each ill.
  if (phyi.illv4 !== null) ipmpIllRtsaddrmsg(ex, st, phyi.illv4, 'RTM_ADD');
  if (phyi.illv6 !== null) ipmpIllRtsaddrmsg(ex, st, phyi.illv6, 'RTM_ADD');
  grp = phyi.grp!;
  delta = (yield* ipmpPhyintGetKstats(ex, phyi)) - phyi.kstats0; // L2030-2034
  const fix = ex.param<boolean>('fixKstats');
  if (!fix) {
    yield* access(grp.kstatsObj, 'w', 'atomic_add_64(gr_kstats0)', 'ipmp.c L2033');
    grp.kstats0 += delta;
  }
  yield* rwEnter(st.ipmpLock, 'RW_WRITER', 'ipmp.c L2036');
  if (fix) {
    // Candidate fix for IPMP-2: fold in the same ipmp_lock section that clears phyint_grp.
    ex.touch(grp.kstatsObj, true);
    grp.kstats0 += delta;
  }
  ex.touch(st.memberObj, true);
  grp.nif--;
  phyi.grp = null;
  kassert(ipsq.swxop === null, 'ipsq->ipsq_swxop == NULL ipmp.c L2045');
  if (!ipmpBug(ex, 'ipmp-leave-no-swxop')) ipsq.swxop = ipsq.ownxop;
  phyi.m.send('LEAVE_REQ');
  yield* rwExit(st.ipmpLock, 'ipmp.c L2048');
  ex.leave(fr);
}

/**
 * ipmp_grp_update_kstats (ipmp.c L207-272), the kstat ks_update: the
 * baseline gr_kstats0 (read without a lock, L226), plus each phyint in the
 * group's IPSQ ring (under ill_g_lock R, L239-270) minus its join snapshot,
 * skipping IPSQs whose phyint is already freed (L253). The link kstat is one
 * monotone counter per phyint. With fixKstats (candidate fix for IPMP-2)
 * it reads everything under ill_g_lock R then ipmp_lock R and counts only
 * phyints whose phyint_grp is this group.
 */
export function* ipmpGrpUpdateKstats(ex: Execution, st: IpmpStack, grp: Grp, rw: 'read' | 'write'): KThread<{ err: number; value: number }> {
  grp.mem.check(ex, 'grp->gr_phyint (ks_private) ipmp.c L212-214');
  const grpIpsq = grp.phyint!.ipsq; // L214
  let value = 0;
  let q: Ipsq | null = null;
  const fr = ex.frame('ipmp_grp_update_kstats', () => [grp, rw, grpIpsq, value, q]);
  if (rw === 'write') return ex.leaving(fr, { err: Errno.EACCES, value: 0 });
  const fix = ex.param<boolean>('fixKstats');
  if (!fix) {
    yield* access(grp.kstatsObj, 'r', 'gr_kstats0', 'ipmp.c L226');
    grp.mem.check(ex, 'gr_kstats0 ipmp.c L226');
    value = grp.kstats0;
  }
  yield* rwEnter(st.illGLock, 'RW_READER', 'ipmp.c L239');
  if (fix) {
    yield* rwEnter(st.ipmpLock, 'RW_READER');
    ex.touch(grp.kstatsObj, false);
    value = grp.kstats0;
  }
  grpIpsq.mem.check(ex, 'grp_ipsq->ipsq_next ipmp.c L240');
  for (q = grpIpsq.next; q !== grpIpsq; q = q.next) {
    q.mem.check(ex, 'ipsq_next walk ipmp.c L241');
    const phyi = q.phyint;
    if (phyi === null) continue;
    phyi.mem.check(ex, 'ipmp_phyint_get_kstats ipmp.c L256');
    if (fix && phyi.grp !== grp) continue;
    value += (yield* ipmpPhyintGetKstats(ex, phyi)) - phyi.kstats0; // L256-264
  }
  // L267-268: the link state from grp->gr_phyint (not modelled beyond the reads).
  grp.mem.check(ex, 'grp->gr_phyint ipmp.c L268');
  if (fix) yield* rwExit(st.ipmpLock);
  yield* rwExit(st.illGLock, 'ipmp.c L270');
  return ex.leaving(fr, { err: Errno.OK, value });
}

/**
 * ipmp_ill_rtsaddrmsg (ipmp.c L1667-1699), as writer (L1672): make ill and
 * its up addresses appear (RTM_ADD) or vanish (RTM_DELETE) for routing
 * socket listeners that do not know IPMP; nothing if no address is up
 * (L1687-1688). The messages go to an event log (IpmpStack.rtsLog); an
 * underlying ill's addresses are the count ill_ipif_up_count.
 */
export function ipmpIllRtsaddrmsg(ex: Execution, st: IpmpStack, ill: Ill, cmd: 'RTM_ADD' | 'RTM_DELETE'): void {
  kassert(IAM_WRITER_ILL(ex, ill), 'IAM_WRITER_ILL(ill) ipmp.c L1672');
  if (ill.ipifUpCount === 0) return;
  if (cmd === 'RTM_ADD') st.rtsLog.push(`${ill.name} RTM_IFINFO up`); // L1690-1691
  for (let i = 0; i < ill.ipifUpCount; i++) st.rtsLog.push(`${ill.name} ${cmd} ipif ${i}`); // L1693-1695
  if (cmd === 'RTM_DELETE') st.rtsLog.push(`${ill.name} RTM_IFINFO down`); // L1697-1698
}

/**
 * ipmp_phyint_get_kstats (ipmp.c L2055-2112): the phyint's "link" kstat
 * counters [ext kstat.c]: kstat_hold_byname (the exclusive hold, which
 * sleeps while another holds it, L2069), KSTAT_ENTER (its ks_lock, L2073,
 * folded: see below), ks_update and the named-value copy (abstracted to the one monotone
 * counter linkPackets, L2080-2106), KSTAT_EXIT, kstat_rele. The link
 * kstat always exists here (the NULL return of L2070-2071 is not reached).
 * Entry/exit: whatever the caller holds (update_kstats: ill_g_lock R, E2);
 * may block.
 */
export function* ipmpPhyintGetKstats(ex: Execution, phyi: Phyint): KThread<number> {
  phyi.mem.check(ex, 'phyint_name ipmp.c L2069');
  const ksp = phyi.linkKsp;
  let v = 0;
  const fr = ex.frame('ipmp_phyint_get_kstats', () => [phyi, v]);
  yield* mutexEnter(ksp.hold, 'kstat.c kstat_hold_byname ipmp.c L2069');
  // KSTAT_ENTER/KSTAT_EXIT (L2073, L2110): ks_lock is taken here only under
  // the exclusive hold (the link driver's side is not modelled), so it can
  // never be contended and is folded into the hold's section.
  v = phyi.linkPackets;
  yield* mutexExit(ksp.hold, 'kstat_rele ipmp.c L2111');
  return ex.leaving(fr, v);
}

export { phyintIlls };
