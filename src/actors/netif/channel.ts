/**
 * Channels on the netif nexus: open (ch_open / ch_open_special ->
 * nx_netif_dom_connect L5340-5413 -> na_connect / na_connect_spec ->
 * nx_netif_na_find L7007-7151 -> na_bind_channel -> na_activate), close
 * (ch_close -> nx_netif_dom_disconnect L5415-5438 -> na_unbind_channel ->
 * na_teardown -> activate OFF, and the last close of a closed nexus
 * calling nx_detach), the dev activate ON/OFF with the start-handler
 * redirect (nx_netif_na_activate L6238-6409), the host activate that
 * redirects if_output for a kernel-only host NA [ext nx_netif_host.c],
 * the special CONNECT/DISCONNECT (nx_netif_na_special_common L6940-7002),
 * nx_netif_prov_nx_stop (L4679-4730) and the port bind/unbind of the
 * domain (L5271-5338). Generic channel and adapter code [ext channel.c,
 * nexus_adapter.c] is modelled only as far as netif depends on it.
 */
import type { KThread } from '../../core/effect.ts';
import { kassert } from '../../core/errors.ts';
import type { Execution } from '../../core/execution.ts';
import { localAccess } from '../../core/ops.ts';
import { cvWait } from '../../locks/kcondvar.ts';
import { KMem, kmemFree, memAccess } from '../../locks/kmem.ts';
import { mutexEnter, mutexExit } from '../../locks/kmutex.ts';
import { rwEnter, rwExit } from '../../locks/krwlock.ts';
import { nxNetifSubEnable } from './attach.ts';
import { nxDetach } from './detach.ts';
import { handlerReset, handlerSet, ifnetIncrIorefcnt, skywalkCapable } from './dlil.ts';
import { naReleaseLocked, naRetainLocked, nxNetifRetain, nxPortAlloc, nxPortBindInfo, nxPortFind, nxPortFree, nxPortGetNa, nxPortUnbind, SK_LOCK_ASSERT_HELD } from './nexus.ts';
import { Channel, Errno, flag, Kring, L, NetifNa, PORT_ANY, PORT_CLIENT, PORT_DEV, PORT_HOST, type Nexus, type NetifGlobals } from './types.ts';
import { nxBug } from './mutants.ts';

const NO_G3 = 'nx-no-g3-na-find-port0';
const NO_G5 = 'nx-no-g5-start-wait';
const NO_G6 = 'nx-no-g6-spec-disconnect-order';
const NO_G7_KRDROP = 'nx-no-g7-kr-drop-enter';
const NO_G10 = 'nx-no-g10-owned-busy';

/** na_krings_create [ext nexus_adapter.c]: one TX and one RX kring (nx_netif_dev_krings_create L7153-7180 without the kernel-only drop). */
function* naKringsCreate(ex: Execution, g: NetifGlobals, na: NetifNa): KThread<void> {
  const mem = new KMem(ex, `${na.name} krings`);
  na.krings = { mem, tx: new Kring(ex, `${na.name}.tx0`, mem, true), rx: new Kring(ex, `${na.name}.rx0`, mem, false) };
  yield* localAccess(g.ctlObj, 'w', 'krings');
  if (na.kind === 'dev' && na.kernelOnly) yield* naKrDrop(ex, g, na, true); // L7175-7177: until NXSPEC_CMD_START
}

/**
 * na_kr_drop(na, on) [ext nexus_adapter.c]: enter each ring's busy right
 * (sleeping), set or clear CKRF_DROP, exit. Mutant nx-no-g7-kr-drop-enter:
 * set the flag without entering the ring, under a data-path thread that is
 * already past its KR_DROP check.
 */
export function* naKrDrop(ex: Execution, g: NetifGlobals, na: NetifNa, on: boolean): KThread<void> {
  kassert(na.krings !== null, () => `na_kr_drop(${na.name}): krings exist`);
  for (const kr of [na.krings.tx, na.krings.rx]) {
    if (nxBug(ex, NO_G7_KRDROP)) {
      yield* memAccess(kr.mem, 'w', `${kr.name}.ckr_flags`);
      kr.drop = on;
      yield* localAccess(g.ctlObj, 'w', 'CKRF_DROP');
      continue;
    }
    yield* mutexEnter(kr.busy); // kr_enter(kr, TRUE)
    yield* memAccess(kr.mem, 'w', `${kr.name}.ckr_flags`);
    kr.drop = on;
    yield* localAccess(g.ctlObj, 'w', 'CKRF_DROP');
    yield* mutexExit(kr.busy); // kr_exit
  }
}

/** na_krings_delete (nx_netif_dev_krings_delete L7182-7196): kernel-only rings into drop mode, then the rings are freed [ext]. */
function* naKringsDelete(ex: Execution, g: NetifGlobals, na: NetifNa): KThread<void> {
  if (na.kernelOnly || na.kind !== 'dev') yield* naKrDrop(ex, g, na, true); // L7191-7193; na_rings_mem_teardown stops the others [ext]
  yield* kmemFree(na.krings!.mem);
  na.krings = null;
  yield* localAccess(g.ctlObj, 'w', 'krings');
}

/**
 * nx_netif_na_activate, L6238-6409, dev NA. Entry and exit: SK_LOCK held.
 * ON: notify interception, filter/flow enable, NAF_ACTIVE, then the start
 * handler redirect under if_start_lock, which must not fail (VERIFY,
 * L6331-6335). OFF: clear NAF_ACTIVE first (L6347), disable, then under
 * if_start_lock sleep while the start thread is active, still holding
 * SK_LOCK (L6357-6363; mutant nx-no-g5-start-wait skips the wait), reset
 * the start handler, restore the notify pointers. Mitigation threads are
 * not configured in the scenarios (nx_netif_mit_config off).
 */
export function* nxNetifNaActivate(ex: Execution, g: NetifGlobals, na: NetifNa, on: boolean): KThread<number> {
  SK_LOCK_ASSERT_HELD(ex, g);
  kassert(na.kind === 'dev', 'ASSERT(na->na_type == NA_NETIF_DEV)');
  const nif = na.netif!;
  const ifp = na.naIfp;
  if (on) {
    kassert(skywalkCapable(ifp), 'ASSERT(SKYWALK_CAPABLE(ifp))'); // L6256
    for (const kr of [na.krings!.tx, na.krings!.rx]) {
      kr.netifNotify = kr.naNotify; // L6304-6307, L6317-6320
      kr.naNotify = kr.tx ? 'nx_netif_na_notify_tx' : 'nx_netif_na_notify_rx';
    }
    yield* nxNetifSubEnable(g, nif, 'filter', true); // L6327
    yield* nxNetifSubEnable(g, nif, 'flow', true); // L6328
    yield* memAccess(na.mem, 'w', 'na_flags |= NAF_ACTIVE');
    na.active = true; // L6329
    na.use.send('ACTIVATE');
    yield* mutexEnter(ifp!.startLock, L(6332));
    const err = yield* handlerSet(g, ifp!, ifp!.ifStart, 'nx_netif_doorbell'); // L6333
    kassert(err === 0, () => `VERIFY(ifnet_set_start_handler(${ifp!.name}) == 0): got ${err}`); // L6334
    yield* mutexExit(ifp!.startLock, L(6335));
    return Errno.OK;
  }
  yield* memAccess(na.mem, 'w', 'na_flags &= ~NAF_ACTIVE');
  na.active = false; // L6347
  na.use.send('DEACTIVATE');
  yield* localAccess(g.ctlObj, 'w', 'NAF_ACTIVE');
  yield* nxNetifSubEnable(g, nif, 'flow', false); // L6348
  yield* nxNetifSubEnable(g, nif, 'filter', false); // L6349
  kassert(ifp !== null, 'na->na_ifp != NULL (NULL dereference)', 'NULL-DEREF');
  yield* mutexEnter(ifp.startLock, L(6357));
  if (!nxBug(ex, NO_G5)) {
    while (ifp.startActive !== 0) yield* cvWait(ifp.startCv, ifp.startLock, L(6360)); // msleep holding SK_LOCK
  }
  yield* handlerReset(g, ifp, ifp.ifStart); // L6365
  yield* mutexExit(ifp.startLock, L(6366));
  for (const kr of [na.krings!.tx, na.krings!.rx]) {
    kr.naNotify = kr.netifNotify ?? kr.naNotify; // L6369-6372, L6386-6389
    kr.netifNotify = null;
  }
  return Errno.OK;
}

/**
 * nx_netif_host_na_activate [ext nx_netif_host.c]. Entry and exit:
 * SK_LOCK held. ON: a kernel-only native host NA steers if_output to
 * netif (ifnet_set_output_handler), then NAF_ACTIVE. OFF: the output
 * handler is reset only if the NA is (still) kernel-only, then NAF_ACTIVE
 * is cleared: this is why special DISCONNECT must unbind before it clears
 * NAF_KERNEL_ONLY (G6).
 */
export function* nxNetifHostNaActivate(ex: Execution, g: NetifGlobals, na: NetifNa, on: boolean): KThread<number> {
  SK_LOCK_ASSERT_HELD(ex, g);
  const ifp = na.naIfp!;
  yield* memAccess(na.mem, 'w', 'na_flags');
  if (on) {
    if (na.kernelOnly) {
      yield* handlerSet(g, ifp, ifp.ifOutput, 'nx_netif_host_output');
      na.hostOutputSet = true;
    }
    na.active = true;
    na.use.send('ACTIVATE');
  } else {
    if (na.kernelOnly) {
      yield* handlerReset(g, ifp, ifp.ifOutput);
      na.hostOutputSet = false;
    }
    na.active = false;
    na.use.send('DEACTIVATE');
  }
  yield* localAccess(g.ctlObj, 'w', 'NAF_ACTIVE');
  return Errno.OK;
}

/** vp activate [ext nx_netif_vp.c]: NAF_ACTIVE and nif_vp_cnt under nif_lock (W). */
function* vpNaActivate(ex: Execution, g: NetifGlobals, na: NetifNa, on: boolean): KThread<number> {
  SK_LOCK_ASSERT_HELD(ex, g);
  yield* rwEnter(na.netif!.lock, 'RW_WRITER');
  yield* memAccess(na.mem, 'w', 'na_flags');
  na.active = on;
  na.use.send(on ? 'ACTIVATE' : 'DEACTIVATE');
  yield* localAccess(g.ctlObj, 'w', 'NAF_ACTIVE');
  yield* rwExit(na.netif!.lock);
  return Errno.OK;
}

/** na_activate: the NA's na_activate callback. */
function* naActivate(ex: Execution, g: NetifGlobals, na: NetifNa, on: boolean): KThread<number> {
  if (na.kind === 'dev') return yield* nxNetifNaActivate(ex, g, na, on);
  if (na.kind === 'host') return yield* nxNetifHostNaActivate(ex, g, na, on);
  return yield* vpNaActivate(ex, g, na, on);
}

/**
 * na_bind_channel [ext nexus_adapter.c]. Entry and exit: SK_LOCK held. The
 * first channel creates the krings; na_channels++; ON if not yet active.
 */
function* naBindChannel(ex: Execution, g: NetifGlobals, na: NetifNa, ch: Channel): KThread<number> {
  SK_LOCK_ASSERT_HELD(ex, g);
  yield* memAccess(na.mem, 'w', 'na_channels');
  if (na.channels === 0) {
    yield* naKringsCreate(ex, g, na);
    na.use.send('OWN');
  }
  na.channels++;
  ch.na = na;
  yield* localAccess(g.ctlObj, 'w', 'na_channels');
  if (!na.active) {
    const err = yield* naActivate(ex, g, na, true);
    if (err !== 0) {
      yield* naUnbindChannel(ex, g, ch);
      return err;
    }
  }
  return Errno.OK;
}

/**
 * na_unbind_channel [ext nexus_adapter.c]. Entry and exit: SK_LOCK held.
 * na_channels--; the last one tears the NA down (na_teardown: OFF, then
 * krings delete).
 */
function* naUnbindChannel(ex: Execution, g: NetifGlobals, ch: Channel): KThread<void> {
  SK_LOCK_ASSERT_HELD(ex, g);
  const na = ch.na!;
  yield* memAccess(na.mem, 'w', 'na_channels');
  kassert(na.channels > 0, () => `na_unbind_channel(${na.name}) with na_channels 0`);
  na.channels--;
  yield* localAccess(g.ctlObj, 'w', 'na_channels');
  if (na.channels > 0) return;
  if (na.active) yield* naActivate(ex, g, na, false);
  yield* naKringsDelete(ex, g, na);
  na.use.send('DISOWN');
}

/**
 * nx_netif_na_special_common, L6940-7002. Entry and exit: SK_LOCK held.
 * CONNECT: EBUSY if already kernel-only (L6954); NAF_KERNEL_ONLY is set
 * BEFORE the bind (L6960-6961), so that the host ON sees it; cleared if
 * the bind fails; NAF_SPEC_INIT on success. DISCONNECT: unbind, THEN clear
 * NAF_SPEC_INIT | NAF_KERNEL_ONLY (L6973-6975; mutant
 * nx-no-g6-spec-disconnect-order clears first). START/STOP: the rings out
 * of / into drop mode (L6978-6988).
 */
export function* nxNetifNaSpecialCommon(ex: Execution, g: NetifGlobals, na: NetifNa, ch: Channel, cmd: 'CONNECT' | 'DISCONNECT' | 'START' | 'STOP'): KThread<number> {
  SK_LOCK_ASSERT_HELD(ex, g);
  yield* memAccess(na.mem, 'w', 'na_flags');
  if (cmd === 'START' || cmd === 'STOP') {
    yield* naKrDrop(ex, g, na, cmd === 'STOP'); // L6979, L6983
    if (cmd === 'STOP') {
      kassert(ch.lock.owner === null || ch.lock.owner !== ex.currentThread(), 'LCK_MTX_ASSERT(&ch->ch_lock, LCK_MTX_ASSERT_NOTOWNED)'); // L6984
      yield* mutexEnter(ch.lock, L(6985));
      yield* localAccess(g.ctlObj, 'r', 'nxprov_advise_disconnect'); // L6986 (the provider's callback is abstracted)
      yield* mutexExit(ch.lock, L(6987));
    }
    return Errno.OK;
  }
  if (cmd === 'CONNECT') {
    if (na.kernelOnly) return Errno.EBUSY; // L6954-6957
    kassert(!na.specInit, 'ASSERT(!(na->na_flags & NAF_SPEC_INIT))');
    na.kernelOnly = true; // L6960
    const err = yield* naBindChannel(ex, g, na, ch); // L6961
    if (err !== 0) {
      na.kernelOnly = false; // L6963
      return err;
    }
    na.specInit = true; // L6966
    yield* localAccess(g.ctlObj, 'w', 'NAF_SPEC_INIT');
    return Errno.OK;
  }
  kassert(na.kernelOnly && na.channels > 0 && na.specInit, 'ASSERT(NA_KERNEL_ONLY(na) && na_channels > 0 && NAF_SPEC_INIT)'); // L6970-6972
  if (nxBug(ex, NO_G6)) {
    na.specInit = false;
    na.kernelOnly = false;
    yield* naUnbindChannel(ex, g, ch);
  } else {
    yield* naUnbindChannel(ex, g, ch); // L6973
    na.specInit = false; // L6974-6975
    na.kernelOnly = false;
  }
  yield* localAccess(g.ctlObj, 'w', 'NAF_KERNEL_ONLY');
  return Errno.OK;
}

/** netif_vp_na_create [ext nx_netif_vp.c]: a vp NA on the client port, retaining the nif and holding an ioref. Entry: SK_LOCK and nif_lock (W) held. */
function* netifVpNaCreate(ex: Execution, g: NetifGlobals, nx: Nexus, port: number): KThread<NetifNa> {
  const nif = nx.nif!;
  const na = new NetifNa(ex, new KMem(ex, `na ${nx.name}/vp${port}#${g.nas.length}`), 'vp', `${nx.name}/vp${port}#${g.nas.length}`, g.cov);
  g.nas.push(na);
  na.netif = nif;
  yield* nxNetifRetain(ex, g, nif);
  na.naIfp = nif.ifp;
  yield* ifnetIncrIorefcnt(g, nif.ifp!, `${na.name}.na_ifp`);
  na.m.send('BIND_IFP');
  return na;
}

/** What a channel open asks for (the chreq fields netif reads). */
export interface OpenReq {
  port: number;
  /** CHMODE_HOST. */
  hostMode?: boolean;
}

/**
 * nx_netif_na_find, L7007-7151. Entry and exit: SK_LOCK held. Port 0 must
 * be occupied (ENXIO, L7041; mutant nx-no-g3-na-find-port0) and the
 * interface SKYWALK_CAPABLE (ENOTSUP, L7046); DEV from user space is
 * refused unless allowed (here: only kernproc, L7065-7074); HOST is
 * kernproc only (L7084); a client port looks up or creates a vp NA under
 * NETIF_WLOCK (L7099-7122). An owned NA is EBUSY (L7130-7138; mutant
 * nx-no-g10-owned-busy), and the reference nx_port_alloc took for an
 * occupied client port is not given back (finding NX-4;
 * `fixNaFindRelease` releases it). Returns [errno, NA retained (L7141)].
 */
export function* nxNetifNaFind(ex: Execution, g: NetifGlobals, nx: Nexus, ch: Channel, req: OpenReq): KThread<[number, NetifNa | null]> {
  SK_LOCK_ASSERT_HELD(ex, g);
  yield* memAccess(nx.mem, 'r', 'nx_arg');
  const nif = nx.nif!;
  yield* memAccess(nif.mem, 'r', 'nif_ifp');
  if ((yield* nxPortGetNa(ex, g, nx, PORT_DEV)) === null && !nxBug(ex, NO_G3)) return [Errno.ENXIO, null]; // L7041-7044
  if (flag(ex, 'fixDetachInprogress') && nif.detaching) return [Errno.ENXIO, null]; // candidate fix of NX-1
  const ifp = nif.ifp; // L7045
  yield* localAccess(ifp?.naObj ?? g.ctlObj, 'r', 'if_capabilities');
  if (!skywalkCapable(ifp)) return [Errno.ENOTSUP, null]; // L7046-7050
  let na: NetifNa | null = null;
  let refonly = false;
  if (req.port === PORT_DEV) {
    if (!ch.kernproc) return [Errno.ENOTSUP, null]; // L7065-7074 (direct user DEV open not allowed)
    na = yield* nxPortGetNa(ex, g, nx, PORT_DEV); // L7080
  } else if (req.port === PORT_HOST) {
    if (!ch.kernproc) return [Errno.ENOTSUP, null]; // L7084-7087
    na = yield* nxPortGetNa(ex, g, nx, PORT_HOST); // L7093
  } else {
    yield* rwEnter(nif.lock, 'RW_WRITER', L(7099));
    let err: number;
    [err, na] = yield* nxPortAlloc(ex, g, nx, req.port, null); // L7100
    if (err !== 0) {
      yield* rwExit(nif.lock);
      return [err, null];
    }
    refonly = na !== null;
    if (na === null) {
      const vp = yield* netifVpNaCreate(ex, g, nx, req.port); // L7110
      [err, na] = yield* nxPortAlloc(ex, g, nx, req.port, vp); // L7116
      if (err !== 0) {
        yield* rwExit(nif.lock);
        return [err, null];
      }
    }
    yield* rwExit(nif.lock, L(7122));
  }
  kassert(na !== null, 'ASSERT(na != NULL)'); // L7128
  yield* memAccess(na.mem, 'r', 'na_channels, na_flags');
  if (na.ownedByAny && !nxBug(ex, NO_G10)) { // L7133
    if (refonly && flag(ex, 'fixNaFindRelease')) yield* naReleaseLocked(ex, g, na);
    return [Errno.EBUSY, null]; // L7135-7137: na = NULL, the refonly reference is leaked
  }
  yield* naRetainLocked(ex, g, na); // L7141
  return [Errno.OK, na];
}

/** na_connect / na_connect_spec [ext nexus_adapter.c]: find, then bind (or special CONNECT); the find's reference is released on failure. */
function* naConnect(ex: Execution, g: NetifGlobals, nx: Nexus, ch: Channel, req: OpenReq): KThread<number> {
  const [err, na] = yield* nxNetifNaFind(ex, g, nx, ch, req);
  if (err !== 0) return err;
  const e2 = ch.kernel ? yield* nxNetifNaSpecialCommon(ex, g, na!, ch, 'CONNECT') : yield* naBindChannel(ex, g, na!, ch);
  if (e2 !== 0) yield* naReleaseLocked(ex, g, na);
  return e2;
}

/**
 * nx_netif_dom_connect, L5340-5413. Entry and exit: SK_LOCK held. Port
 * checks (DEV refuses CHMODE_HOST, a kernel HOST channel needs it, L5356-
 * 5386), then na_connect_spec for kernel channels or na_connect; a
 * success marks the arena's slot descriptors busy (noidle +1, L5400-5409).
 */
export function* nxNetifDomConnect(ex: Execution, g: NetifGlobals, nx: Nexus, ch: Channel, req: OpenReq): KThread<number> {
  SK_LOCK_ASSERT_HELD(ex, g);
  if (req.port === PORT_DEV && req.hostMode) return Errno.EINVAL; // L5357-5361
  if (req.port === PORT_HOST && !req.hostMode && ch.kernel) return Errno.EINVAL; // L5365-5369
  const err = yield* naConnect(ex, g, nx, ch, req); // L5394-5398
  if (err === 0) g.noidle.set(ch, (g.noidle.get(ch) ?? 0) + 1); // L5407-5408
  return err;
}

/**
 * nx_netif_dom_disconnect, L5415-5438, with na_disconnect /
 * na_disconnect_spec [ext]. Entry and exit: SK_LOCK held. noidle -1
 * (L5430); special DISCONNECT or unbind; then the find's reference is
 * released; a client port is freed under NETIF_WLOCK, which drops the
 * port's reference on the vp NA [ext].
 */
export function* nxNetifDomDisconnect(ex: Execution, g: NetifGlobals, nx: Nexus, ch: Channel): KThread<void> {
  SK_LOCK_ASSERT_HELD(ex, g);
  g.noidle.set(ch, (g.noidle.get(ch) ?? 0) - 1); // L5430-5431
  const na = ch.na!;
  if (ch.kernel) yield* nxNetifNaSpecialCommon(ex, g, na, ch, 'DISCONNECT'); // L5433-5434
  else yield* naUnbindChannel(ex, g, ch); // L5436
  ch.na = null;
  yield* naReleaseLocked(ex, g, na);
  if (ch.port >= PORT_CLIENT && na.channels === 0) {
    yield* rwEnter(nx.nif!.lock, 'RW_WRITER');
    const occupant = yield* nxPortGetNa(ex, g, nx, ch.port);
    if (occupant === na) {
      yield* nxPortFree(ex, g, nx, ch.port);
      yield* naReleaseLocked(ex, g, na); // the port's reference
    }
    yield* rwExit(nx.nif!.lock);
  }
}

/**
 * ch_open / ch_open_special [ext channel.c]. Entry and exit: no lock held.
 * Under SK_LOCK: nx_find refuses a closed or detached nexus (ENOENT);
 * nxdom_connect; on success the channel joins nx_ch_head (nx_ch_count++:
 * fsw's special channels are opened with nonxref FALSE and count too).
 */
export function* chOpen(ex: Execution, g: NetifGlobals, nx: Nexus, name: string, req: OpenReq, kernel: boolean, kernproc = true): KThread<Channel | null> {
  yield* mutexEnter(g.skLock);
  const ch = new Channel(ex, name, nx, req.port, kernel, kernproc, g.cov);
  g.channels.push(ch);
  let err: number;
  if (!nx.attached || nx.closed) err = 2; // ENOENT
  else err = yield* nxNetifDomConnect(ex, g, nx, ch, req);
  if (err === 0) {
    nx.channels.push(ch);
    nx.chCount++;
    ch.m.send('CONNECT');
    yield* localAccess(g.ctlObj, 'w', 'nx_ch_count');
  } else ch.m.send('FAIL');
  yield* mutexExit(g.skLock);
  g.results.set(name, err);
  return err === 0 ? ch : null;
}

/**
 * ch_close [ext channel.c]. Entry and exit: no lock held. Under SK_LOCK,
 * then ch_lock (the order SK_LOCK -> ch_lock): nxdom_disconnect; then,
 * ch_lock dropped, the channel leaves nx_ch_head (nx_ch_count--), and the
 * last regular channel of a closed nexus detaches it.
 */
export function* chClose(ex: Execution, g: NetifGlobals, ch: Channel): KThread<void> {
  yield* mutexEnter(g.skLock);
  const nx = ch.nx;
  yield* mutexEnter(ch.lock);
  yield* nxNetifDomDisconnect(ex, g, nx, ch);
  yield* mutexExit(ch.lock);
  nx.channels.splice(nx.channels.indexOf(ch), 1);
  nx.chCount--;
  ch.m.send('CLOSE');
  yield* localAccess(g.ctlObj, 'w', 'nx_ch_count');
  if (nx.closed && nx.chCount === 0) yield* nxDetach(ex, g, nx);
  yield* mutexExit(g.skLock);
}

/**
 * nx_netif_prov_nx_stop, L4679-4730 (kern_nexus_stop). Entry and exit:
 * SK_LOCK held. The dev NA is used unchecked (L4682, R7); all its rings
 * into drop mode (na_kr_drop, L4689), then every notify pointer swapped to
 * nx_netif_na_notify_drop (CAS loops with membar_sync, L4695-4723). No
 * mitigation is configured in the scenarios, so L4702-4728 free nothing.
 */
export function* nxNetifProvNxStop(ex: Execution, g: NetifGlobals, nx: Nexus): KThread<number> {
  SK_LOCK_ASSERT_HELD(ex, g);
  const na = yield* nxPortGetNa(ex, g, nx, PORT_DEV); // L4682
  kassert(na !== null, 'nx_port_get_na(nx, DEV) != NULL (NULL dereference, L4682)', 'NULL-DEREF');
  yield* naKrDrop(ex, g, na, true); // L4689
  for (const kr of [na.krings!.tx, na.krings!.rx]) {
    yield* memAccess(kr.mem, 'w', `${kr.name}.ckr_na_notify`);
    kr.naNotify = 'nx_netif_na_notify_drop'; // L4696-4700, L4714-4718
  }
  yield* localAccess(g.ctlObj, 'w', 'ckr_na_notify');
  return Errno.OK;
}

/** kern_nexus_stop [ext nexus.c]: nx_stop under SK_LOCK. Entry and exit: no lock held. */
export function* kernNexusStop(ex: Execution, g: NetifGlobals, nx: Nexus): KThread<void> {
  yield* mutexEnter(g.skLock);
  g.results.set('nx_stop', yield* nxNetifProvNxStop(ex, g, nx));
  yield* mutexExit(g.skLock);
}

/**
 * nx_netif_dom_bind_port, L5271-5323. Entry and exit: whatever the caller
 * holds (SK_LOCK from nxctl, nothing from the netagent path [ext
 * nx_netif_netagent.c]); NETIF_WLOCK around the bind (L5294-5310). An
 * explicit port binds it; PORT_ANY finds a free one in [2, max) and binds
 * it, which may grow (reallocate) nx_ports. Returns [errno, port].
 */
export function* nxNetifDomBindPort(ex: Execution, g: NetifGlobals, nx: Nexus, port: number, maxPorts: number): KThread<[number, number]> {
  const nif = nx.nif!;
  const first = PORT_CLIENT; // L5290
  const last = maxPorts; // L5291
  yield* rwEnter(nif.lock, 'RW_WRITER', L(5294));
  let error: number;
  if (first === last) error = Errno.ENOMEM; // L5296-5297
  else if (port !== PORT_ANY) error = yield* nxPortBindInfo(ex, g, nx, port); // L5298-5299
  else {
    [error, port] = yield* nxPortFind(ex, g, nx, first, last - 1); // L5302
    kassert(error !== 0 || (port >= first && port < last), 'ASSERT(port >= first && port < last)'); // L5303
    if (error === 0) error = yield* nxPortBindInfo(ex, g, nx, port); // L5305
  }
  yield* rwExit(nif.lock, L(5310));
  return [error, port];
}

/** nx_netif_dom_unbind_port, L5325-5338: NETIF_WLOCK around nx_port_unbind. */
export function* nxNetifDomUnbindPort(ex: Execution, g: NetifGlobals, nx: Nexus, port: number): KThread<number> {
  kassert(port !== PORT_ANY, 'ASSERT(nx_port != NEXUS_PORT_ANY)');
  yield* rwEnter(nx.nif!.lock, 'RW_WRITER', L(5333));
  const err = yield* nxPortUnbind(ex, g, nx, port);
  yield* rwExit(nx.nif!.lock, L(5335));
  return err;
}
