/**
 * The netif data path, which runs with no skywalk lock: the doorbell
 * (nx_netif_doorbell_internal L5872-5912, the if_start handler while a
 * channel keeps the dev NA active), nx_netif_na_txsync (L5924-5987),
 * netif_transmit with netif_use_starter_thread (L7976-8050), the RX
 * interrupt chain (nx_netif_na_notify_rx L6137-6161, nx_netif_common_intr
 * L6055-6128, netif_rx_notify_default L7604-7682) and the TX refill
 * (netif_ring_tx_refill L8132-8333).
 *
 * These rely on flags re-checked under a ring's busy right (CKRF_DROP,
 * NAF_ACTIVE), on the data-movement gate, and on an open channel keeping
 * the NA published. Unlocked loads of if_na, na_flags and ring fields are
 * scheduling points; accesses under the ring's busy right are local,
 * except the hand-off to the stack (netif_receive) and the classq dequeue,
 * which take other locks.
 */
import type { KThread } from '../../core/effect.ts';
import { kassert } from '../../core/errors.ts';
import type { Execution } from '../../core/execution.ts';
import { access, localAccess } from '../../core/ops.ts';
import { memAccess } from '../../locks/kmem.ts';
import { mutexEnter, mutexExit, mutexTryEnter } from '../../locks/kmutex.ts';
import { ifnetDatamovBegin, ifnetDatamovEnd, ifnetStart, loadIfNa } from './dlil.ts';
import { Errno, type Kring, L, type NetifGlobals, type NetifNa, type XIfnet } from './types.ts';
import { nxBug } from './mutants.ts';

const NO_G7_RX = 'nx-no-g7-rx-drop-recheck';
const NO_G7_REFILL = 'nx-no-g7-refill-drop-recheck';
const NO_G8_DOORBELL = 'nx-no-g8-doorbell-active';
const NO_G8_REFILL = 'nx-no-g8-refill-active';

/** kr_enter(kr, can_sleep) [ext channel_ring.c]: the ring's busy right; the try form fails (EBUSY) if busy. */
function* krEnter(kr: Kring, canSleep: boolean): KThread<boolean> {
  if (canSleep) {
    yield* mutexEnter(kr.busy);
    return true;
  }
  return yield* mutexTryEnter(kr.busy);
}

/** Ghost: the running data-path thread commits to work on `na` (and, under its busy right, on `kr`). */
function* commit(g: NetifGlobals, what: string, na: NetifNa, kr: Kring | null): KThread<void> {
  g.datapath.push({ who: g.who(), what, na, ring: kr, drop: kr?.drop ?? false, active: na.active });
  if (kr) kr.inside = g.who();
  yield* localAccess(g.ctlObj, 'w', 'datapath');
}

/** Ghost: done with the ring (just before kr_exit). */
function* leave(g: NetifGlobals, kr: Kring): KThread<void> {
  kr.inside = null;
  yield* localAccess(g.ctlObj, 'w', 'datapath');
}

/**
 * netif_ring_tx_refill, L8132-8333, as the driver's doorbell callback calls
 * it (kern_channel_tx_refill). Entry and exit: no lock held. Interface
 * attached and not flow controlled (ENXIO), then kr_enter: busy means
 * another dequeue runs, return 0 (L8183-8186); under the busy right, a
 * ring in drop mode or an inactive NA is ENXIO (L8190-8195; mutants
 * nx-no-g7-refill-drop-recheck and nx-no-g8-refill-active), else dequeue
 * from the classq (its own lock) into the ring's slots.
 */
export function* netifRingTxRefill(ex: Execution, g: NetifGlobals, hwna: NetifNa, kr: Kring, canblock: boolean): KThread<number> {
  yield* memAccess(hwna.mem, 'r', 'na_ifp', true, L(8152));
  const ifp = hwna.naIfp;
  kassert(ifp !== null, 'hwna->na_ifp != NULL', 'NULL-DEREF');
  if (!ifp.attachedFlag) return Errno.ENXIO; // L8165-8170
  if (!(yield* krEnter(kr, canblock))) return Errno.OK; // L8183-8186
  yield* memAccess(kr.mem, 'r', `${kr.name}.ckr_flags`);
  yield* memAccess(hwna.mem, 'r', 'na_flags');
  if ((kr.drop && !nxBug(ex, NO_G7_REFILL)) || (!hwna.active && !nxBug(ex, NO_G8_REFILL))) { // L8190-8191
    yield* mutexExit(kr.busy);
    return Errno.ENXIO;
  }
  yield* commit(g, 'tx refill', hwna, kr);
  yield* access(ifp.naObj, 'w', 'if_snd (netif_deq_packets, IFCQ_LOCK)', L(8241));
  yield* memAccess(kr.mem, 'w', `${kr.name} slots (dequeued packets)`);
  yield* leave(g, kr);
  yield* mutexExit(kr.busy); // kr_exit
  return Errno.OK;
}

/**
 * nx_netif_na_txsync, L5924-5987, called by the doorbell with
 * NA_SYNCF_NETIF_DOORBELL | NA_SYNCF_NETIF_IFSTART. A ring not kernel-only
 * only reclaims (sync_only, L5957-5968); else the synchronous doorbell
 * into the driver (nx_tx_doorbell [ext]), whose callback refills the ring
 * without blocking.
 */
export function* nxNetifNaTxsync(ex: Execution, g: NetifGlobals, na: NetifNa, kr: Kring): KThread<number> {
  yield* memAccess(na.mem, 'r', 'na_ifp', true, L(5929));
  const ifp = na.naIfp;
  kassert(ifp !== null, 'ASSERT(ifp != NULL)'); // L5933
  if (!ifp.attachedFlag) return Errno.ENXIO; // L5941-5945
  if (!na.kernelOnly) {
    yield* memAccess(kr.mem, 'w', `${kr.name} (nx_sync_tx reclaim)`, true, L(5961));
    return Errno.OK;
  }
  return yield* netifRingTxRefill(ex, g, na, kr, false); // L5980 nx_tx_doorbell -> driver -> refill
}

/**
 * nx_netif_doorbell_internal, L5872-5906 (nx_netif_doorbell, L5908-5912,
 * the if_start handler). Entry and exit: no lock held. Loads if_na and
 * bails on NULL (L5874-5876), loads it again for NA(ifp) (L5882: the
 * double load of R9), and issues a TX sync on ring 0 only if the NA is
 * active (L5883; mutant nx-no-g8-doorbell-active), else counts a drop in
 * the nif's stats (L5902-5904).
 */
export function* nxNetifDoorbellInternal(ex: Execution, g: NetifGlobals, ifp: XIfnet): KThread<void> {
  if ((yield* loadIfNa(ifp, L(5874))) === null) return; // L5874-5876
  const hwna = yield* loadIfNa(ifp, L(5882));
  kassert(hwna !== null, 'NA(ifp) != NULL (NULL dereference, L5882)', 'NULL-DEREF');
  yield* memAccess(hwna.mem, 'r', 'na_flags', true, L(5883));
  if (hwna.active || nxBug(ex, NO_G8_DOORBELL)) {
    yield* commit(g, 'doorbell sync', hwna, null);
    kassert(hwna.krings !== null, () => `${hwna.name}->na_tx_rings != NULL (NULL dereference, L5895)`, 'NULL-DEREF');
    const kr = hwna.krings.tx;
    yield* memAccess(kr.mem, 'r', `${kr.name}.ckr_na_sync`, true, L(5898));
    yield* nxNetifNaTxsync(ex, g, hwna, kr); // L5898-5899
    return;
  }
  yield* memAccess(hwna.mem, 'r', 'na_nx (nif_stats)', true, L(5903));
  yield* memAccess(hwna.netif!.mem, 'w', 'nif_stats (DROP_NA_INACTIVE)', true, L(5904));
}

/** The functions a handler slot may name, run by whoever calls through the slot. */
export function* callStartHandler(ex: Execution, g: NetifGlobals, ifp: XIfnet, fn: string): KThread<void> {
  if (fn === 'nx_netif_doorbell') yield* nxNetifDoorbellInternal(ex, g, ifp); // L5911 NETIF_XMIT_FLAG_HOST
  else yield* memAccess(ifp.mem, 'w', 'driver if_start (if_snd)', true);
}

/**
 * netif_use_starter_thread, L7978-8029: defer to the ifnet starter thread
 * (ifnet_start) when there is no active native NA, the driver is virtual,
 * or the starter is already running (if_start_req++ under if_start_lock,
 * L8016-8021). The NA(ifp) tests of L7997-7998 are two unlocked loads of
 * if_na (R9).
 */
export function* netifUseStarterThread(_ex: Execution, g: NetifGlobals, ifp: XIfnet): KThread<boolean> {
  // L7997-7998: NA(ifp) == NULL, then NA_IS_ACTIVE(&NA(ifp)->nifna_up): two loads of if_na.
  const na = yield* loadIfNa(ifp, L(7997));
  let active = false;
  if (na !== null) {
    const na2 = yield* loadIfNa(ifp, L(7998));
    kassert(na2 !== null, 'NA(ifp) != NULL (NULL dereference, L7998)', 'NULL-DEREF');
    yield* memAccess(na2.mem, 'r', 'na_flags', true, L(7998));
    active = na2.active;
  }
  if (!ifp.native || na === null || !active) {
    yield* ifnetStart(g, ifp); // L8007
    return true;
  }
  yield* mutexEnter(ifp.startLock, L(8010));
  if (ifp.startActive) {
    ifp.startReq++; // L8017-8020
    yield* mutexExit(ifp.startLock);
    return true;
  }
  yield* mutexExit(ifp.startLock, L(8022));
  return false;
}

/**
 * netif_transmit, L8032-8050. Entry and exit: no lock held. Either the
 * starter thread takes the request, or the doorbell runs here inside a
 * data-movement section (datamov_begin/end, L8042-8049), which detach's
 * drain waits for.
 */
export function* netifTransmit(ex: Execution, g: NetifGlobals, ifp: XIfnet, who: string): KThread<void> {
  if (yield* netifUseStarterThread(ex, g, ifp)) {
    g.results.set(who, 1);
    return;
  }
  if (!(yield* ifnetDatamovBegin(g, ifp, `${who} datamov`))) {
    g.results.set(who, 2);
    return;
  }
  yield* nxNetifDoorbellInternal(ex, g, ifp); // L8045
  yield* ifnetDatamovEnd(g, ifp, `${who} datamov`);
  g.results.set(who, 0);
}

/**
 * netif_rx_notify_default, L7604-7682. Entry and exit: no lock held.
 * kr_enter (try unless NA_NOTEF_CAN_SLEEP; busy: return), then under the
 * busy right: a ring in drop mode is ENODEV (L7633-7637; mutant
 * nx-no-g7-rx-drop-recheck), an NA without na_ifp is ENODEV (L7641-7645);
 * else sync the ring, consume the packets and hand them to netif_receive
 * (the filter/flow demux and the stack: other locks, L7469-7528).
 */
export function* netifRxNotifyDefault(ex: Execution, g: NetifGlobals, hwna: NetifNa, kr: Kring): KThread<number> {
  if (!(yield* krEnter(kr, false))) return Errno.EBUSY; // L7623-7632
  yield* memAccess(kr.mem, 'r', `${kr.name}.ckr_flags`);
  if (kr.drop && !nxBug(ex, NO_G7_RX)) { // L7633
    yield* mutexExit(kr.busy);
    return Errno.ENODEV;
  }
  yield* memAccess(hwna.mem, 'r', 'na_ifp');
  if (hwna.naIfp === null) { // L7641
    yield* mutexExit(kr.busy);
    return Errno.ENODEV;
  }
  yield* commit(g, 'rx sync', hwna, kr);
  yield* memAccess(kr.mem, 'w', `${kr.name} slots (ckr_na_sync, consume_pkts)`); // L7647-7663
  yield* memAccess(hwna.netif!.mem, 'r', 'nif_filter_cnt, nif_flow_cnt (netif_receive, unlocked)', true, L(7665));
  yield* memAccess(kr.mem, 'w', `${kr.name} (ckr_netif_mit_stats, kr state)`); // L7667-7671
  yield* leave(g, kr);
  yield* mutexExit(kr.busy); // L7676
  return Errno.OK;
}

/**
 * A driver RX interrupt: kern_channel_notify loads ckr_na_notify (an
 * unlocked atomic pointer) and calls it. nx_netif_na_notify_rx (L6137-
 * 6161) without mitigation reaches nx_netif_common_intr (L6055-6128),
 * which calls the saved ckr_netif_notify unless the ring is in drop mode
 * (unlocked check, L6087), here netif_rx_notify_default.
 */
export function* driverRxInterrupt(ex: Execution, g: NetifGlobals, hwna: NetifNa, kr: Kring, who: string): KThread<void> {
  yield* memAccess(kr.mem, 'r', `${kr.name}.ckr_na_notify`, true);
  const fn = kr.naNotify;
  let r: number = Errno.ENODEV;
  if (fn === 'nx_netif_na_notify_rx') {
    yield* memAccess(kr.mem, 'r', `${kr.name}.ckr_flags, ckr_netif_notify`, true, L(6087));
    if (!kr.drop && kr.netifNotify === 'netif_rx_notify_default') r = yield* netifRxNotifyDefault(ex, g, hwna, kr);
    else r = Errno.EBUSY; // L6096
  }
  g.results.set(who, r);
}
