/**
 * Multiple FIBs (log L306-482): V_rt_tables[fib][af], one radix head per
 * (FIB, family) with its RADIX_NODE_HEAD_LOCK, and the route purge of
 * if_detach: for every FIB (rt_numfibs, log L352-356) walk the AF_INET
 * table under its lock and delete the routes whose rt_ifp is the detaching
 * ifnet (if_rtdel). Interface routes are in every FIB (rtinit, log
 * L375-379).
 *
 * The refcounted rtentry, rtalloc_fib and RTFREE (FB-FIB-LOOKUP-vs-DETACH)
 * are from the analysis, not from code (route.c is not in the seed); see
 * RtentryObj.
 *
 * Mutant fb-detach-purge-fib0-only: the purge through the ABI-compatible
 * entry points, which "refer only to the first row of the array" (log
 * L360-363): routes of FIB 1 and up keep rt_ifp pointing at the ifnet that
 * if_free then frees.
 */
import type { KThread } from '../../core/effect.ts';
import type { Execution } from '../../core/execution.ts';
import { localAccess } from '../../core/ops.ts';
import { opaqueToGuard } from '../../core/guard.ts';
import { KMem, kmemFree, memAccess } from '../../locks/kmem.ts';
import { KMutex, mutexEnter, mutexExit } from '../../locks/kmutex.ts';
import { L } from './ifindex.ts';
import type { Ifnet } from './types.ts';
import { fbBug } from './mutants.ts';

/** struct rtentry: the fields the purge reads. */
export interface Rtentry {
  readonly dst: string;
  /** rt_ifp: a bare pointer to the ifnet (constant while the route exists). */
  readonly ifp: Ifnet;
  readonly fib: number;
  /** The rtentry as an object with a lock and references (fb-fib-lookup-vs-detach); absent in the scenarios that only purge. */
  readonly entry?: RtentryObj;
}

/**
 * The refcounted part of struct rtentry (FB-FIB-LOOKUP-vs-DETACH). Taken
 * from the analysis, not from code: route.c is not in the seed. As the
 * analysis describes it (section 1.9): rt_refcnt and RTF_UP protected by
 * RT_LOCK(rt); rtalloc_fib returns the route with a reference taken under
 * RT_LOCK while RADIX_NODE_HEAD_LOCK is held (lock order rnh_lock, then
 * RT_LOCK); the table holds one reference while the route is linked;
 * RTFREE drops one and frees the rtentry at the last, once it is off the
 * table (RTF_UP clear).
 */
export class RtentryObj {
  /** RT_LOCK(rt): protects refcnt and up. */
  readonly lock: KMutex;
  /** rt_refcnt: the table's reference while linked, one per holder. */
  refcnt = 1;
  /** RTF_UP in rt_flags: linked in its FIB's table. */
  up = true;
  /** Ghost: threads holding the route outside every lock (RT-1's held half). */
  held = 0;
  /** Ghost: the route holds a reference on rt_ifp (the fixed model). */
  ifpRef = false;
  constructor(
    ex: Execution,
    readonly mem: KMem,
  ) {
    this.lock = new KMutex(ex, `${mem.name}.rt_mtx`, { mem, cls: 'rt_mtx' });
  }
}

/** V_rt_tables[fib][AF_INET] for rt_numfibs FIBs. */
export class RtTables {
  /** RADIX_NODE_HEAD_LOCK of each FIB's table; protects its routes. */
  readonly locks: KMutex[];
  readonly routes: Rtentry[][];
  /** Ghost: every refcounted rtentry ever made (RT-1 checks the held ones). */
  readonly entries: Rtentry[] = [];
  /** Ghost object written at every change of a table (RT-1 watches it). */
  readonly obj: number;
  constructor(
    ex: Execution,
    readonly numfibs: number,
  ) {
    this.locks = Array.from({ length: numfibs }, (_, f) => new KMutex(ex, `rt_tables[${f}][AF_INET] rnh_lock`, { cls: 'rnh_lock' }));
    this.routes = Array.from({ length: numfibs }, () => []);
    this.obj = ex.newObject('rt_tables ghost', 'ghost');
    opaqueToGuard(this.entries);
  }
}

/** rtinit(RTM_ADD) of an interface route: in every FIB (log L375-379). Boot time, no lock. */
export function rtinitAllFibs(rt: RtTables, ifp: Ifnet, dst: string): void {
  for (let f = 0; f < rt.numfibs; f++) rt.routes[f]!.push({ dst, ifp, fib: f });
}

/**
 * rtinit(RTM_ADD) of an interface route with a refcounted rtentry, in every
 * FIB (log L375-379). Boot time, no lock. Fixed model: the route holds a
 * reference on rt_ifp (if_ref), given back when the rtentry is freed: the
 * analysis's fix "the ifnet outlives referenced routes". Mutant
 * fb-rt-ifp-noref: rt_ifp is a bare pointer (the route's reference, if
 * any, is on its ifaddr, which does not keep the ifnet).
 */
export function rtinitAllFibsRef(ex: Execution, rt: RtTables, ifp: Ifnet, dst: string): void {
  for (let f = 0; f < rt.numfibs; f++) {
    const entry = new RtentryObj(ex, new KMem(ex, `rtentry ${dst} fib ${f}`));
    if (!fbBug(ex, 'fb-rt-ifp-noref') && ifp.ref) {
      ifp.ref.count++; // if_ref(ifp): the route's reference
      entry.ifpRef = true;
    }
    const r: Rtentry = { dst, ifp, fib: f, entry };
    rt.routes[f]!.push(r);
    rt.entries.push(r);
  }
}

/**
 * rtalloc1_fib(dst, fib) (the analysis, section 1.9; route.c is not in the
 * seed). Entry and exit: no lock held. RADIX_NODE_HEAD_LOCK of the FIB,
 * match, RT_LOCK(rt), RT_ADDREF, RADIX_NODE_HEAD_UNLOCK; the caller's
 * RT_UNLOCK is folded in (rtalloc_ign). Returns the route with the
 * caller's reference, or null.
 */
export function* rtallocFib(ex: Execution, rt: RtTables, dst: string, fib: number): KThread<Rtentry | null> {
  yield* mutexEnter(rt.locks[fib]!, L(387));
  yield* localAccess(rt.obj, 'r', `rnh_matchaddr on fib ${fib}`);
  const r = rt.routes[fib]!.find((x) => x.dst === dst && x.entry) ?? null;
  if (r !== null) {
    const e = r.entry!;
    yield* mutexEnter(e.lock);
    yield* memAccess(e.mem, 'w', 'rt_refcnt++ (RT_ADDREF)');
    e.refcnt++;
    e.held++;
    yield* localAccess(rt.obj, 'w', 'route held');
    yield* mutexExit(e.lock); // RT_UNLOCK by the caller
  }
  yield* mutexExit(rt.locks[fib]!);
  return r;
}

/**
 * RTFREE(rt) (the analysis, section 1.9). Entry and exit: no lock held;
 * the caller gives up its reference. RT_LOCK, drop the reference; at the
 * last one of a route off its table, free the rtentry and, in the fixed
 * model, if_rele its rt_ifp (`rele`, ifnet.ts's if_rele, passed in to keep
 * the layers one way).
 */
export function* rtfree(ex: Execution, rt: RtTables, r: Rtentry, holder: boolean, rele: (ifp: Ifnet) => KThread<void>): KThread<void> {
  const e = r.entry!;
  yield* mutexEnter(e.lock);
  yield* memAccess(e.mem, 'w', 'rt_refcnt-- (RT_REMREF)');
  e.refcnt--;
  if (holder) e.held--;
  yield* localAccess(rt.obj, 'w', 'route released');
  const last = e.refcnt === 0 && !e.up;
  yield* mutexExit(e.lock);
  if (!last) return;
  yield* kmemFree(e.mem); // uma_zfree(V_rtzone, rt)
  yield* localAccess(rt.obj, 'w', 'rtentry freed');
  if (e.ifpRef) yield* rele(r.ifp);
}

/**
 * The route purge of if_detach. Entry and exit: no lock held. For each
 * FIB j < rt_numfibs: RADIX_NODE_HEAD_LOCK, rnh_walktree(if_rtdel, ifp),
 * unlock. A refcounted route (fb-fib-lookup-vs-detach) is unlinked, loses
 * RTF_UP and the table's reference (RTM_DELETE, then RTFREE after the
 * walk), and is freed by whoever drops the last reference.
 */
export function* ifDetachPurgeRoutes(ex: Execution, rt: RtTables, ifp: Ifnet, rele: (ifp: Ifnet) => KThread<void>): KThread<void> {
  const fibs = fbBug(ex, 'fb-detach-purge-fib0-only') ? 1 : rt.numfibs;
  for (let j = 0; j < fibs; j++) {
    yield* mutexEnter(rt.locks[j]!, L(352));
    const gone = rt.routes[j]!.filter((r) => r.ifp === ifp && r.entry);
    rt.routes[j] = rt.routes[j]!.filter((r) => r.ifp !== ifp); // if_rtdel: rtrequest_fib(RTM_DELETE, ..., j)
    yield* localAccess(rt.obj, 'w', `if_rtdel on fib ${j}`);
    for (const r of gone) {
      yield* mutexEnter(r.entry!.lock);
      yield* memAccess(r.entry!.mem, 'w', 'rt_flags &= ~RTF_UP');
      r.entry!.up = false;
      yield* mutexExit(r.entry!.lock);
    }
    yield* mutexExit(rt.locks[j]!);
    for (const r of gone) yield* rtfree(ex, rt, r, false, rele); // the table's reference
  }
}

/**
 * The route use of ip_output for a socket with setfib(fib) (log L387-421:
 * the FIB comes from the socket). Entry and exit: no lock held. rtalloc_fib,
 * then ifp = rt->rt_ifp and the driver's if_output with no lock (the
 * route's reference is all the caller has), then RTFREE. Returns 0, or
 * EHOSTUNREACH (65) with no route.
 */
export function* ipOutputFib(ex: Execution, rt: RtTables, dst: string, fib: number, rele: (ifp: Ifnet) => KThread<void>): KThread<number> {
  const r = yield* rtallocFib(ex, rt, dst, fib);
  if (r === null) return 65;
  yield* memAccess(r.entry!.mem, 'r', 'ifp = rt->rt_ifp', true);
  yield* memAccess(r.ifp.mem, 'r', '(*ifp->if_output)(ifp, m, dst, rt)', true);
  yield* rtfree(ex, rt, r, true, rele);
  return 0;
}
