/**
 * The datapath side of ipmp.c: the functions that hand an underlying ill
 * (or the IPMP ill) to code outside the IPSQ, and their writer-only
 * variants. ipmp notes §2.3 "Datapath / non-IPSQ entry points".
 *
 * Protection (ipmp notes §1.3-1.5): ig_actif, ig_nactif, ig_next_ill,
 * ig_cast_ill and ipif_bound_ill are written by the group writer AND under
 * ips_ipmp_lock W, so a reader needs only one of them; the datapath takes
 * ipmp_lock (R, or W for the rotor, which it also writes) and then, nested,
 * the ill's ill_lock in ill_check_and_refhold (lock order E1: ipmp_lock ->
 * ill_lock). ig_if is read under ill_g_lock. The reference the caller gets
 * keeps the ill_t allocated: ip_modclose waits for ill_refcnt to drain after
 * it set ILL_CONDEMNED, and ill_check_and_refhold refuses a CONDEMNED ill.
 *
 * Every reference handed out is recorded (IpmpStack.holds) with the facts at
 * the moment of the refhold, for the specs in src/specs/ipmp/datapath.ts.
 */
import type { KThread } from '../../core/effect.ts';
import { kassert, kfail } from '../../core/errors.ts';
import type { Execution } from '../../core/execution.ts';
import { mutexEnter, mutexExit } from '../../locks/kmutex.ts';
import { RW_LOCK_HELD, rwEnter, rwExit } from '../../locks/krwlock.ts';
import { illRefrele } from './ipsq.ts';
import { IAM_WRITER_ILL, type Ill, type Illgrp, type IpmpStack, type Ipif } from './types.ts';
import { ipmpBug } from './mutants.ts';

/**
 * ill_check_and_refhold (ip_if.c [ext], ipsq notes §4): under ill_lock, take
 * a reference unless the ill is CONDEMNED. Entry/exit: whatever the caller
 * holds (the datapath callers: ipmp_lock); takes and drops ill_lock. `fn`
 * names the ipmp.c function for the ghost record.
 */
export function* illCheckAndRefhold(ex: Execution, st: IpmpStack, ill: Ill, fn: string): KThread<boolean> {
  const fr = ex.frame('ill_check_and_refhold', () => [ill, fn]);
  yield* mutexEnter(ill.lock, 'ip_if.c ill_check_and_refhold');
  // Mutant ipmp-refhold-no-condemned-check: the CONDEMNED test is skipped.
  if (ill.condemned && !ipmpBug(ex, 'ipmp-refhold-no-condemned-check')) {
    yield* mutexExit(ill.lock);
    return ex.leaving(fr, false);
  }
  ill.refcnt++;
  recordHold(ex, st, ill, fn);
  yield* mutexExit(ill.lock);
  return ex.leaving(fr, true);
}

function recordHold(ex: Execution, st: IpmpStack, ill: Ill, fn: string): void {
  kassert(st.holdsObj >= 0, 'datapath thread in a scenario without enableDatapath');
  ex.touch(st.holdsObj, true);
  st.holds.push({ thread: ex.currentThread(), fn, ill, condemned: ill.condemned, onActif: ill.actnode, activating: ill.activating, released: false });
}

/**
 * The caller of a datapath function is done with the ill: ill_refrele
 * (ip_if.c [ext]; at zero on a CONDEMNED ill it wakes ip_modclose).
 * Entry/exit: no locks.
 */
export function* datapathRele(ex: Execution, st: IpmpStack, ill: Ill): KThread<void> {
  const me = ex.currentThread();
  let h: (typeof st.holds)[number] | undefined;
  for (let i = st.holds.length - 1; i >= 0 && h === undefined; i--) {
    const x = st.holds[i]!;
    if (x.thread === me && x.ill === ill && !x.released) h = x;
  }
  kassert(h !== undefined, `ill_refrele of ${ill.name} that this thread does not hold`);
  const held = h;
  const fr = ex.frame('datapath_rele', () => [ill, held]);
  yield* illRefrele(ex, ill);
  // The reference is gone once ill_refrele dropped the count (under ill_lock).
  ex.touch(st.holdsObj, true);
  held.released = true;
  ex.leave(fr);
}

/** The ill_t is still allocated where the datapath uses it (a putnext on its queue, abstracted). */
export function datapathUse(ex: Execution, ill: Ill, what: string): void {
  ill.mem.check(ex, what);
}

/**
 * An ipmp_illgrp_t reached through a pointer the datapath read: freed by
 * ipmp_illgrp_destroy (L606) once `destroyed` (the illgrp is not a KMem of
 * its own, see Illgrp).
 */
function illgrpCheck(illg: Illgrp, what: string): void {
  if (illg.destroyed) kfail('use-after-free', 'no-use-after-free', `${what} of the illgrp of ${illg.ipmpIll.name}, freed by ipmp_illgrp_destroy (ipmp.c L606)`);
}

/** ipmp_illgrp_ipmp_ill (ipmp.c L708-712): ig_ipmp_ill never changes for a given illgrp, so no lock. */
export function ipmpIllgrpIpmpIll(illg: Illgrp): Ill {
  illgrpCheck(illg, 'ig_ipmp_ill ipmp.c L711');
  return illg.ipmpIll;
}

/** list_next(&ig_actif, ill), then list_head if that was the tail (ipmp.c L728-730, L750-753). */
function rotorNext(illg: Illgrp, ill: Ill, site: string): Ill | null {
  const k = illg.actif.indexOf(ill);
  // list_next of a node that is no longer on ig_actif reads a stale link.
  kassert(k >= 0, `ig_next_ill ${ill.name} is on ig_actif (list_next of an unlinked node) ${site}`);
  return illg.actif[k + 1] ?? illg.actif[0] ?? null;
}

/**
 * ipmp_illgrp_next_ill (ipmp.c L718-735): writer of the IPMP ill (L724);
 * advance the rotor under ipmp_lock W (L726-732). Entry/exit: no locks.
 */
export function* ipmpIllgrpNextIll(ex: Execution, st: IpmpStack, illg: Illgrp): KThread<Ill | null> {
  kassert(IAM_WRITER_ILL(ex, illg.ipmpIll), 'IAM_WRITER_ILL(illg->ig_ipmp_ill) ipmp.c L724');
  let ill: Ill | null = null;
  const fr = ex.frame('ipmp_illgrp_next_ill', () => [illg, ill]);
  yield* rwEnter(st.ipmpLock, 'RW_WRITER', 'ipmp.c L726');
  ill = illg.nextIll;
  if (ill !== null) {
    ex.touch(st.illgrpObj, true);
    illg.nextIll = rotorNext(illg, ill, 'ipmp.c L728');
  }
  yield* rwExit(st.ipmpLock, 'ipmp.c L732');
  return ex.leaving(fr, ill);
}

/**
 * ipmp_illgrp_hold_next_ill (ipmp.c L741-763): no IPSQ needed. Under
 * ipmp_lock W (the datapath writes the rotor, L748) try at most ig_nactif
 * candidates, advancing ig_next_ill before each refhold (L750-753), and
 * return the first that ill_check_and_refhold accepts, held; NULL if none.
 * Entry/exit: no locks.
 */
export function* ipmpIllgrpHoldNextIll(ex: Execution, st: IpmpStack, illg: Illgrp): KThread<Ill | null> {
  let i = 0;
  let ill: Ill | null = null;
  const fr = ex.frame('ipmp_illgrp_hold_next_ill', () => [illg, i, ill]);
  yield* rwEnter(st.ipmpLock, 'RW_WRITER', 'ipmp.c L748');
  illgrpCheck(illg, 'ig_nactif ipmp.c L749');
  for (i = 0; i < illg.nactif; i++) {
    ill = illg.nextIll;
    if (ill === null) kfail('assert', 'kassert', `NULL dereference: ig_next_ill is NULL with ig_nactif ${illg.nactif} ipmp.c L750`);
    ex.touch(st.illgrpObj, true);
    illg.nextIll = rotorNext(illg, ill, 'ipmp.c L751');
    if (yield* illCheckAndRefhold(ex, st, ill, 'ipmp_illgrp_hold_next_ill')) {
      yield* rwExit(st.ipmpLock, 'ipmp.c L756');
      return ex.leaving(fr, ill);
    }
  }
  yield* rwExit(st.ipmpLock, 'ipmp.c L760');
  return ex.leaving(fr, null);
}

/** ipmp_illgrp_cast_ill (ipmp.c L769-774): writer of the IPMP ill (L772); no lock. */
export function ipmpIllgrpCastIll(ex: Execution, illg: Illgrp): Ill | null {
  kassert(IAM_WRITER_ILL(ex, illg.ipmpIll), 'IAM_WRITER_ILL(illg->ig_ipmp_ill) ipmp.c L772');
  return illg.castIll;
}

/**
 * ipmp_illgrp_hold_cast_ill (ipmp.c L780-794): no IPSQ needed. Under
 * ipmp_lock R read ig_cast_ill and refhold it (L786-790). Entry/exit: no locks.
 */
export function* ipmpIllgrpHoldCastIll(ex: Execution, st: IpmpStack, illg: Illgrp): KThread<Ill | null> {
  let castill: Ill | null = null;
  const fr = ex.frame('ipmp_illgrp_hold_cast_ill', () => [illg, castill]);
  yield* rwEnter(st.ipmpLock, 'RW_READER', 'ipmp.c L786');
  illgrpCheck(illg, 'ig_cast_ill ipmp.c L787');
  castill = illg.castIll;
  if (castill !== null && (yield* illCheckAndRefhold(ex, st, castill, 'ipmp_illgrp_hold_cast_ill'))) {
    yield* rwExit(st.ipmpLock, 'ipmp.c L789');
    return ex.leaving(fr, castill);
  }
  yield* rwExit(st.ipmpLock, 'ipmp.c L792');
  return ex.leaving(fr, null);
}

/**
 * ipmp_illgrp_find_ill (ipmp.c L1011-1027): the member of ig_if with this
 * hardware address. Entry: writer of the IPMP ill, or ill_g_lock held
 * (ASSERT L1018); no lock taken.
 */
export function ipmpIllgrpFindIll(ex: Execution, st: IpmpStack, illg: Illgrp, physaddr: string): Ill | null {
  kassert(IAM_WRITER_ILL(ex, illg.ipmpIll) || RW_LOCK_HELD(ex, st.illGLock), 'IAM_WRITER_ILL(ipmp_ill) || RW_LOCK_HELD(&ips_ill_g_lock) ipmp.c L1018');
  illgrpCheck(illg, 'ig_if ipmp.c L1020');
  for (const ill of illg.if) {
    ill.mem.check(ex, 'ill_phys_addr ipmp.c L1022');
    if (ill.physAddr === physaddr) return ill;
  }
  return null;
}

/**
 * ipmp_ill_hold_ipmp_ill (ipmp.c L1902-1921): the IPMP ill of underlying
 * `ill`, held. Under ipmp_lock R read ill_grp (written under ill_g_lock, so
 * possibly stale: the C comment at L1896-1900; memory-safe because the
 * illgrp can only be destroyed after ipmp_illgrp_unlink_grp, under
 * ipmp_lock W, which needs gr_nvX == 0: ipmp notes §2.3) and refhold
 * ig_ipmp_ill. Entry/exit: no locks.
 */
export function* ipmpIllHoldIpmpIll(ex: Execution, st: IpmpStack, ill: Ill): KThread<Ill | null> {
  kassert(!ill.phyint.isIpmp, '!IS_IPMP(ill) ipmp.c L1908');
  let ipmpIll: Ill | null = null;
  const fr = ex.frame('ipmp_ill_hold_ipmp_ill', () => [ill, ipmpIll]);
  yield* rwEnter(st.ipmpLock, 'RW_READER', 'ipmp.c L1910');
  const illg = ill.grp;
  if (illg !== null) {
    ipmpIll = ipmpIllgrpIpmpIll(illg);
    if (yield* illCheckAndRefhold(ex, st, ipmpIll, 'ipmp_ill_hold_ipmp_ill')) {
      yield* rwExit(st.ipmpLock, 'ipmp.c L1913');
      return ex.leaving(fr, ipmpIll);
    }
  }
  yield* rwExit(st.ipmpLock, 'ipmp.c L1919');
  return ex.leaving(fr, null);
}

/**
 * ipmp_ill_get_ipmp_ifindex (ipmp.c L1927-1941): under ipmp_lock R, the
 * interface index of the IPMP phyint of ill's group, or 0. Entry/exit: no locks.
 */
export function* ipmpIllGetIpmpIfindex(ex: Execution, st: IpmpStack, ill: Ill): KThread<number> {
  kassert(!ill.phyint.isIpmp, '!IS_IPMP(ill) ipmp.c L1934');
  let ifindex = 0;
  const fr = ex.frame('ipmp_ill_get_ipmp_ifindex', () => [ill, ifindex]);
  yield* rwEnter(st.ipmpLock, 'RW_READER', 'ipmp.c L1936');
  const grp = ill.phyint.grp;
  if (grp !== null) {
    grp.mem.check(ex, 'grp->gr_phyint ipmp.c L1938');
    if (grp.phyint === null) kfail('assert', 'kassert', `NULL dereference of gr_phyint of ${grp.name} ipmp.c L1938`);
    ifindex = grp.phyint.ifindex;
  }
  yield* rwExit(st.ipmpLock, 'ipmp.c L1939');
  return ex.leaving(fr, ifindex);
}

/**
 * ipmp_ipif_hold_bound_ill (ipmp.c L2130-2146): under ipmp_lock R, the
 * underlying ill a data address of the IPMP ill is bound to, held.
 * Entry/exit: no locks.
 */
export function* ipmpIpifHoldBoundIll(ex: Execution, st: IpmpStack, ipif: Ipif): KThread<Ill | null> {
  kassert(ipif.ill.phyint.isIpmp, 'IS_IPMP(ipif->ipif_ill) ipmp.c L2136');
  let boundill: Ill | null = null;
  const fr = ex.frame('ipmp_ipif_hold_bound_ill', () => [ipif, boundill]);
  yield* rwEnter(st.ipmpLock, 'RW_READER', 'ipmp.c L2138');
  boundill = ipif.boundIll;
  if (boundill !== null && (yield* illCheckAndRefhold(ex, st, boundill, 'ipmp_ipif_hold_bound_ill'))) {
    yield* rwExit(st.ipmpLock, 'ipmp.c L2141');
    return ex.leaving(fr, boundill);
  }
  yield* rwExit(st.ipmpLock, 'ipmp.c L2144');
  return ex.leaving(fr, null);
}

/** ipmp_ipif_bound_ill (ipmp.c L2152-2159): writer of the IPMP ill (L2155); no lock. */
export function ipmpIpifBoundIll(ex: Execution, ipif: Ipif): Ill | null {
  kassert(IAM_WRITER_ILL(ex, ipif.ill), 'IAM_WRITER_ILL(ipif->ipif_ill) ipmp.c L2155');
  kassert(ipif.ill.phyint.isIpmp, 'IS_IPMP(ipif->ipif_ill) ipmp.c L2156');
  return ipif.boundIll;
}

/** ipmp_ipif_is_stubaddr (ipmp.c L2164-2173): not up and no address. */
export function ipmpIpifIsStubaddr(ipif: Ipif): boolean {
  if (ipif.up) return false;
  return ipif.lclAddr === '';
}

/** ipmp_ipif_is_dataaddr (ipmp.c L2178-2187): not a test address (NOFAILOVER), and an address is set. */
export function ipmpIpifIsDataaddr(ipif: Ipif): boolean {
  if (ipif.nofailover) return false;
  return ipif.lclAddr !== '';
}

/** ipmp_ipif_is_up_dataaddr (ipmp.c L2191-2195). */
export function ipmpIpifIsUpDataaddr(ipif: Ipif): boolean {
  return ipmpIpifIsDataaddr(ipif) && ipif.up;
}
