/**
 * NXCFG_CMD_DETACH and nexus teardown: nx_netif_ctl_detach (L5606-5704),
 * nx_netif_prov_nx_dtor (L5124-5155), and the generic nx_close /
 * nx_detach / nx_destroy that reach them [ext nexus.c].
 *
 * nx_netif_ctl_detach evaluates its guards once, under SK_LOCK, then drops
 * SK_LOCK around ifnet_datamov_drain (L5654-5659) with nothing marking the
 * nif as detaching; after SK_LOCK is retaken nothing is re-validated
 * (finding NX-1, R1 of the analysis). `fixDetachInprogress` is the
 * candidate fix: a DETACHING mark set before the unlock, which a second
 * detach and na_find refuse (EBUSY, ENXIO) and the destructor waits out.
 * When another thread has suspended data movement (if_utun and if_ipsec
 * call ifnet_datamov_suspend_and_drain), ifnet_datamov_suspend_if_needed
 * returns FALSE and detach neither drains nor holds a suspension of its
 * own (finding NX-2, R2); `fixDetachSuspendAlways` is its candidate fix.
 */
import type { KThread } from '../../core/effect.ts';
import { kassert } from '../../core/errors.ts';
import type { Execution } from '../../core/execution.ts';
import { localAccess } from '../../core/ops.ts';
import { cvBroadcast, cvWait } from '../../locks/kcondvar.ts';
import { memAccess } from '../../locks/kmem.ts';
import { mutexEnter, mutexExit } from '../../locks/kmutex.ts';
import { nxNetifSubFini } from './attach.ts';
import { ifnetDatamovDrain, ifnetDatamovResume, ifnetDatamovSuspend, ifnetDatamovSuspendIfNeeded, skywalkSetCapable } from './dlil.ts';
import { naReleaseLocked, nxNetifRelease, nxPortFree, nxPortGetNa, SK_LOCK_ASSERT_HELD } from './nexus.ts';
import { Errno, flag, L, PORT_DEV, PORT_HOST, SUBMODULES, type Nexus, type NetifGlobals } from './types.ts';
import { nxBug } from './mutants.ts';

/** Mutant G1: detach ignores open channels (the EBUSY of L5628-5636). */
const NO_G1 = 'nx-no-g1-ch-count-busy';

/**
 * nx_netif_ctl_detach, L5606-5704. Entry and exit: SK_LOCK held; it is
 * DROPPED and retaken around the drain when this call suspended data
 * movement (L5654-5659). `uuid` null: called by the destructor (detach
 * whatever is attached).
 */
export function* nxNetifCtlDetach(ex: Execution, g: NetifGlobals, nx: Nexus, uuid: number | null): KThread<number> {
  SK_LOCK_ASSERT_HELD(ex, g);
  yield* memAccess(nx.mem, 'r', 'nx_arg');
  const nif = nx.nif!;
  yield* memAccess(nif.mem, 'r', 'nif_uuid, nif_ifp');
  const fix = flag(ex, 'fixDetachInprogress');
  if (uuid !== null && uuid === 0) return Errno.EINVAL; // L5620-5621
  if (uuid !== null && uuid !== nif.uuid) return Errno.ESRCH; // L5622-5624
  if (fix && nif.detaching) return Errno.EBUSY; // candidate fix: another detach is in its drain window
  if ((yield* nxPortGetNa(ex, g, nx, PORT_DEV)) === null) return Errno.ENXIO; // L5625-5627
  yield* localAccess(g.ctlObj, 'r', 'nx_ch_count');
  if (nx.chCount !== 0 && !nxBug(ex, NO_G1)) return Errno.EBUSY; // L5628-5636
  const ifp = nif.ifp; // L5641
  if (ifp === null) return Errno.EALREADY; // L5642-5645
  let suspended = false;
  const HOLD = `nx_netif_ctl_detach(${nx.name}) suspend`;
  // Candidate fix of NX-2 (fixDetachSuspendAlways): take a suspension of our
  // own (if_suspend nests) and always drain, instead of taking "somebody
  // suspended" for "drained".
  const always = flag(ex, 'fixDetachSuspendAlways');
  if (always) yield* ifnetDatamovSuspend(g, ifp, HOLD);
  if (always || (yield* ifnetDatamovSuspendIfNeeded(g, ifp, HOLD))) { // L5654
    if (fix) {
      nif.detaching = true;
      nif.m.send('DETACH_BEGIN');
      yield* localAccess(g.ctlObj, 'w', 'nif detaching');
    }
    yield* mutexExit(g.skLock, L(5655)); // SK_UNLOCK: the drain may sleep
    suspended = true;
    yield* ifnetDatamovDrain(g, ifp); // L5657
    yield* mutexEnter(g.skLock, L(5658));
  }
  // L5660-5665: fini in the reverse order of finalize's init
  for (const m of [...SUBMODULES].reverse()) yield* nxNetifSubFini(g, nif, m);
  yield* memAccess(nif.mem, 'w', 'nif_uuid');
  nif.uuid = 0; // L5667
  // L5668-5670: nx_netif_{compat_}attach() held both references
  yield* naReleaseLocked(ex, g, yield* nxPortGetNa(ex, g, nx, PORT_DEV), L(5669));
  yield* naReleaseLocked(ex, g, yield* nxPortGetNa(ex, g, nx, PORT_HOST), L(5670));
  yield* nxPortFree(ex, g, nx, PORT_DEV); // L5671
  yield* nxPortFree(ex, g, nx, PORT_HOST); // L5672
  yield* localAccess(ifp.naObj, 'w', 'if_na, if_na_ops');
  ifp.ifNaOps = false; // L5674
  ifp.ifNa = null; // L5675
  nif.ifp = null; // L5676
  yield* skywalkSetCapable(g, ifp, false); // L5678
  if (suspended) yield* ifnetDatamovResume(g, ifp, HOLD); // L5679-5681
  if (nif.detaching) {
    nif.detaching = false;
    yield* cvBroadcast(g.detachCv);
  }
  nif.m.send('DETACH');
  yield* localAccess(g.ctlObj, 'w', 'detached');
  return Errno.OK;
}

/**
 * nx_netif_prov_nx_dtor, L5124-5155, called by nx_detach. Entry and exit:
 * SK_LOCK held. Detaches whatever is attached, which cannot fail (VERIFY,
 * L5139-5143), then releases the nexus's nif reference (L5153) and clears
 * nx_arg (L5154). With `fixDetachInprogress` it first waits for a detach
 * in its drain window (cv_wait on SK_LOCK).
 */
export function* nxNetifProvNxDtor(ex: Execution, g: NetifGlobals, nx: Nexus): KThread<void> {
  SK_LOCK_ASSERT_HELD(ex, g);
  yield* memAccess(nx.mem, 'r', 'nx_arg');
  const n = nx.nif!;
  if (flag(ex, 'fixDetachInprogress')) while (n.detaching) yield* cvWait(g.detachCv, g.skLock);
  if ((yield* nxPortGetNa(ex, g, nx, PORT_DEV)) !== null) {
    const err = yield* nxNetifCtlDetach(ex, g, nx, null); // L5141
    kassert(err === 0, () => `VERIFY(nx_netif_ctl_detach(${nx.name}, NULL) == 0): got ${err}`, 'DTOR-DETACH'); // L5142
  }
  yield* nxNetifRelease(ex, g, n); // L5153 nx_netif_free
  yield* memAccess(nx.mem, 'w', 'nx_arg');
  nx.nif = null; // L5154
}

/** nx_detach [ext nexus.c]. Entry and exit: SK_LOCK held. Needs no channel open; runs the dtor, clears NXF_ATTACHED. */
export function* nxDetach(ex: Execution, g: NetifGlobals, nx: Nexus): KThread<void> {
  SK_LOCK_ASSERT_HELD(ex, g);
  kassert(nx.chCount === 0 && nx.channels.length === 0, () => `nx_detach(${nx.name}) with ${nx.chCount} channel(s) open`);
  yield* nxNetifProvNxDtor(ex, g, nx);
  nx.attached = false;
  nx.m.send('DETACH');
  yield* localAccess(g.ctlObj, 'w', 'NXF_ATTACHED');
}

/** nx_close [ext nexus.c]. Entry and exit: SK_LOCK held. No regular channel: detach now; else NXF_CLOSED and the last ch_close detaches. */
export function* nxClose(ex: Execution, g: NetifGlobals, nx: Nexus): KThread<void> {
  SK_LOCK_ASSERT_HELD(ex, g);
  if (nx.chCount === 0) {
    yield* nxDetach(ex, g, nx);
    return;
  }
  nx.closed = true;
  nx.m.send('CLOSE');
  yield* localAccess(g.ctlObj, 'w', 'NXF_CLOSED');
}

/**
 * The nexus controller's destroy of a provider instance (nx_destroy
 * [ext nexus.c]): under SK_LOCK, nx_find (which refuses a closed or
 * detached nexus: ENOENT), then nx_close. Entry and exit: no lock held.
 */
export function* nxDestroy(ex: Execution, g: NetifGlobals, nx: Nexus, who: string): KThread<number> {
  yield* mutexEnter(g.skLock);
  let err: number = Errno.OK;
  if (!nx.attached || nx.closed) err = 2; // ENOENT
  else yield* nxClose(ex, g, nx);
  yield* mutexExit(g.skLock);
  g.results.set(who, err);
  return err;
}

/** The nexus controller's NXCFG_CMD_DETACH (nx_netif_prov_config, L4992-5084, abstracted to its SK_LOCK and nx_find). Entry and exit: no lock held. */
export function* nxctlDetach(ex: Execution, g: NetifGlobals, nx: Nexus, uuid: number, who: string): KThread<number> {
  yield* mutexEnter(g.skLock);
  let err: number;
  if (!nx.attached || nx.closed) err = 2; // nx_find: ENOENT
  else err = yield* nxNetifCtlDetach(ex, g, nx, uuid);
  yield* mutexExit(g.skLock);
  g.results.set(who, err);
  return err;
}
