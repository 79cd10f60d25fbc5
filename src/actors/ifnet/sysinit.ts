/**
 * SYSINIT(9): boot-time initialisation in (subsystem, order) order, and the
 * first call of if_slowtimo (log L304-305: "Delete if_check() and call
 * if_slowtimo() directly from the SYSINIT()").
 *
 * mi_startup sorts the linker set of SYSINITs by subsystem, then order, and
 * calls each in turn on the boot thread: one thread, no preemption. A
 * SYSINIT may use only what SYSINITs sorted before it initialised; the
 * model records each initialisation and each use (SI-1 checks them).
 */
import type { KThread } from '../../core/effect.ts';
import type { Execution } from '../../core/execution.ts';
import { localAccess } from '../../core/ops.ts';
import { memAccess } from '../../locks/kmem.ts';
import { rwEnter, rwExit } from '../../locks/krwlock.ts';
import { L } from './ifindex.ts';
import type { IfnetGlobals } from './types.ts';

/** struct sysinit: SYSINIT(uniquifier, subsystem, order, func, ident). */
export interface Sysinit {
  readonly name: string;
  readonly subsystem: number;
  readonly order: number;
  readonly func: (ex: Execution, sg: SysinitGlobals) => KThread<void>;
}

/** Ghost state of the boot: what is initialised, what was used first. */
export class SysinitGlobals {
  /** Ghost: the objects SYSINITs have initialised so far. */
  readonly initialised = new Set<string>();
  /** Ghost: uses of an object no earlier SYSINIT initialised (SI-1). */
  readonly usedBeforeInit: { by: string; what: string }[] = [];
  /** Ghost: the SYSINITs run, in order. */
  readonly ran: string[] = [];
  readonly obj: number;
  constructor(ex: Execution) {
    this.obj = ex.newObject('sysinit ghost', 'ghost');
  }
}

/** Ghost: `what` is initialised now (by the running SYSINIT). */
export function* siInitialised(sg: SysinitGlobals, what: string): KThread<void> {
  sg.initialised.add(what);
  yield* localAccess(sg.obj, 'w', `${what} initialised`);
}

/** Ghost: the running SYSINIT `by` uses `what`; true if it was initialised. */
export function* siUse(sg: SysinitGlobals, by: string, what: string): KThread<boolean> {
  yield* localAccess(sg.obj, 'r', what);
  if (sg.initialised.has(what)) return true;
  sg.usedBeforeInit.push({ by, what });
  yield* localAccess(sg.obj, 'w', `${what} used before initialisation`);
  return false;
}

/**
 * mi_startup: sort the SYSINITs by (subsystem, order) (ties keep linker-set
 * order) and run them one after the other on the boot thread.
 */
export function* miStartup(ex: Execution, sg: SysinitGlobals, set: readonly Sysinit[]): KThread<void> {
  const sorted = [...set].sort((a, b) => a.subsystem - b.subsystem || a.order - b.order);
  for (const si of sorted) {
    sg.ran.push(si.name);
    yield* localAccess(sg.obj, 'w', `SYSINIT ${si.name}`);
    yield* si.func(ex, sg);
  }
}

/**
 * if_init (SYSINIT interfaces, SI_SUB_INIT_IF, SI_ORDER_FIRST):
 * IFNET_LOCK_INIT(), TAILQ_INIT(&V_ifnet), the ifindex table. Boot thread,
 * no lock.
 */
export function* ifInit(_ex: Execution, sg: SysinitGlobals, g: IfnetGlobals): KThread<void> {
  yield* localAccess(g.idxObj, 'w', 'IFNET_LOCK_INIT(); TAILQ_INIT(&V_ifnet); if_grow()');
  yield* siInitialised(sg, 'ifnet_lock');
  yield* siInitialised(sg, 'V_ifnet');
}

/**
 * if_slowtimo(arg), its first call from the interface_check SYSINIT (log
 * L304-305). Entry and exit: no lock held. Under IFNET_RLOCK, walk V_ifnet
 * and count down each if_timer, calling if_watchdog at zero (log L496: the
 * watchdog is deprecated). Before if_init ran, ifnet_lock is not a lock
 * yet: SI-1 is the report, and the walk is not done. The re-arming
 * timeout(if_slowtimo, hz / IFNET_SLOWHZ) is left out: the scenario is
 * about the first call.
 */
export function* ifSlowtimo(_ex: Execution, sg: SysinitGlobals, g: IfnetGlobals): KThread<void> {
  const lockOk = yield* siUse(sg, 'if_slowtimo', 'ifnet_lock');
  const listOk = yield* siUse(sg, 'if_slowtimo', 'V_ifnet');
  if (!lockOk || !listOk) return;
  yield* rwEnter(g.ifnetLock, 'RW_READER', L(304));
  for (const ifp of g.ifnet) yield* memAccess(ifp.mem, 'w', 'if_timer (if_watchdog at 0)');
  yield* rwExit(g.ifnetLock, L(304));
}
