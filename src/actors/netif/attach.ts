/**
 * NXCFG_CMD_ATTACH: nx_netif_ctl_attach (L5516-5604) and nx_netif_attach
 * (L6411-6720), both under SK_LOCK for their whole length; and the
 * finalize callback na_netif_finalize (L6809-6845), which dlil calls when
 * an embryonic ifnet completes ifnet_attach, under ifnet_lock and
 * without SK_LOCK. The sub-module init/fini pairs (flags, llink, filter,
 * flow, capabilities, agent) are abstracted to their *_INITIALIZED /
 * ENABLED bits [ext nx_netif_*.c].
 */
import type { KThread } from '../../core/effect.ts';
import { kassert } from '../../core/errors.ts';
import type { Execution } from '../../core/execution.ts';
import { choose, localAccess } from '../../core/ops.ts';
import { KMem, memAccess } from '../../locks/kmem.ts';
import { rwEnter, rwExit } from '../../locks/krwlock.ts';
import { ifnetDecrIorefcnt, ifnetIncrIorefcnt, ifnetIsAttached, ifunitRef, ioRetag, skywalkSetCapable } from './dlil.ts';
import { naNetifFree, naRetainLocked, nxNetifRelease, nxNetifRetain, nxPortAlloc, nxPortGetNa, SK_LOCK_ASSERT_HELD } from './nexus.ts';
import { Errno, flag, L, NetifNa, PORT_DEV, PORT_HOST, SUBMODULES, type Nexus, type Nif, type NetifGlobals, type SubModuleName, type XIfnet } from './types.ts';
import { nxBug } from './mutants.ts';

/** Mutants G2: the two halves of the attach-uniqueness check of L5554. */
const NO_G2_IFNA = 'nx-no-g2-if-na-busy';
const NO_G2_UUID = 'nx-no-g2-uuid-busy';

/** An NXCFG_CMD_ATTACH request: by interface name (ifunit_ref) or, from the kernel, by ifnet pointer (NXSPECREQ_IFP). */
export interface AttachReq {
  name: string;
  byIfp: boolean;
  uuidFlag?: boolean;
  kernproc: boolean;
}

/** nx_netif_{flags,llink,filter,flow,capabilities,agent}_init [ext]: sets *_INITIALIZED (each creates its lock). No SK_LOCK required. */
export function* nxNetifSubInit(g: NetifGlobals, nif: Nif, m: SubModuleName, unlocked: boolean): KThread<void> {
  yield* memAccess(nif.mem, 'w', `nif ${m} init`, unlocked);
  kassert(!nif.sub[m].initialized, () => `${nif.name}: ${m} init while initialized`, 'SUB-1');
  nif.sub[m].initialized = true;
  g.subEvents.push({ nif, ev: `init ${m}`, thread: g.who() });
  yield* localAccess(g.ctlObj, 'w', `nif ${m}`);
}

/**
 * nx_netif_*_fini [ext]: a no-op unless *_INITIALIZED; the filter and
 * flow fini ASSERT(!ENABLED) (SUB-1); clears *_INITIALIZED (destroys its
 * lock).
 */
export function* nxNetifSubFini(g: NetifGlobals, nif: Nif, m: SubModuleName): KThread<void> {
  yield* memAccess(nif.mem, 'w', `nif ${m} fini`);
  const s = nif.sub[m];
  if (!s.initialized) return;
  kassert(!s.enabled, () => `${nif.name}: ${m} fini while ENABLED (ASSERT(!ENABLED))`, 'SUB-1');
  s.initialized = false;
  g.subEvents.push({ nif, ev: `fini ${m}`, thread: g.who() });
  yield* localAccess(g.ctlObj, 'w', `nif ${m}`);
}

/** nx_netif_{filter,flow}_enable / _disable [ext]: ENABLED follows, only while INITIALIZED. */
export function* nxNetifSubEnable(g: NetifGlobals, nif: Nif, m: SubModuleName, on: boolean): KThread<void> {
  yield* memAccess(nif.mem, 'w', `nif ${m} ${on ? 'enable' : 'disable'}`);
  if (on && !nif.sub[m].initialized) return;
  nif.sub[m].enabled = on;
  yield* localAccess(g.ctlObj, 'w', `nif ${m}`);
}

/** mem_new of the provider (nx_netif_prov_mem_new [ext]): 0, or ENOMEM as a recorded choice when the scenario injects failures. */
function* memNew(ex: Execution, na: NetifNa): KThread<number> {
  if (!flag(ex, 'memNewFail')) return Errno.OK;
  return (yield* choose(2, `mem_new(${na.name}) fails`)) === 1 ? Errno.ENOMEM : Errno.OK;
}

/**
 * nx_netif_attach, L6411-6720. Entry and exit: SK_LOCK held (never
 * dropped). Allocates the dev and host NAs, takes an ioref through
 * ifnet_is_attached (or keeps an embryonic ifnet in na_private), runs
 * mem_new for each, then publishes: if_na_ops, if_na, one retain per NA,
 * SKYWALK_SET_CAPABLE, and under NETIF_WLOCK nif_ifp and ports 0/1
 * (L6614-6631). The error path (L6674-6718) is modelled as written: when
 * the ifnet was attached, the ioref ifnet_is_attached took (L6448) moved to
 * devna->na_ifp (L6475-6476), and L6678 drops it once more (finding NX-3).
 * `fixAttachIoref` (candidate fix, as nx_netif_compat_attach does it):
 * forget the local ifp once its ioref moved to na_ifp.
 */
export function* nxNetifAttach(ex: Execution, g: NetifGlobals, nx: Nexus, ifp0: XIfnet): KThread<number> {
  const nif = nx.nif!;
  let ifp: XIfnet | null = ifp0;
  SK_LOCK_ASSERT_HELD(ex, g);
  kassert(ifp.native, 'ASSERT(SKYWALK_NATIVE(ifp))');
  kassert(!ifp.capable, () => `ASSERT(!SKYWALK_CAPABLE(${ifp0.name}))`); // L6428
  kassert(ifp.ifNa === null, () => `ASSERT(${ifp0.name}->if_na == NULL)`); // L6429
  const devna = new NetifNa(ex, new KMem(ex, `na ${nx.name}/dev`), 'dev', `${nx.name}/dev`, g.cov); // L6432
  const hostna = new NetifNa(ex, new KMem(ex, `na ${nx.name}/host`), 'host', `${nx.name}/host`, g.cov); // L6433
  g.nas.push(devna, hostna);
  let embryonic = false;
  let transferred = false;
  let retval = 0;
  const IFP = `nx_netif_attach(${nx.name}) ifp`;
  attach: {
    if (!(yield* ifnetIsAttached(g, ifp, IFP))) { // L6448
      if (!ifp.embryonic) {
        ifp = null;
        retval = Errno.ENXIO;
        break attach;
      }
      embryonic = true;
    }
    devna.netif = nif; // L6458-6459
    yield* nxNetifRetain(ex, g, nif);
    if (embryonic) {
      devna.naPrivate = ifp; // L6471
      devna.m.send('EMBRYO');
    } else {
      devna.naIfp = ifp; // L6476: use the I/O refcnt from ifnet_is_attached()
      ioRetag(ifp, IFP, `${devna.name}.na_ifp`);
      devna.m.send('BIND_IFP');
      if (flag(ex, 'fixAttachIoref')) transferred = true;
    }
    if ((retval = yield* memNew(ex, devna)) !== 0) break attach; // L6518-6522
    hostna.netif = nif; // L6541-6542
    yield* nxNetifRetain(ex, g, nif);
    if (embryonic) {
      hostna.naPrivate = ifp; // L6552
      hostna.m.send('EMBRYO');
    } else {
      hostna.naIfp = devna.naIfp; // L6556-6557
      yield* ifnetIncrIorefcnt(g, hostna.naIfp!, `${hostna.name}.na_ifp`);
      hostna.m.send('BIND_IFP');
    }
    if ((retval = yield* memNew(ex, hostna)) !== 0) break attach; // L6589-6593
    // L6614-6620: these will be undone by the destructor
    yield* localAccess(ifp.naObj, 'w', 'if_na, if_na_ops');
    ifp.ifNaOps = true;
    ifp.ifNa = devna;
    yield* naRetainLocked(ex, g, devna);
    yield* naRetainLocked(ex, g, hostna);
    yield* skywalkSetCapable(g, ifp, true);
    yield* rwEnter(nif.lock, 'RW_WRITER', L(6622));
    nif.ifp = ifp; // L6623
    let [r] = yield* nxPortAlloc(ex, g, nx, PORT_DEV, devna); // L6625-6627
    kassert(r === 0, () => `ASSERT(nx_port_alloc(${nx.name}, DEV) == 0), got ${r}`);
    [r] = yield* nxPortAlloc(ex, g, nx, PORT_HOST, hostna); // L6628-6630
    kassert(r === 0, () => `ASSERT(nx_port_alloc(${nx.name}, HOST) == 0), got ${r}`);
    yield* rwExit(nif.lock, L(6631));
    yield* localAccess(g.ctlObj, 'w', 'attach published');
    return Errno.OK;
  }
  // err: L6674-6718
  if (ifp !== null && !transferred) {
    if (!embryonic) yield* ifnetDecrIorefcnt(g, ifp, IFP); // L6678
    ifp = null;
  }
  if (devna.naIfp !== null) {
    yield* ifnetDecrIorefcnt(g, devna.naIfp, `${devna.name}.na_ifp`); // L6687-6690
    devna.naIfp = null;
  }
  devna.naPrivate = null;
  if (hostna.naIfp !== null) {
    yield* ifnetDecrIorefcnt(g, hostna.naIfp, `${hostna.name}.na_ifp`); // L6698-6701
    hostna.naIfp = null;
  }
  hostna.naPrivate = null;
  for (const na of [devna, hostna]) {
    if (na.netif !== null) {
      yield* nxNetifRelease(ex, g, na.netif); // L6705-6708, L6712-6715
      na.netif = null;
    }
    yield* naNetifFree(ex, g, na); // L6709, L6716
  }
  return retval;
}

/**
 * nx_netif_ctl_attach, L5516-5604. Entry and exit: SK_LOCK held. Guards in
 * order: a UUID request (EINVAL), an IFP request from user space or with
 * no ifnet (EINVAL), no ifnet of that name (ENXIO), provider/driver
 * mismatch (ENODEV), the ifnet already attached to a nexus or this nexus
 * already attached (EBUSY, L5554: mutants nx-no-g2-*). On success the nif
 * UUID is generated (L5570). The name lookup's ioref is always dropped
 * (L5580-5583). With `fixDetachInprogress`, a detaching nif is EBUSY too.
 */
export function* nxNetifCtlAttach(ex: Execution, g: NetifGlobals, nx: Nexus, req: AttachReq): KThread<number> {
  SK_LOCK_ASSERT_HELD(ex, g);
  yield* memAccess(nx.mem, 'r', 'nx_arg');
  const n = nx.nif!;
  let ifp: XIfnet | null = null;
  let err = 0;
  const HOLD = `nx_netif_ctl_attach(${nx.name}) ifunit_ref`;
  done: {
    if (req.uuidFlag) {
      err = Errno.EINVAL; // L5536-5538
      break done;
    }
    if (req.byIfp) {
      ifp = g.ifnets.find((i) => i.name === req.name) ?? null;
      if (!req.kernproc || ifp === null) {
        err = Errno.EINVAL; // L5540-5543
        break done;
      }
    } else if ((ifp = yield* ifunitRef(g, req.name, HOLD)) === null) {
      err = Errno.ENXIO; // L5545-5547
      break done;
    }
    yield* memAccess(n.mem, 'r', 'nif_uuid');
    yield* localAccess(ifp.naObj, 'r', 'if_na');
    if (!ifp.native) {
      err = Errno.ENODEV; // L5550-5553
    } else if ((ifp.ifNa !== null && !nxBug(ex, NO_G2_IFNA)) || (n.uuid !== 0 && !nxBug(ex, NO_G2_UUID)) || (flag(ex, 'fixDetachInprogress') && n.detaching)) {
      err = Errno.EBUSY; // L5554-5555
    } else {
      kassert(n.uuid === 0, 'ASSERT(uuid_is_null(n->nif_uuid))'); // L5557
      err = yield* nxNetifAttach(ex, g, nx, ifp);
      if (err === 0) {
        n.uuid = g.newUuid(); // L5570
        n.m.send('ATTACH');
        yield* localAccess(g.ctlObj, 'w', 'nif_uuid');
      }
    }
  }
  if (ifp !== null && !req.byIfp) yield* ifnetDecrIorefcnt(g, ifp, HOLD); // L5580-5583
  return err;
}

/**
 * na_netif_finalize, L6809-6845 (ni_finalize, called by ifnet_attach of an
 * embryonic ifnet with ifnet_lock held [ext dlil.c]). Runs WITHOUT
 * SK_LOCK: the port reads and the sub-module inits race any SK_LOCK
 * holder (R8). Moves na_private to na_ifp for both NAs (the dev NA reuses
 * the ioref ifnet_is_attached takes here, the host NA takes one more) and
 * initialises the sub-modules in order.
 */
export function* naNetifFinalize(ex: Execution, g: NetifGlobals, nifna: NetifNa, ifp: XIfnet): KThread<void> {
  yield* memAccess(nifna.mem, 'r', 'nifna_netif', true);
  const nif = nifna.netif!;
  yield* memAccess(nif.mem, 'r', 'nif_nx', true);
  const nx = g.nexuses.find((x) => x.nif === nif)!;
  const devna = yield* nxPortGetNa(ex, g, nx, PORT_DEV); // L6814
  const hostna = yield* nxPortGetNa(ex, g, nx, PORT_HOST); // L6815-6816
  kassert(devna !== null && hostna !== null, 'ASSERT(devna != NULL && hostna != NULL)'); // L6818-6819
  const HOLD = `${devna.name}.na_ifp`;
  kassert(yield* ifnetIsAttached(g, ifp, HOLD), 'VERIFY(ifnet_is_attached(ifp, 1))'); // L6821-6825
  yield* memAccess(devna.mem, 'w', 'na_ifp, na_private', true);
  kassert(devna.naPrivate === ifp && devna.naIfp === null, 'ASSERT(devna->na_private == ifp && devna->na_ifp == NULL)');
  devna.naIfp = devna.naPrivate; // L6830-6831
  devna.naPrivate = null;
  devna.m.send('FINALIZE');
  yield* memAccess(hostna.mem, 'w', 'na_ifp, na_private', true);
  kassert(hostna.naPrivate === ifp && hostna.naIfp === null, 'ASSERT(hostna->na_private == ifp && hostna->na_ifp == NULL)');
  hostna.naIfp = hostna.naPrivate; // L6835-6837
  hostna.naPrivate = null;
  hostna.m.send('FINALIZE');
  yield* ifnetIncrIorefcnt(g, ifp, `${hostna.name}.na_ifp`);
  for (const m of SUBMODULES) yield* nxNetifSubInit(g, nif, m, true); // L6839-6844
}
