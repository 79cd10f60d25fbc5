/**
 * The nexus, the nif and the NA lifetimes: nx_netif_alloc/retain/release/
 * destroy (L7198-7257), nx_netif_prov_nx_ctor/dtor (L5093-5155),
 * nx_netif_na_dtor (L6014-6043), na_netif_free (L5498-5512), and the
 * generic nexus code netif relies on [ext nexus.c, nexus_adapter.c]:
 * the port table (nx_port_alloc/free/get_na/bind_info/find/unbind/grow),
 * na_retain_locked/na_release_locked, nx_close/nx_detach.
 *
 * Every function here runs with SK_LOCK held unless it says otherwise; the
 * port-table helpers record the locks held at each access (PORT-1 is the
 * Eraser lockset check of invariant 40: every access of nx_ports must be
 * ordered by a lock common to all of them).
 */
import type { KThread } from '../../core/effect.ts';
import { kassert } from '../../core/errors.ts';
import type { Execution } from '../../core/execution.ts';
import { localAccess } from '../../core/ops.ts';
import { KMem, kmemFree, memAccess } from '../../locks/kmem.ts';
import { MUTEX_HELD } from '../../locks/kmutex.ts';
import { refHold, refRele } from '../../locks/refcount.ts';
import { ifnetDecrIorefcnt } from './dlil.ts';
import { Errno, L, type NetifNa, Nexus, Nif, PortTable, type NetifGlobals } from './types.ts';

export const SK_LOCK_ASSERT_HELD = (ex: Execution, g: NetifGlobals): void => kassert(MUTEX_HELD(ex, g.skLock), 'SK_LOCK_ASSERT_HELD()');

/** Ghost: record an access of nx's port table with the locks the running thread holds (PORT-1). */
function* portAccess(ex: Execution, g: NetifGlobals, nx: Nexus, write: boolean, what: string): KThread<void> {
  yield* memAccess(nx.ports.mem, write ? 'w' : 'r', what);
  const held = new Set(ex.currentThread().held.map((h) => h.cls));
  let ls = g.portLockset.get(nx);
  if (!ls) g.portLockset.set(nx, (ls = { locks: null, threads: new Set(), write: false, last: '' }));
  ls.locks = ls.locks === null ? held : new Set([...ls.locks].filter((c) => held.has(c)));
  ls.threads.add(g.who());
  ls.write ||= write;
  ls.last = `${g.who()} ${write ? 'writes' : 'reads'} ${what} holding {${[...held].join(', ')}}`;
  yield* localAccess(g.ctlObj, 'w', 'nx_ports lockset');
}

/** nx_port_get_na [ext nexus.c]: the NA occupying `port`, or NULL. */
export function* nxPortGetNa(ex: Execution, g: NetifGlobals, nx: Nexus, port: number): KThread<NetifNa | null> {
  yield* portAccess(ex, g, nx, false, `nx_ports[${port}].npi_nah`);
  return port < nx.ports.lim ? nx.ports.slots[port]!.na : null;
}

/**
 * nx_port_alloc(nx, port, nxb, &na, p) [ext nexus.c]. With *na set:
 * install it at `port` (the port must not be occupied). With *na NULL: if
 * the port is occupied, return its NA with a reference taken ("refonly"),
 * else return 0 with *na still NULL (the caller creates one and calls
 * again). Returns [errno, na].
 */
export function* nxPortAlloc(ex: Execution, g: NetifGlobals, nx: Nexus, port: number, na: NetifNa | null): KThread<[number, NetifNa | null]> {
  yield* portAccess(ex, g, nx, true, `nx_ports[${port}] (nx_port_alloc)`);
  const s = nx.ports.slots[port]!;
  if (na !== null) {
    if (s.na !== null) return [17 /* EEXIST */, null];
    s.na = na;
    na.m.send('PUBLISH');
    if (na.kind === 'vp') na.refcount++; // the port's reference [ext]
    yield* localAccess(g.ctlObj, 'w', 'nx_ports');
    return [Errno.OK, na];
  }
  if (s.na !== null) {
    s.na.refcount++; // na_retain_locked (refonly) [ext]
    yield* localAccess(g.ctlObj, 'w', 'na_refcount');
    return [Errno.OK, s.na];
  }
  return [Errno.OK, null];
}

/** nx_port_free [ext nexus.c]: the slot becomes free (bit set in the bitmap); the NA is unpublished. */
export function* nxPortFree(ex: Execution, g: NetifGlobals, nx: Nexus, port: number): KThread<void> {
  yield* portAccess(ex, g, nx, true, `nx_ports[${port}] (nx_port_free)`);
  const s = nx.ports.slots[port]!;
  if (s.na !== null && !s.na.mem.freed) s.na.m.send('UNPUBLISH');
  s.na = null;
  s.bound = false;
  yield* localAccess(g.ctlObj, 'w', 'nx_ports');
}

/** nx_port_grow [ext nexus.c]: realloc nx_ports and its bitmap to `lim` slots; the old array is freed. */
function* nxPortGrow(ex: Execution, g: NetifGlobals, nx: Nexus, lim: number): KThread<void> {
  const old = nx.ports;
  const nt: PortTable = g.newPortTable(nx, lim);
  yield* portAccess(ex, g, nx, false, 'nx_ports (copy)');
  old.slots.forEach((s, i) => (nt.slots[i] = { ...s }));
  yield* kmemFree(old.mem);
  nx.ports = nt;
  yield* portAccess(ex, g, nx, true, 'nx_ports = new');
}

/** nx_port_bind_info [ext nexus.c]: bind `port` (growing the table if it is past the end); EEXIST if taken. */
export function* nxPortBindInfo(ex: Execution, g: NetifGlobals, nx: Nexus, port: number): KThread<number> {
  if (port >= nx.ports.lim) yield* nxPortGrow(ex, g, nx, Math.max(port + 1, nx.ports.lim * 2));
  yield* portAccess(ex, g, nx, true, `nx_ports[${port}].npi_nxb`);
  const s = nx.ports.slots[port]!;
  if (s.bound || s.na !== null) return 17; // EEXIST
  s.bound = true;
  return Errno.OK;
}

/** nx_port_find [ext nexus.c]: the first free port in [first, last], possibly one past the table (a grow follows). */
export function* nxPortFind(ex: Execution, g: NetifGlobals, nx: Nexus, first: number, last: number): KThread<[number, number]> {
  yield* portAccess(ex, g, nx, false, 'nx_ports bitmap (nx_port_find)');
  for (let p = first; p <= last; p++) {
    if (p >= nx.ports.lim) return [Errno.OK, p];
    const s = nx.ports.slots[p]!;
    if (!s.bound && s.na === null) return [Errno.OK, p];
  }
  return [Errno.ENOMEM, -1];
}

/** nx_port_unbind [ext nexus.c]. */
export function* nxPortUnbind(ex: Execution, g: NetifGlobals, nx: Nexus, port: number): KThread<number> {
  yield* portAccess(ex, g, nx, true, `nx_ports[${port}].npi_nxb (unbind)`);
  const s = nx.ports.slots[port];
  if (!s || !s.bound) return 2; // ENOENT
  s.bound = false;
  return Errno.OK;
}

/** nx_netif_alloc, L7198-7215. Entry and exit: SK_LOCK held. nif_lock initialised, nif_refcnt = 1. */
export function nxNetifAlloc(ex: Execution, g: NetifGlobals, name: string): Nif {
  SK_LOCK_ASSERT_HELD(ex, g);
  const n = new Nif(ex, new KMem(ex, `nif ${name}`), name, g.cov);
  g.nifs.push(n);
  return n;
}

/** nx_netif_retain, L7242-7251. Entry: SK_LOCK held; retaining from 0 is not allowed (L7246-7247). */
export function* nxNetifRetain(ex: Execution, g: NetifGlobals, n: Nif): KThread<void> {
  SK_LOCK_ASSERT_HELD(ex, g);
  yield* memAccess(n.mem, 'w', 'nif_refcnt');
  kassert(n.refcnt >= 1, () => `os_ref_get_count(&${n.name}.nif_refcnt) >= 1`, 'NIF-REF');
  yield* refHold(n.ref);
}

/** nx_netif_release, L7230-7239 (and nx_netif_free, L7254-7257). The last release runs nx_netif_destroy. */
export function* nxNetifRelease(ex: Execution, g: NetifGlobals, n: Nif): KThread<void> {
  SK_LOCK_ASSERT_HELD(ex, g);
  yield* memAccess(n.mem, 'w', 'nif_refcnt');
  kassert(n.refcnt > 0, () => `os_ref_release(&${n.name}.nif_refcnt) below zero`, 'NIF-REF');
  if ((yield* refRele(n.ref)) === 0) yield* nxNetifDestroy(ex, g, n);
}

/** nx_netif_destroy, L7218-7227: refcount 0; destroys nif_lock and frees the nif. */
function* nxNetifDestroy(_ex: Execution, g: NetifGlobals, n: Nif): KThread<void> {
  kassert(n.refcnt === 0, 'os_ref_get_count(&n->nif_refcnt) == 0');
  n.m.send('FREE');
  yield* kmemFree(n.mem, L(7226));
  yield* localAccess(g.ctlObj, 'w', 'nif freed');
}

/** na_retain_locked [ext nexus_adapter.c]. Entry: SK_LOCK held. */
export function* naRetainLocked(ex: Execution, g: NetifGlobals, na: NetifNa): KThread<void> {
  SK_LOCK_ASSERT_HELD(ex, g);
  yield* memAccess(na.mem, 'w', 'na_refcount');
  na.refcount++;
  yield* localAccess(g.ctlObj, 'w', 'na_refcount');
}

/**
 * na_release_locked [ext nexus_adapter.c]. Entry: SK_LOCK held. The last
 * release runs na_dtor (nx_netif_na_dtor) and na_free (na_netif_free).
 * `na` NULL is the NULL dereference the C code would take.
 */
export function* naReleaseLocked(ex: Execution, g: NetifGlobals, na: NetifNa | null, site?: string): KThread<boolean> {
  SK_LOCK_ASSERT_HELD(ex, g);
  kassert(na !== null, () => `na_release_locked(NULL)${site ? ` at ${site}` : ''} (NULL dereference)`, 'NULL-DEREF');
  yield* memAccess(na.mem, 'w', 'na_refcount', false, site);
  kassert(na.refcount > 0, () => `na_release_locked(${na.name}) with na_refcount ${na.refcount}`);
  if (--na.refcount > 0) {
    yield* localAccess(g.ctlObj, 'w', 'na_refcount');
    return false;
  }
  yield* nxNetifNaDtor(ex, g, na);
  yield* naNetifFree(ex, g, na);
  return true;
}

/**
 * nx_netif_na_dtor, L6014-6043. Entry: SK_LOCK held. Picks the embryonic
 * ifnet from na_private if finalize never ran, else drops na_ifp's ioref
 * (L6034); drops the NA's nif retain (L6038-6041).
 */
export function* nxNetifNaDtor(ex: Execution, g: NetifGlobals, na: NetifNa): KThread<void> {
  SK_LOCK_ASSERT_HELD(ex, g);
  if (na.naIfp === null) {
    na.naPrivate = null; // L6030-6032
  } else {
    yield* ifnetDecrIorefcnt(g, na.naIfp, `${na.name}.na_ifp`); // L6034
    na.naIfp = null;
  }
  if (na.netif !== null) {
    yield* nxNetifRelease(ex, g, na.netif); // L6038-6041
    na.netif = null;
  }
}

/** na_netif_free, L5498-5512. Entry: SK_LOCK held; na_refcount 0 (L5506). */
export function* naNetifFree(ex: Execution, g: NetifGlobals, na: NetifNa): KThread<void> {
  SK_LOCK_ASSERT_HELD(ex, g);
  kassert(na.refcount === 0, 'na->na_refcount == 0', 'NA-FREE');
  na.m.send('RELEASE');
  yield* kmemFree(na.mem, L(5511));
  yield* localAccess(g.ctlObj, 'w', 'na freed');
}

/**
 * nx_netif_prov_nx_ctor, L5093-5122 (through nx_create [ext nexus.c]).
 * Entry and exit: SK_LOCK held. No advisory region (no user-channel
 * provider in the scenarios).
 */
export function nxCreate(ex: Execution, g: NetifGlobals, name: string, portLim = 4): Nexus {
  // Scenario setup: as if nx_create had run under SK_LOCK (nx_netif_alloc, L5105).
  const nif = new Nif(ex, new KMem(ex, `nif ${name}`), name, g.cov);
  g.nifs.push(nif);
  const nx = new Nexus(ex, new KMem(ex, `nexus ${name}`), name, nif, portLim, g);
  g.nexuses.push(nx);
  return nx;
}
