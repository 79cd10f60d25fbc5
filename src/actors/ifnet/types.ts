/**
 * Objects of the FreeBSD if.c model (the 2008-2009 code the if.c commit log
 * describes; "log L278" cites a line of that log). One vnet: the V_ globals
 * are fields of IfnetGlobals.
 *
 * Locking, as the fixed code has it:
 *  - ifnet_lock (IFNET_RLOCK/WLOCK; an rwlock here, as the ifindex commit
 *    plans at log L295-296) protects V_ifnet (the list of attached ifnets),
 *    the pointer V_ifindex_table and its slots, V_if_index and
 *    V_if_indexlim.
 *  - if_refcount (after the ifunit_ref commit) is atomic: refcount(9),
 *    no lock.
 *  - if_flags' IFF_DYING is set by if_free_type with no lock ("XXX:
 *    Locking" in the code) and read by ifunit_ref under IFNET_RLOCK.
 */
import type { Execution, Thread } from '../../core/execution.ts';
import { opaqueToGuard } from '../../core/guard.ts';
import { KMem } from '../../locks/kmem.ts';
import { KMutex } from '../../locks/kmutex.ts';
import { KRwlock } from '../../locks/krwlock.ts';
import type { KTaskq } from '../../locks/taskq.ts';
import type { KRefcount } from '../../locks/refcount.ts';
import { MachineCoverage, MachineRef } from '../machine.ts';
import { ifindexSlotMachine, ifmaMachine, ifnetMachine } from './machines.ts';
import { Mtx } from './mtx.ts';
import type { Vnet } from './vnet.ts';
import type { RtTables } from './route.ts';
import type { Lltable } from './lltable.ts';
import type { LaggPort, LaggSoftc } from './lagg.ts';

/** struct ifnet: the fields the model needs. */
export class Ifnet {
  /** if_index: written once by if_alloc (before publication), read freely after. */
  index = 0;
  /** IFF_DYING in if_flags (if_free_type, unlocked). */
  dying = false;
  /** if_refcount (after the ifunit_ref commit; null before it: no refcount existed). */
  ref: KRefcount | null = null;
  /** if_idxgen: the generation of the slot when this ifnet took it (ifnet_byindexgen). */
  idxgen = 0;
  /** Ghost: threads holding this pointer outside ifnet_lock, and whether each holds a reference. */
  readonly holders = new Map<Thread, boolean>();
  /** IFF_NEEDSGIANT in if_flags: the driver needs Giant (constant after attach). */
  needsGiant = false;
  /** if_starttask's ta_pending: the task is queued (taskqueue_enqueue coalesces); protected by the taskqueue. */
  starttaskQueued = false;
  /** Ghost: tasks queued or running that will use this ifnet (TQ-1). */
  pendingTasks = 0;
  /** if_snd.ifq_mtx (IFQ_LOCK): protects ifqLen; initialised by if_attach (log L298-300). */
  readonly ifqLock: Mtx;
  /** if_snd.ifq_len; protected by ifqLock. */
  ifqLen = 0;
  /** IF_ADDR_LOCK(ifp): protects if_multiaddrs and every ifma_refcount on it. Lives in the ifnet. */
  readonly addrLock: KMutex;
  /** if_multiaddrs; protected by addrLock. */
  readonly multiaddrs: Ifma[] = [];
  /** Ghost: every ifma ever allocated for this ifnet (the tests compare their machines with their memory). */
  readonly everMulti: Ifma[] = [];
  /** if_vnet: the vnet the ifnet is attached in (VNET model); constant here (no if_vmove). */
  ifVnet: Vnet | null = null;
  /** if_label: the MAC framework's label (mac_ifnet_init/destroy), in the scenarios with MAC (IfnetGlobals.mac); read by the MAC checks without the ifnet lock. */
  label: KMem | null = null;
  /** if_link_state: written by the driver (if_link_state_change), read by if_linktask; no lock. */
  linkState = 0;
  /** if_lagg: the lagg_port this ifnet is (lagg.ts); written under the lagg softc lock. */
  ifLagg: LaggPort | null = null;
  /**
   * Ghost: lagg(4) is loaded and this ifnet may be a port of this softc.
   * While null nobody writes if_lagg, so do_link_state_change's read of it
   * commutes with everything and is no scheduling point (left out).
   */
  laggSc: LaggSoftc | null = null;
  readonly m: MachineRef;
  constructor(
    ex: Execution,
    readonly mem: KMem,
    /** if_xname, constant. */
    readonly name: string,
    readonly cov: MachineCoverage,
  ) {
    this.m = new MachineRef(ifnetMachine(), `ifnet ${name}`, cov);
    this.addrLock = new KMutex(ex, `${name}.if_addr_mtx`, { mem, cls: 'if_addr_mtx' });
    this.ifqLock = new Mtx(ex, `${name}.if_snd.ifq_mtx`, 'ifq_mtx', mem);
    opaqueToGuard(this.everMulti);
  }
}

/**
 * struct sockaddr_dl as far as equality goes: sdl_alen and the link-level
 * address are the identity; sdl_index and sdl_nlen are further bytes of
 * the structure that differ with who built it (a kernel resolution fills
 * in the interface index, userland leaves 0).
 */
export interface SockaddrDl {
  readonly alen: number;
  readonly lladdr: string;
  readonly index: number;
  readonly nlen: number;
}

/** struct ifmultiaddr (AF_LINK only: no ifma_llifma companion). */
export class Ifma {
  /** ifma_refcount; protected by IF_ADDR_LOCK(ifma_ifp). */
  refcount = 1;
  /** Ghost: references taken by userland SIOCADDMULTI (MC-6). */
  userRefs = 0;
  /** ifma_llifma: the link-layer membership a network-layer one holds a reference on; constant after if_addmulti. */
  llifma: Ifma | null = null;
  /** The membership machine (machines.ts): ALLOCATED, LINKED, ORPHANED, UNLINKED, FREED. */
  readonly m: MachineRef;
  constructor(
    readonly mem: KMem,
    /** ifma_addr, constant. */
    readonly addr: SockaddrDl,
    /** ifma_ifp; NULL once the ifnet is purged. */
    public ifp: Ifnet | null,
    cov: MachineCoverage | null = ifp ? ifp.cov : null,
  ) {
    this.m = new MachineRef(ifmaMachine(), mem.name, cov);
    ifp?.everMulti.push(this);
  }
}

/** The array V_ifindex_table points to: malloc'ed by if_grow, freed by the next if_grow. */
export class IfindexTable {
  /** ife_ifnet of each slot (slot 0 is never used); protected by ifnet_lock. */
  readonly ents: (Ifnet | null)[];
  constructor(
    readonly mem: KMem,
    readonly lim: number,
  ) {
    this.ents = new Array<Ifnet | null>(lim).fill(null);
  }
}

export class IfnetGlobals {
  /** ifnet_lock (IFNET_RLOCK/IFNET_WLOCK). */
  readonly ifnetLock: KRwlock;
  /** V_ifindex_table (the pointer; protected by ifnet_lock). */
  table: IfindexTable;
  /** V_if_index: the highest index in use; protected by ifnet_lock. */
  ifIndex = 0;
  /** V_if_indexlim: the number of slots of the table; protected by ifnet_lock. */
  ifIndexLim: number;
  /** V_ifnet: the attached ifnets, in attach order; protected by ifnet_lock. */
  readonly ifnet: Ifnet[] = [];
  /** if_idxgen of each slot (ifnet_byindexgen), bumped at every publication; protected by ifnet_lock. */
  readonly slotGen: number[];
  /** The slot machine of each index used so far (machines.ts), made at its first use. */
  private readonly slotRefs: MachineRef[] = [];
  /** Ghost object for the words V_ifindex_table, V_if_index, V_if_indexlim (unlocked accesses in the old variants). */
  readonly globalsObj: number;
  /**
   * Ghost object written at every change of the table, V_if_index, V_ifnet,
   * an ifnet's state or its holders: what the IDX-* and REF-* invariants
   * watch.
   */
  readonly idxObj: number;
  /** Ghost object written at every change of an if_multiaddrs list or an ifma's counts (MC-*). */
  readonly mcObj: number;
  /** Ghost: every ifnet ever allocated, in allocation order. */
  readonly all: Ifnet[] = [];
  /** Ghost: results of index resolutions, for IDX-5 (bound = what the holder meant). */
  readonly resolutions: { who: string; idx: number; bound: Ifnet; got: Ifnet | null }[] = [];
  /** Ghost: result (errno) of each named operation. */
  readonly results = new Map<string, number>();
  readonly cov: MachineCoverage;
  /** Giant, and taskqueue_swi_giant (its worker runs tasks holding Giant); made by the scenarios that use them. */
  giant: KMutex | null = null;
  /** The MAC framework is compiled in: ifnets carry a label (log L497-512). */
  mac = false;
  /** Candidate fix of FB-4 (fixMcastOwnership): if_multiaddrs holds its own reference on each ifma. */
  mcastListRef = false;
  /** V_rt_tables, made by the scenarios that have routes (if_detach purges them then). */
  rt: RtTables | null = null;
  /** The AF_INET lltable of one ifnet, made by the scenarios with L2 entries (if_detach's dom_ifdetach frees it then). */
  llt: Lltable | null = null;
  swiGiant: KTaskq | null = null;
  private tables = 0;
  constructor(
    readonly ex: Execution,
    lim: number,
  ) {
    this.ifnetLock = new KRwlock(ex, 'ifnet_lock');
    this.globalsObj = ex.newObject('V_ifindex_table/V_if_index/V_if_indexlim', 'ghost');
    this.idxObj = ex.newObject('ifindex ghost', 'ghost');
    this.mcObj = ex.newObject('multicast ghost', 'ghost');
    this.cov = MachineCoverage.of(ex.options.run);
    this.ifIndexLim = lim;
    this.table = this.newTable(lim);
    this.slotGen = new Array<number>(64).fill(0);
    // Ghost: the specs read every ifnet ever allocated as a set; where two
    // racing if_allocs appended is not model state (the guard ignores it).
    opaqueToGuard(this.all);
    opaqueToGuard(this.slotRefs);
  }
  /** The machine of slot idx (made FREE at its first use). */
  slot(idx: number): MachineRef {
    return (this.slotRefs[idx] ??= new MachineRef(ifindexSlotMachine(), `ifindex_table[${idx}]`, this.cov));
  }
  /** A fresh ifindex_table array of `lim` slots (its memory is a ghost KMem). */
  newTable(lim: number): IfindexTable {
    return new IfindexTable(new KMem(this.ex, `ifindex_table#${this.tables++}[${lim}]`), lim);
  }
}

/** errno values the model returns. */
export const Errno = { OK: 0, ENXIO: 6, ENOMEM: 12, ENOSPC: 28, EADDRINUSE: 48 } as const;
