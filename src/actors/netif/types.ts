/**
 * Objects of the XNU skywalk netif nexus model (nx_netif.c of xnu-8020,
 * "nx_netif.c L<n>" cites a line of the seed file; callees the seed does
 * not contain are marked [ext file] and modelled only as far as their
 * locking and lifetime go).
 *
 * Locking, as the C code has it:
 *  - SK_LOCK (sk_lock, a sleep mutex) protects all of the control plane:
 *    the nexus flags and channel count, ports 0/1, every NA's refcount,
 *    channel count and flags, nif_uuid, nif_ifp, ifp->if_na; it is
 *    dropped and retaken by nx_netif_ctl_detach around the datamov drain
 *    (L5655-5658).
 *  - nif_lock (NETIF_WLOCK/RLOCK, an rwlock) protects the client-port
 *    half of the port table and nif_vp_cnt; attach takes it around the
 *    publication of nif_ifp and ports 0/1 (L6622-6631), detach does not
 *    (L5671-5672).
 *  - if_ref_lock (dlil) protects if_refio, if_datamov, if_suspend and
 *    IFRF_READY; if_start_lock protects if_start_active, if_start_req,
 *    if_start_waiters and the if_start handler slot.
 *  - ifnet_lock (exclusive) protects if_capabilities (IFCAP_SKYWALK).
 *  - Each ring's busy right (kr_enter/kr_exit) protects its slots;
 *    CKRF_DROP is set under it by na_kr_drop and read under it by the
 *    data path.
 *  - NAF_ACTIVE, NAF_KERNEL_ONLY, NAF_SPEC_INIT are set and cleared with
 *    atomics under SK_LOCK and read by the data path with no lock.
 */
import type { Execution, Thread } from '../../core/execution.ts';
import { KCondvar } from '../../locks/kcondvar.ts';
import { KMem } from '../../locks/kmem.ts';
import { KMutex } from '../../locks/kmutex.ts';
import { KRwlock } from '../../locks/krwlock.ts';
import { KRefcount } from '../../locks/refcount.ts';
import { MachineCoverage, MachineRef } from '../machine.ts';
import { channelMachine, naMachine, naUseMachine, nexusMachine, nifMachine } from './machines.ts';

/** 'nx_netif.c L6332' (seed line numbers). */
export const L = (n: number | string): string => `nx_netif.c L${n}`;

/**
 * A boolean scenario parameter, false when the scenario does not declare
 * it (candidate fixes and fault injection are declared only by the
 * scenarios they concern).
 */
export function flag(ex: Execution, name: string): boolean {
  return ex.options.params[name] === true;
}

/** errno values the model returns (XNU numbering). */
export const Errno = { OK: 0, ESRCH: 3, ENXIO: 6, ENOMEM: 12, EBUSY: 16, ENODEV: 19, EINVAL: 22, ENOTSUP: 45, EALREADY: 37 } as const;

/** NEXUS_PORT_NET_IF_DEV / _HOST / the first client port (L4555-4557). */
export const PORT_DEV = 0;
export const PORT_HOST = 1;
export const PORT_CLIENT = 2;
/** NEXUS_PORT_ANY. */
export const PORT_ANY = -1;

/**
 * A redirectable ifnet handler slot (if_start, if_output) [ext dlil.c]:
 * set is a compare-and-swap from the saved original (EBUSY if another
 * handler is installed); reset stores the original back.
 */
export class HandlerSlot {
  current: string;
  constructor(
    readonly name: string,
    readonly original: string,
  ) {
    this.current = original;
  }
  get redirected(): boolean {
    return this.current !== this.original;
  }
}

/** A kernel channel ring (__kern_channel_ring): its busy right, CKRF_DROP and notify pointers. */
export class Kring {
  /** kr_enter/kr_exit busy right (owner; try or sleep). */
  readonly busy: KMutex;
  /** CKRF_DROP; written under the busy right (na_kr_drop), read under it by the data path. */
  drop = false;
  /** ckr_na_notify (atomic pointer): the adapter's default notify until ON intercepts it. */
  naNotify: string;
  /** Ghost: the data-path thread inside the busy right past its KR_DROP check (DATA-1). */
  inside: string | null = null;
  /** ckr_netif_notify: the saved pre-ON notify (L6304-6307); NULL outside ON..OFF. */
  netifNotify: string | null = null;
  constructor(
    ex: Execution,
    readonly name: string,
    /** The krings array this ring lives in (freed by na_krings_delete). */
    readonly mem: KMem,
    readonly tx: boolean,
  ) {
    this.busy = new KMutex(ex, `${name}.kr_busy`, { cls: 'kr_busy', mem });
    this.naNotify = tx ? 'netif_tx_notify_default' : 'netif_rx_notify_default';
  }
}

export type NaKind = 'dev' | 'host' | 'vp';

/** struct nexus_netif_adapter (nifna) overlaid on struct nexus_adapter. */
export class NetifNa {
  /** na_refcount; protected by SK_LOCK (na_retain_locked/na_release_locked). */
  refcount = 0;
  /** na_channels: channels bound; protected by SK_LOCK. */
  channels = 0;
  /** NAF_ACTIVE (atomic; set by ON L6329, cleared by OFF L6347). */
  active = false;
  /** NAF_KERNEL_ONLY and NAF_SPEC_INIT (atomics under SK_LOCK, L6960-6975). */
  kernelOnly = false;
  specInit = false;
  /** na_ifp (holds an ioref) and na_private (an embryonic ifnet, no ioref); protected by SK_LOCK. */
  naIfp: XIfnet | null = null;
  naPrivate: XIfnet | null = null;
  /** nifna_netif: a retain on the nif (L6458-6459). */
  netif: Nif | null = null;
  /** The krings (na_krings_create at the first bind, deleted at teardown) [ext nexus_adapter.c]. */
  krings: { mem: KMem; tx: Kring; rx: Kring } | null = null;
  /** Ghost: the output handler the host ON installed (kernel-only host), for HANDLER specs. */
  hostOutputSet = false;
  /** Publication (machine nx-na) and use by channels (nx-na-use). */
  readonly m: MachineRef;
  readonly use: MachineRef;
  constructor(
    readonly ex: Execution,
    readonly mem: KMem,
    readonly kind: NaKind,
    readonly name: string,
    cov: MachineCoverage,
  ) {
    this.m = new MachineRef(naMachine(), `na ${name}`, cov);
    this.use = new MachineRef(naUseMachine(), `na ${name} use`, cov);
  }
  /** NA_OWNED_BY_ANY: a channel is bound or a kernel owner holds it. */
  get ownedByAny(): boolean {
    return this.channels > 0 || this.kernelOnly;
  }
}

/** A netif sub-module (flags, llink, filter, flow, capabilities, agent): its *_INITIALIZED and ENABLED bits. */
export interface SubModule {
  initialized: boolean;
  enabled: boolean;
}
export const SUBMODULES = ['flags', 'llink', 'filter', 'flow', 'capabilities', 'agent'] as const;
export type SubModuleName = (typeof SUBMODULES)[number];

/** struct nx_netif, nx->nx_arg. */
export class Nif {
  /** nif_lock (NETIF_WLOCK/RLOCK). */
  readonly lock: KRwlock;
  /**
   * nif_refcnt (os_refcnt, the shared KRefcount: a retain after it reached
   * zero is refused): 1 for the nexus + 1 per NA pointing here (L7211,
   * L6459, L6542). Retained and released under SK_LOCK.
   */
  readonly ref: KRefcount;
  get refcnt(): number {
    return this.ref.count;
  }
  /** nif_uuid (0 = null); protected by SK_LOCK. */
  uuid = 0;
  /** nif_ifp; protected by SK_LOCK (and written under nif_lock by attach). */
  ifp: XIfnet | null = null;
  readonly sub: Record<SubModuleName, SubModule>;
  /** Candidate fix of NX-1 (fixDetachInprogress): a DETACHING mark set before SK_UNLOCK in detach. */
  detaching = false;
  readonly m: MachineRef;
  constructor(
    ex: Execution,
    readonly mem: KMem,
    readonly name: string,
    cov: MachineCoverage,
  ) {
    this.lock = new KRwlock(ex, `${name}.nif_lock`, { cls: 'nif_lock' });
    this.ref = new KRefcount(ex, `${name}.nif_refcnt`, 1);
    this.sub = Object.fromEntries(SUBMODULES.map((s) => [s, { initialized: false, enabled: false }])) as Record<SubModuleName, SubModule>;
    this.m = new MachineRef(nifMachine(), `nif ${name}`, cov);
  }
}

/** A port-table slot [ext nexus.c]: bound (npi_nxb) and/or occupied (npi_nah). */
export interface PortSlot {
  na: NetifNa | null;
  bound: boolean;
}

/** The nx_ports array and its bitmap: reallocated by nx_port_grow [ext nexus.c]. */
export class PortTable {
  readonly slots: PortSlot[];
  constructor(
    readonly mem: KMem,
    readonly lim: number,
  ) {
    this.slots = Array.from({ length: lim }, () => ({ na: null, bound: false }));
  }
}

/** struct kern_nexus (netif view) [ext nexus.c]. */
export class Nexus {
  /** NXF_ATTACHED / NXF_CLOSED; protected by SK_LOCK. */
  attached = true;
  closed = false;
  /** nx_ch_count: regular channels (not CHANF_NONXREF); protected by SK_LOCK. */
  chCount = 0;
  /** Regular channels open on this nexus (nx_ch_head). */
  readonly channels: Channel[] = [];
  /** nx_ports (the pointer is reallocated by nx_port_grow). */
  ports: PortTable;
  /** nx_arg (the nif), NULL after the dtor. */
  nif: Nif | null;
  readonly m: MachineRef;
  constructor(
    readonly ex: Execution,
    readonly mem: KMem,
    readonly name: string,
    nif: Nif,
    portLim: number,
    private readonly g: NetifGlobals,
  ) {
    this.nif = nif;
    this.ports = g.newPortTable(this, portLim);
    this.m = new MachineRef(nexusMachine(), `nexus ${name}`, g.cov);
  }
}

/** struct kern_channel (what netif sees). */
export class Channel {
  /** ch_lock: taken under SK_LOCK by ch_close and by NXSPEC_CMD_STOP (L6984-6987) [ext channel.c]. */
  readonly lock: KMutex;
  na: NetifNa | null = null;
  readonly m: MachineRef;
  constructor(
    ex: Execution,
    readonly name: string,
    readonly nx: Nexus,
    readonly port: number,
    /** CHANF_KERNEL: opened by ch_open_special (na_connect_spec). */
    readonly kernel: boolean,
    /** The opener is kernproc (p == kernproc). */
    readonly kernproc: boolean,
    cov: MachineCoverage,
  ) {
    this.lock = new KMutex(ex, `${name}.ch_lock`, { cls: 'ch_lock' });
    this.m = new MachineRef(channelMachine(), `channel ${name}`, cov);
  }
}

/** struct ifnet as netif sees it (dlil state) [ext dlil.c]. */
export class XIfnet {
  /** ifnet_lock: if_capabilities (SKYWALK_SET/CLEAR_CAPABLE). */
  readonly ifnetLock: KRwlock;
  /** if_ref_lock: if_refio, if_datamov, if_suspend, IFRF_*. */
  readonly refLock: KMutex;
  /** wakeup(&if_datamov) channel of ifnet_datamov_drain. */
  readonly datamovCv: KCondvar;
  /** if_start_lock and the if_start_waiters sleep channel. */
  readonly startLock: KMutex;
  readonly startCv: KCondvar;
  /** if_refio; protected by refLock. */
  refio = 0;
  /** if_datamov, if_suspend, if_drainers; protected by refLock. */
  datamov = 0;
  suspend = 0;
  drainers = 0;
  /** IFRF_READY; IFRF_ATTACHED vs IFRF_EMBRYONIC. */
  ready = true;
  attachedFlag = true;
  embryonic = false;
  /** IFEF_SKYWALK_NATIVE. */
  native = true;
  /** IFCAP_SKYWALK in if_capabilities; protected by ifnet_lock. */
  capable = false;
  /** if_na and if_na_ops; written under SK_LOCK, read unlocked by the data path. */
  ifNa: NetifNa | null = null;
  ifNaOps = false;
  /** if_start_active, if_start_req; protected by startLock. */
  startActive = 0;
  startReq = 0;
  /** Handler slots (the model's own names for the function pointers). */
  readonly ifStart: HandlerSlot;
  readonly ifOutput: HandlerSlot;
  /** Ghost: who holds each skywalk ioref (IOREF-1). */
  readonly ioHolders: string[] = [];
  /** Ghost object for if_na / if_na_ops / the handler slots (the unlocked loads of the data path). */
  readonly naObj: number;
  readonly m: MachineRef | null = null;
  constructor(
    ex: Execution,
    readonly mem: KMem,
    readonly name: string,
  ) {
    this.ifnetLock = new KRwlock(ex, `${name}.ifnet_lock`, { cls: 'ifnet_lock' });
    this.refLock = new KMutex(ex, `${name}.if_ref_lock`, { cls: 'if_ref_lock' });
    this.datamovCv = new KCondvar(ex, `${name}.if_datamov`);
    this.startLock = new KMutex(ex, `${name}.if_start_lock`, { cls: 'if_start_lock' });
    this.startCv = new KCondvar(ex, `${name}.if_start_waiters`);
    this.ifStart = new HandlerSlot(`${name}.if_start`, 'driver_start');
    this.ifOutput = new HandlerSlot(`${name}.if_output`, 'dlil_output_default');
    this.naObj = ex.newObject(`${name}.if_na`, 'ghost');
  }
}

/** A data-path entry recorded for the DATA-* specs. */
export interface DatapathEntry {
  who: string;
  what: string;
  na: NetifNa;
  ring: Kring | null;
  /** CKRF_DROP of the ring, NAF_ACTIVE of the NA, whether the NA was freed, at the entry. */
  drop: boolean;
  active: boolean;
}

/**
 * The spec monitors the model calls where a property can break inside one
 * step, where no invariant checked between steps would see it. The checks
 * and their spec names live in src/specs/netif/monitors.ts; the model only
 * says when (actors cannot import specs: the layer rule). Each throws the
 * spec's failure, or returns.
 */
export interface NetifMonitors {
  /** `holder` drops an ioref of ifp; ifp.ioHolders still lists what is held. Entry: if_ref_lock held. */
  iorefDropped(g: NetifGlobals, ifp: XIfnet, holder: string): void;
}

export class NetifGlobals {
  /** SK_LOCK. */
  readonly skLock: KMutex;
  /** Ghost object written at every control-plane change (what the invariants watch). */
  readonly ctlObj: number;
  readonly ifnets: XIfnet[] = [];
  readonly nexuses: Nexus[] = [];
  readonly nifs: Nif[] = [];
  readonly nas: NetifNa[] = [];
  readonly channels: Channel[] = [];
  /** Ghost: data-path entries (DATA-1, DATA-2). */
  readonly datapath: DatapathEntry[] = [];
  /** Ghost: result (errno) of each named operation. */
  readonly results = new Map<string, number>();
  /** Ghost: sub-module init/fini events per nif, in order (SUB-1). */
  readonly subEvents: { nif: Nif; ev: string; thread: string }[] = [];
  /** Ghost: lockset of the nx_ports accesses per nexus (Eraser), for PORT-1. */
  readonly portLockset = new Map<Nexus, { locks: Set<string> | null; threads: Set<string>; write: boolean; last: string }>();
  /** Candidate fix of NX-1: the destructor waits here (with SK_LOCK) for a detach in its drain window. */
  readonly detachCv: KCondvar;
  /** Ghost: skmem_arena_nexus_sd_set_noidle balance per channel (L5407, L5430). */
  readonly noidle = new Map<Channel, number>();
  readonly cov: MachineCoverage;
  private uuids = 0;
  private tables = 0;
  constructor(
    readonly ex: Execution,
    /** The spec monitors (src/specs/netif/monitors.ts), installed by the scenario's world. */
    readonly monitors: NetifMonitors,
  ) {
    this.skLock = new KMutex(ex, 'sk_lock', { cls: 'sk_lock' });
    this.ctlObj = ex.newObject('netif control-plane ghost', 'ghost');
    this.detachCv = new KCondvar(ex, 'nif detaching (fixDetachInprogress)');
    this.cov = MachineCoverage.of(ex.options.run);
  }
  newUuid(): number {
    return ++this.uuids;
  }
  newPortTable(nx: Nexus, lim: number): PortTable {
    return new PortTable(new KMem(this.ex, `${nx.name}.nx_ports#${this.tables++}[${lim}]`), lim);
  }
  /** The thread running now, by name (ghost bookkeeping). */
  who(): string {
    const t: Thread | null = this.ex.current;
    return t ? t.name : 'setup';
  }
}
