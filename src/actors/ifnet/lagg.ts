/**
 * lagg(4) ports and their link-state hook (FB-LAGG-PORT-vs-LINKTASK, log
 * L532-549). if_lagg.c is not in the seed; if.c holds only the hook:
 * do_link_state_change reads ifp->if_lagg and, if set, calls
 * (*lagg_linkstate_p)(ifp, link_state) (KASSERT that the hook is set).
 * The port structure, its lock and lagg_port_destroy are modelled from the
 * analysis (section 1.12), which says it has not verified the lagg locks
 * and to "model them as one softc rwlock".
 *
 * Decided (from the analysis, not from code):
 *  - One lagg softc with one rwlock (LAGG_WLOCK/RLOCK) protecting its port
 *    list, each port's if_lagg link and the softc's link state.
 *  - lagg_port_state (the hook): lp = ifp->if_lagg, sc = lp->lp_softc,
 *    LAGG_WLOCK(sc), lagg_linkstate(sc), LAGG_WUNLOCK.
 *  - lagg_port_destroy (SIOCSLAGGDELPORT): under LAGG_WLOCK, unlink the
 *    port, ifp->if_lagg = NULL, free the lagg_port.
 *  - Fixed: the analysis's first fix, "lagg lock held across check and
 *    call": the link task takes LAGG_WLOCK before reading if_lagg and runs
 *    the hook's body under it. Mutant fb-lagg-linkstate-unlocked: the
 *    analysis's buggy variant, check then call with no lock, so the port
 *    can be freed between the read of if_lagg and the hook's read of
 *    lp_softc. The other fix the analysis names (drain if_linktask in
 *    lagg_port_destroy) is not modelled.
 */
import type { KThread } from '../../core/effect.ts';
import { kassert } from '../../core/errors.ts';
import type { Execution } from '../../core/execution.ts';
import { localAccess } from '../../core/ops.ts';
import { KMem, kmemFree, memAccess } from '../../locks/kmem.ts';
import { KRwlock, rwEnter, rwExit } from '../../locks/krwlock.ts';
import type { Ifnet } from './types.ts';
import { fbBug } from './mutants.ts';

/** struct lagg_softc: the fields the hook and the port removal use. */
export class LaggSoftc {
  /** The softc rwlock (LAGG_WLOCK): protects ports, each port ifnet's if_lagg, linkUpdates. */
  readonly lock: KRwlock;
  /** sc_ports; protected by lock. */
  readonly ports: LaggPort[] = [];
  /** Ghost: lagg_linkstate runs (the aggregate's link state recomputed); protected by lock. */
  linkUpdates = 0;
  /** Ghost object written at every change of a port or its holders (LAGG-3 watches it). */
  readonly obj: number;
  /** Ghost: every port ever made. */
  readonly all: LaggPort[] = [];
  constructor(
    ex: Execution,
    readonly mem: KMem,
  ) {
    this.lock = new KRwlock(ex, `${mem.name}.sc_mtx`, { cls: 'lagg_lock' });
    this.obj = ex.newObject(`${mem.name} ghost`, 'ghost');
  }
}

/** struct lagg_port: lp_ifp, lp_softc; malloc'ed by lagg_port_create, freed by lagg_port_destroy. */
export class LaggPort {
  /** Ghost: threads keeping this port's pointer (read from if_lagg) outside the softc lock. */
  held = 0;
  constructor(
    readonly mem: KMem,
    /** lp_ifp, constant. */
    readonly ifp: Ifnet,
    /** lp_softc, constant. */
    readonly sc: LaggSoftc,
  ) {}
}

/** lagg_port_create's result at boot: ifp is a port of sc (ifp->if_lagg = lp). No lock (before any thread runs). */
export function laggPortAttach(ex: Execution, sc: LaggSoftc, ifp: Ifnet): LaggPort {
  const lp = new LaggPort(new KMem(ex, `lagg_port ${ifp.name}`), ifp, sc);
  sc.ports.push(lp);
  sc.all.push(lp);
  ifp.laggSc = sc;
  ifp.ifLagg = lp;
  return lp;
}

/** lagg_linkstate(sc): recompute the aggregate's link state from the ports. Entry and exit: LAGG_WLOCK held. */
function* laggLinkstate(sc: LaggSoftc): KThread<void> {
  yield* memAccess(sc.mem, 'w', 'sc_ifp link state (lagg_linkstate)');
  sc.linkUpdates++;
  yield* localAccess(sc.obj, 'w', 'link state');
}

/**
 * The if_lagg part of do_link_state_change, on the taskqueue_swi worker.
 * Entry and exit: no lock held; curvnet set by the caller.
 */
export function* doLinkStateLagg(ex: Execution, ifp: Ifnet): KThread<void> {
  const sc = ifp.laggSc!;
  if (fbBug(ex, 'fb-lagg-linkstate-unlocked')) {
    yield* memAccess(ifp.mem, 'r', 'if_lagg', true); // if (ifp->if_lagg), no lock
    const lp = ifp.ifLagg;
    if (lp === null) return;
    lp.held++;
    yield* localAccess(sc.obj, 'w', 'port pointer kept');
    // (*lagg_linkstate_p)(ifp, link_state) = lagg_port_state: sc = lp->lp_softc before any lock
    yield* memAccess(lp.mem, 'r', 'lp->lp_softc', true);
    yield* rwEnter(sc.lock, 'RW_WRITER');
    yield* laggLinkstate(sc);
    lp.held--;
    yield* localAccess(sc.obj, 'w', 'port pointer dropped');
    yield* rwExit(sc.lock);
    return;
  }
  yield* rwEnter(sc.lock, 'RW_WRITER'); // held across the check and the call
  yield* memAccess(ifp.mem, 'r', 'if_lagg');
  const lp = ifp.ifLagg;
  if (lp !== null) {
    yield* memAccess(lp.mem, 'r', 'lp->lp_softc');
    yield* laggLinkstate(sc);
  }
  yield* rwExit(sc.lock);
}

/**
 * lagg_port_destroy(lp) from SIOCSLAGGDELPORT on the lagg. Entry and exit:
 * no lock held. Under LAGG_WLOCK: unlink the port, clear if_lagg, free the
 * lagg_port.
 */
export function* laggPortDestroy(ex: Execution, sc: LaggSoftc, lp: LaggPort): KThread<void> {
  yield* rwEnter(sc.lock, 'RW_WRITER');
  const i = sc.ports.indexOf(lp);
  kassert(i >= 0, () => `${lp.mem.name} is a port of its lagg`);
  sc.ports.splice(i, 1); // SLIST_REMOVE(&sc->sc_ports, lp)
  yield* memAccess(lp.ifp.mem, 'w', 'ifp->if_lagg = NULL');
  lp.ifp.ifLagg = null;
  yield* localAccess(sc.obj, 'w', 'port unlinked');
  yield* kmemFree(lp.mem); // free(lp, M_DEVBUF)
  yield* localAccess(sc.obj, 'w', 'port freed');
  yield* rwExit(sc.lock);
}
