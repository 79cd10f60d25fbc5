/**
 * Multiple FIBs (log L306-482): V_rt_tables[fib][af], one radix head per
 * (FIB, family) with its RADIX_NODE_HEAD_LOCK, and the route purge of
 * if_detach: for every FIB (rt_numfibs, log L352-356) walk the AF_INET
 * table under its lock and delete the routes whose rt_ifp is the detaching
 * ifnet (if_rtdel). Interface routes are in every FIB (rtinit, log
 * L375-379).
 *
 * Mutant fb-detach-purge-fib0-only: the purge through the ABI-compatible
 * entry points, which "refer only to the first row of the array" (log
 * L360-363): routes of FIB 1 and up keep rt_ifp pointing at the ifnet that
 * if_free then frees.
 */
import type { KThread } from '../../core/effect.ts';
import type { Execution } from '../../core/execution.ts';
import { localAccess } from '../../core/ops.ts';
import { KMutex, mutexEnter, mutexExit } from '../../locks/kmutex.ts';
import { L } from './ifindex.ts';
import type { Ifnet } from './types.ts';

/** struct rtentry: the fields the purge reads. */
export interface Rtentry {
  readonly dst: string;
  /** rt_ifp: a bare pointer to the ifnet (constant while the route exists). */
  readonly ifp: Ifnet;
  readonly fib: number;
}

/** V_rt_tables[fib][AF_INET] for rt_numfibs FIBs. */
export class RtTables {
  /** RADIX_NODE_HEAD_LOCK of each FIB's table; protects its routes. */
  readonly locks: KMutex[];
  readonly routes: Rtentry[][];
  /** Ghost object written at every change of a table (RT-1 watches it). */
  readonly obj: number;
  constructor(
    ex: Execution,
    readonly numfibs: number,
  ) {
    this.locks = Array.from({ length: numfibs }, (_, f) => new KMutex(ex, `rt_tables[${f}][AF_INET] rnh_lock`, { cls: 'rnh_lock' }));
    this.routes = Array.from({ length: numfibs }, () => []);
    this.obj = ex.newObject('rt_tables ghost', 'ghost');
  }
}

/** rtinit(RTM_ADD) of an interface route: in every FIB (log L375-379). Boot time, no lock. */
export function rtinitAllFibs(rt: RtTables, ifp: Ifnet, dst: string): void {
  for (let f = 0; f < rt.numfibs; f++) rt.routes[f]!.push({ dst, ifp, fib: f });
}

/**
 * The route purge of if_detach. Entry and exit: no lock held. For each
 * FIB j < rt_numfibs: RADIX_NODE_HEAD_LOCK, rnh_walktree(if_rtdel, ifp),
 * unlock.
 */
export function* ifDetachPurgeRoutes(ex: Execution, rt: RtTables, ifp: Ifnet): KThread<void> {
  const fibs = ex.bug('fb-detach-purge-fib0-only') ? 1 : rt.numfibs;
  for (let j = 0; j < fibs; j++) {
    yield* mutexEnter(rt.locks[j]!, L(352));
    rt.routes[j] = rt.routes[j]!.filter((r) => r.ifp !== ifp); // if_rtdel: rtrequest_fib(RTM_DELETE, ..., j)
    yield* localAccess(rt.obj, 'w', `if_rtdel on fib ${j}`);
    yield* mutexExit(rt.locks[j]!);
  }
}
