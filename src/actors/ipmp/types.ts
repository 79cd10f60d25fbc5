/**
 * Data structures of the IPMP / IPSQ model: ip_stack_t (the IPMP part),
 * ipsq_t, ipxop_t, phyint_t, ill_t, ipmp_grp_t, ipmp_illgrp_t.
 *
 * Protection (notes illumos-ipsq.md §1, illumos-ipmp.md §1):
 *  - ips_ill_g_lock (krwlock): the ring ipsq_next, ipsq_xop changes (with
 *    ipsq_lock and the writer), ig_if and ill_grp of underlying ills;
 *  - ips_ipmp_lock (krwlock): the group hash, gr_* counters, phyint_grp,
 *    ig_actif/ig_nactif/ig_next_ill/ig_cast_ill, ipsq_swxop (with the writer);
 *  - ill_lock (kmutex, one class): ill_state_flags, ill_refcnt,
 *    ill_waiters, ill_refresh_tid, ill_cv;
 *  - ipsq_lock / ipx_lock (kmutex classes): the IPSQ queues, xop fields;
 *  - "ipsq" (IPSQ writer): gr_nactif, gr_linkdownmp, ill_ardeact_mp,
 *    ill_nom_cast, ill_bound_cnt. Fields written as "writer AND lock" are
 *    read under either.
 * The model reads and writes these in plain TypeScript while the thread
 * holds what protects them; unlocked reads are `access()` scheduling points.
 */
import type { KThread } from '../../core/effect.ts';
import type { Execution, Thread } from '../../core/execution.ts';
import type { Callout } from '../../locks/callout.ts';
import { KCondvar } from '../../locks/kcondvar.ts';
import { KMem } from '../../locks/kmem.ts';
import { KMutex } from '../../locks/kmutex.ts';
import { KRwlock } from '../../locks/krwlock.ts';
import { MachineCoverage, MachineRef } from '../machine.ts';
import { grpMachine, illMachine, membershipMachine, xopMachine } from './machines.ts';
import { opaqueToGuard } from '../../core/guard.ts';

/** ip.h: CUR_OP 0, NEW_OP 1, SWITCH_OP 2. */
export const CUR_OP = 0;
export const NEW_OP = 1;
export const SWITCH_OP = 2;
export type OpType = typeof CUR_OP | typeof NEW_OP | typeof SWITCH_OP;

/** IPMP_ILL_REFRESH_TIMEOUT (120 s, ipmp.c L53) as virtual ticks (hz = 100). */
export const IPMP_ILL_REFRESH_TIMEOUT_TICKS = 120 * 100;

/** errno values returned by the modelled code. */
export const Errno = {
  OK: 0,
  ENOENT: 2,
  ENXIO: 6,
  ENOMEM: 12,
  EACCES: 13,
  EBUSY: 16,
  EEXIST: 17,
  EINVAL: 22,
  EALREADY: 37,
  ENOTSUP: 48,
  EADDRINUSE: 125,
  EADDRNOTAVAIL: 126,
  EAFNOSUPPORT: 124,
} as const;

/** The continuation of a queued message (b_prev = func): runs as writer, given the IPSQ it was queued on. */
export type IpsqFunc = (ipsq: Ipsq) => KThread<void>;

/**
 * A queued mblk: its continuation, type, and what became of it (ghost state for the specs).
 * The state walk names `func` by its function name only, so `name` and `ill`
 * must say what the continuation captured (an ioctl's label, which names one
 * ioctl of its scenario, and its ill; ip_join_illgrps names its phyint).
 */
export interface Msg {
  /** Its number among the messages of its name (reports only; IpmpStack.msgs). */
  id: number;
  name: string;
  func: IpsqFunc;
  type: OpType;
  /** b_next after dequeue: the IPSQ it was taken from. */
  from: Ipsq | null;
  /** The ill whose queue it came in on (ipsq_flush matches on it). */
  ill: Ill | null;
  status: 'queued' | 'run' | 'flushed';
}

/** ipxop_t. Fields under ipx_lock; IAM_WRITER_IPSQ(q) is q.xop.writer === curthread. */
export class Xop {
  readonly lock: KMutex;
  writer: Thread | null = null;
  reentry = 0;
  /** ipx_mphead/tail: CUR_OP messages. */
  readonly mphead: Msg[] = [];
  /** ipx_ipsq_queued. */
  ipsqQueued = false;
  /** ipx_current_ipif != NULL: an exclusive operation is in progress. */
  currentIpif: string | null = null;
  readonly m: MachineRef;
  constructor(
    ex: Execution,
    readonly name: string,
    /** ipx_ipsq: the IPSQ that embeds this xop (write once). */
    readonly ipsq: Ipsq,
    cov: MachineCoverage,
  ) {
    this.lock = new KMutex(ex, `${name}.ipx_lock`, { cls: 'ipx_lock' });
    this.m = new MachineRef(xopMachine, name, cov);
  }
}

/** ipsq_t: one per phyint, fixed for the phyint's life; freed at its last ipsq_exit. */
export class Ipsq {
  readonly lock: KMutex;
  readonly mem: KMem;
  readonly ownxop: Xop;
  xop: Xop;
  /** ipsq_swxop: written only by the writer (and under ipmp_lock W in ipmp.c). */
  swxop: Xop | null = null;
  /** ipsq_next: ring of IPSQs sharing xop, under ill_g_lock. */
  next: Ipsq = this;
  /** ipsq_xopq_mphead: NEW_OP messages (insert: ipsq_lock + ipx_lock). */
  readonly xopq: Msg[] = [];
  /** ipsq_switch_mp. */
  switchMp: Msg | null = null;
  phyint: Phyint | null = null;
  constructor(
    ex: Execution,
    readonly name: string,
    cov: MachineCoverage,
  ) {
    this.mem = new KMem(ex, name);
    this.lock = new KMutex(ex, `${name}.ipsq_lock`, { cls: 'ipsq_lock', mem: this.mem });
    this.ownxop = new Xop(ex, `${name}.ownxop`, this, cov);
    this.xop = this.ownxop;
  }
}

/** A stable interface index per name (phyint_ifindex; only compared, never allocated). */
function ifindexOf(name: string): number {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
  return (h % 65535) + 1;
}

/** phyint_t. */
export class Phyint {
  readonly lock: KMutex;
  readonly mem: KMem;
  readonly ipsq: Ipsq;
  illv4: Ill | null = null;
  illv6: Ill | null = null;
  /** phyint_grp: ipmp_lock, changed only by the phyint's IPSQ writer. */
  grp: Grp | null = null;
  /** PHYI_IPMP. */
  readonly isIpmp: boolean;
  /** PHYI_OFFLINE | PHYI_INACTIVE | PHYI_FAILED (phyint_lock). */
  offline = false;
  /** The link kstat counters (monotone; abstracted to one counter). */
  linkPackets = 0;
  /**
   * The "link" kstat of this phyint [ext kstat.c]: the exclusive hold that
   * kstat_hold_byname takes (ipmp.c L2069); its ks_lock (KSTAT_ENTER, L2073)
   * is folded into the hold (ipmpPhyintGetKstats).
   */
  readonly linkKsp: { hold: KMutex };
  /** phyint_ifindex (write once). */
  readonly ifindex: number;
  /** phyint_kstats0: snapshot at join (ipsq). */
  kstats0 = 0;
  /** Membership lifecycle (notes illumos-ipmp.md §3.3). */
  readonly m: MachineRef;
  constructor(ex: Execution, readonly name: string, isIpmp: boolean, cov: MachineCoverage) {
    this.mem = new KMem(ex, `phyint ${name}`);
    this.lock = new KMutex(ex, `${name}.phyint_lock`, { cls: 'phyint_lock', mem: this.mem });
    this.ipsq = new Ipsq(ex, `ipsq ${name}`, cov);
    this.ipsq.phyint = this;
    this.isIpmp = isIpmp;
    this.ifindex = ifindexOf(name);
    this.linkKsp = {
      // Commuting (Execution.markCommuting): what the hold protects, the
      // link counters, is only read during an execution (linkPackets is
      // set at setup), so two sections never conflict through it.
      hold: new KMutex(ex, `link ${name} kstat hold`, { cls: 'link_kstat_hold', commutes: true }),
    };
    this.m = new MachineRef(membershipMachine, `phyint ${name}`, cov);
  }
}

/** ill_t (the IPMP-relevant part). */
export class Ill {
  readonly lock: KMutex;
  readonly cv: KCondvar;
  readonly mem: KMem;
  /** ILL_CONDEMNED (ill_lock). */
  condemned = false;
  /** On the ill AVL lists (ill_g_lock); lookups find only listed ills. */
  listed = true;
  refcnt = 0;
  waiters = 0;
  /** ill_refresh_tid (ill_lock; read unlocked at ipmp.c L1267). null = 0. */
  refreshTid: Callout | null = null;
  readonly tidObj: number;
  /** Every refresh callout ever armed for this ill (ghost, for the specs). */
  readonly callouts: Callout[] = [];
  /** ill_grp: the illgrp (underlying: ipsq AND ill_g_lock). */
  grp: Illgrp | null = null;
  /** list_link_active(&ill_actnode). */
  actnode = false;
  /** ill_ardeact_mp != NULL (ipsq). */
  ardeactMp = false;
  /** ill_nom_cast (ipsq). */
  nomCast = false;
  /** ill_bound_cnt (ipsq). */
  boundCnt = 0;
  /** ill_ipif_up_count. */
  ipifUpCount = 0;
  /**
   * ill_ipif (the ipif list). Modelled for the IPMP ill only: its addresses,
   * which ipmp_ill_bind_ipif binds to underlying ills; an underlying ill's own
   * addresses stay the count ill_ipif_up_count.
   */
  readonly ipifs: Ipif[] = [];
  /** ill_bound_ipif: the chain (via ipif_bound_next) of IPMP data ipifs bound here, head first (ipsq). */
  readonly boundIpifs: Ipif[] = [];
  /** ill_phys_addr (write once here; ipmp_illgrp_find_ill matches on it). The IPMP ill has none. */
  physAddr: string;
  /** ill_max_mtu (ill_lock; read without it at ipmp.c L1209, L1220-1221). */
  maxMtu = 1500;
  /** The IREs whose ire_ipif is on this ill (ire_walk_ill abstracted to this list). */
  readonly ires: Ire[] = [];
  /**
   * Ghost: ipmp_ill_activate (L1455-1565) has nominated this ill or bound
   * addresses to it and not yet put it on ig_actif (L1538-1542): the window
   * the C code opens on purpose ("nominate it ... before ipmp_ill_bind_ipif()",
   * L1496-1502). Read only by the specs.
   */
  activating = false;
  /** Up data addresses of an IPMP ill (ipmp_ipif_is_up_dataaddr, ipmp.c L2191-2195). */
  get upDataAddrs(): number {
    let n = 0;
    for (const ipif of this.ipifs) if (!ipif.nofailover && ipif.lclAddr !== '' && ipif.up) n++;
    return n;
  }
  /** What ipmp_grp_vet_ill (ipmp.c L453-518) inspects. */
  readonly vet = { appaddrCnt: 0, ptpaddrCnt: 0, multicast: true, nonudNoarpXresolv: false, usesrc: false, dupCount: 0 };
  readonly m: MachineRef;
  constructor(
    ex: Execution,
    readonly name: string,
    readonly phyint: Phyint,
    readonly isv6: boolean,
    readonly mactype: string,
    cov: MachineCoverage,
  ) {
    this.mem = new KMem(ex, `ill ${name}`);
    this.lock = new KMutex(ex, `${name}.ill_lock`, { cls: 'ill_lock', mem: this.mem });
    this.cv = new KCondvar(ex, `${name}.ill_cv`);
    this.tidObj = ex.newObject(`${name}.ill_refresh_tid`, 'field');
    this.m = new MachineRef(illMachine, `ill ${name}`, cov);
    this.physAddr = phyint.isIpmp ? '' : `hw:${name}`;
    if (isv6) phyint.illv6 = this;
    else phyint.illv4 = this;
  }
}

/**
 * ipif_t, the IPMP-relevant part (ipmp notes §1.5), for addresses of the
 * IPMP ill. ipif_bound_ill: written as writer AND under ipmp_lock W (ipmp.c
 * L1722-1724, L1786-1788), read by the datapath under ipmp_lock R (L2138).
 */
export class Ipif {
  /** IPIF_UP (ill_lock). */
  up: boolean;
  /** IPIF_NOFAILOVER: a test address. */
  nofailover = false;
  /** ipif_lcl_addr; '' is INADDR_ANY (unspecified). */
  lclAddr: string;
  /** ipif_bound_ill (ipsq AND ipmp_lock). */
  boundIll: Ill | null = null;
  /** ipif_bound: the resolver was told of the binding (ipsq). */
  bound = false;
  constructor(
    readonly name: string,
    /** ipif_ill (write once). */
    readonly ill: Ill,
    lclAddr: string,
    up: boolean,
  ) {
    this.lclAddr = lclAddr;
    this.up = up;
    ill.ipifs.push(this);
  }
}

/** An IRE (ire_t) as far as the testhidden marks go: its type and IRE_MARK_TESTHIDDEN (ire_marks). */
export interface Ire {
  type: 'IRE_HOST' | 'IRE_PREFIX' | 'IRE_DEFAULT' | 'IRE_CACHE' | 'IRE_IF_RESOLVER' | 'IRE_IF_NORESOLVER' | 'IRE_BROADCAST' | 'IRE_LOCAL';
  testhidden: boolean;
}

/**
 * ipmp_arpent_t (ipmp.c L874-904, notes §1.8): an ARP entry of the group,
 * on ig_arpent (ipsq). ia_area_mp is the copied AR_ENTRY_ADD message
 * (abstracted); its hardware address, for a proxy entry, is `hwAddr`.
 */
export class ArpEnt {
  readonly mem: KMem;
  notified = false;
  hwAddr = '';
  constructor(
    ex: Execution,
    readonly ipaddr: string,
    readonly proxyarp: boolean,
  ) {
    this.mem = new KMem(ex, `arpent ${ipaddr}`);
  }
}

/** ipmp_illgrp_t (per IPMP ill). */
export class Illgrp {
  /** ig_if: ipsq AND ill_g_lock. */
  readonly if: Ill[] = [];
  /** ig_actif, ig_nactif, ig_next_ill, ig_cast_ill: ipsq AND ipmp_lock. */
  readonly actif: Ill[] = [];
  nactif = 0;
  nextIll: Ill | null = null;
  castIll: Ill | null = null;
  /** ig_arpent (ipsq): the group's ARP entries, head first. */
  readonly arpent: ArpEnt[] = [];
  /** ig_mtu (ipsq, or 0 during initialization): the MTU last pushed to the IPMP ill. */
  mtu = 0;
  /**
   * Ghost: ipmp_illgrp_destroy (ipmp.c L582-607) has run (ig_ipmp_ill =
   * NULL, L602, and kmem_free, L606). Not a KMem: the illgrp is reached only
   * through gr_vX and ill_grp, which the specs check instead.
   */
  destroyed = false;
  constructor(readonly ipmpIll: Ill) {}
}

/**
 * The group's "ipmp" kstat (gr_ksp, ipmp.c L184-202) as far as the kstat
 * framework matters to IPMP [ext kstat.c]: the exclusive hold that a reader
 * (kstat_hold_bykid, then ks_update) and kstat_delete both take. The hold
 * is a sleeping exclusive ownership (e_owner, cv_wait on kstat_chain_lock),
 * modelled as a kmutex of its own class. `deleted` is set by kstat_delete
 * under the hold; a later hold attempt fails (the AVL lookup misses).
 * Built only by scenarios that read the kstat through the framework
 * (ipmpGrpCreateKstats); elsewhere gr_ksp stays null and kstat_delete is
 * abstracted.
 */
export class Kstat {
  readonly hold: KMutex;
  deleted = false;
  constructor(
    ex: Execution,
    readonly name: string,
    /** ks_private. */
    readonly grp: Grp,
  ) {
    this.hold = new KMutex(ex, `${name} kstat hold`, { cls: 'kstat_hold' });
  }
}

/** ipmp_grp_t. */
export class Grp {
  readonly mem: KMem;
  /** gr_name (hash key, ipmp_lock). */
  name: string;
  /** gr_ifname: never changes on rename. */
  readonly ifname: string;
  mactype: string | null = null;
  nif = 0;
  /** gr_nactif, gr_linkdownmp: ipsq (group xop). */
  nactif = 0;
  linkdownMp = false;
  v4: Illgrp | null = null;
  v6: Illgrp | null = null;
  nv4 = 0;
  nv6 = 0;
  pendv4 = 0;
  pendv6 = 0;
  /** gr_kstats0 (atomic adds; read without a lock at L226). */
  kstats0 = 0;
  readonly kstatsObj: number;
  /** gr_ksp (ipmp_lock); null where the kstat framework is abstracted (see Kstat). */
  ksp: Kstat | null = null;
  readonly m: MachineRef;
  constructor(
    ex: Execution,
    name: string,
    /** gr_phyint: the IPMP meta-interface phyint. */
    public phyint: Phyint | null,
    cov: MachineCoverage,
  ) {
    this.mem = new KMem(ex, `grp ${name}`);
    this.name = name;
    this.ifname = name;
    this.kstatsObj = ex.newObject(`grp ${name}.gr_kstats0`, 'field');
    this.m = new MachineRef(grpMachine, `grp ${name}`, cov);
  }
}

/**
 * The spec monitors the model calls where a property can break inside one
 * step (at every change of writership, at operation entry and exit, at
 * every enqueue), where no state invariant checked between steps would see
 * it. The checks and their spec names live in src/specs/ipmp/monitors.ts;
 * the model only says when (actors cannot import specs: the layer rule).
 * Each throws the spec's failure, or returns.
 */
export interface IpmpMonitors {
  /** `me` becomes (or re-enters as) writer of `x`; x.writer is still the old value. */
  becomeWriter(me: Thread, x: Xop): void;
  /** `me` gives up writership of `x`; x.writer is still the old value. */
  releaseWriter(me: Thread, x: Xop): void;
  /** `mp` was just queued on `ipsq`, whose xop is `ipx`. */
  enqueued(mp: Msg, ipsq: Ipsq, ipx: Xop): void;
  /** An exclusive operation `name` starts on `xop` (before it is recorded in st.ops). */
  opStart(st: IpmpStack, me: Thread, xop: Xop, name: string): void;
  /** It ends (before it is removed from st.ops). */
  opEnd(me: Thread, xop: Xop, name: string): void;
}

/** The IPMP part of ip_stack_t plus the ghost state the specs read. */
export class IpmpStack {
  readonly illGLock: KRwlock;
  readonly ipmpLock: KRwlock;
  /** ips_ipmp_grp_hash: name -> group. */
  readonly hash = new Map<string, Grp>();
  readonly groups: Grp[] = [];
  readonly phyints: Phyint[] = [];
  readonly ills: Ill[] = [];
  /**
   * Ghost: every message made (newMsg), keyed `name#id`; the specs read it as
   * a set (by status). Which of two racing senders of one name got the
   * lower number, and the order they sent in, are not model state: a Map
   * with string keys is walked in key order (Scenario.stateWalk).
   */
  readonly msgs = new Map<string, Msg>();
  /** Ghost: operations running as writer (for one-writer-per-xop). */
  readonly ops: { thread: Thread; xop: Xop; name: string }[] = [];
  readonly opsObj: number;
  /** Ghost: touched by every change of membership (phyint_grp, gr_nif, gr_pend*, swxop, the ring, ipsq_xop). */
  readonly memberObj: number;
  /** Ghost: touched by every change of illgrp state (ig_if, ig_actif, cast, counters, activity). */
  readonly illgrpObj: number;
  readonly cov: MachineCoverage;
  /** Ghost: errno results of the ioctl threads, by label. */
  readonly results = new Map<string, number>();
  /**
   * Ghost: every reference a datapath thread took through
   * ill_check_and_refhold (datapath.ts), with what held at that moment; the
   * specs read it (src/specs/ipmp/datapath.ts). `holdsObj` is touched at
   * every hold and release; built by the scenarios that run datapath threads
   * (enableDatapath), so the others keep their object numbering.
   */
  readonly holds: DatapathHold[] = [];
  holdsObj = -1;
  /** Ghost: routing socket messages sent by ipmp_ill_rtsaddrmsg (an event log). */
  readonly rtsLog: string[] = [];
  /** Refresh callouts that may still fire in this execution (see armRefreshTimer). */
  calloutHorizon = 2;
  constructor(
    readonly ex: Execution,
    /** The spec monitors (src/specs/ipmp/monitors.ts), installed by the scenario's world. */
    readonly monitors: IpmpMonitors,
  ) {
    this.illGLock = new KRwlock(ex, 'ips_ill_g_lock');
    this.ipmpLock = new KRwlock(ex, 'ips_ipmp_lock');
    this.opsObj = ex.newObject('ipsq operations', 'ghost');
    this.memberObj = ex.newObject('ipmp membership', 'ghost');
    this.illgrpObj = ex.newObject('illgrp state', 'ghost');
    this.cov = MachineCoverage.of(ex.options.run);
    // Ghost logs that specs read as sets (by xop, by status), never by
    // position: the order two threads appended in is not model state, so
    // the access guard does not watch the arrays (their records it does).
    opaqueToGuard(this.ops);
    opaqueToGuard(this.msgs);
  }
  /** Create the ghost object of the datapath holds (scenarios with datapath threads call it at the end of setup). */
  enableDatapath(): void {
    if (this.holdsObj < 0) this.holdsObj = this.ex.newObject('datapath holds', 'ghost');
  }
  newMsg(name: string, func: IpsqFunc, type: OpType, ill: Ill | null): Msg {
    let id = 1;
    while (this.msgs.has(`${name}#${id}`)) id++;
    const m: Msg = { id, name, func, type, from: null, ill, status: 'queued' };
    this.msgs.set(`${name}#${id}`, m);
    return m;
  }
  /** Build a phyint with its IPSQ. */
  newPhyint(name: string, isIpmp = false): Phyint {
    const p = new Phyint(this.ex, name, isIpmp, this.cov);
    this.phyints.push(p);
    return p;
  }
  newIll(name: string, p: Phyint, mactype: string, isv6 = false): Ill {
    const ill = new Ill(this.ex, name, p, isv6, mactype, this.cov);
    this.ills.push(ill);
    return ill;
  }
}

/**
 * One reference taken by a datapath function (ipmp_illgrp_hold_next_ill,
 * hold_cast_ill, ipmp_ill_hold_ipmp_ill, ipmp_ipif_hold_bound_ill) and
 * handed to its caller, with the facts at the moment of the refhold.
 */
export interface DatapathHold {
  thread: Thread;
  /** The C function that returned the held ill. */
  fn: string;
  ill: Ill;
  /** ILL_CONDEMNED when the reference was taken. */
  condemned: boolean;
  /** On its illgrp's ig_actif (list_link_active(&ill_actnode)) when taken. */
  onActif: boolean;
  /** Ghost `activating` when taken (see Ill.activating). */
  activating: boolean;
  released: boolean;
}

/** IAM_WRITER_IPSQ(q). */
export function IAM_WRITER_IPSQ(ex: Execution, q: Ipsq): boolean {
  return ex.current !== null && q.xop.writer === ex.current;
}
/** IAM_WRITER_ILL(ill): writer on the xop of the ill's phyint's IPSQ. */
export function IAM_WRITER_ILL(ex: Execution, ill: Ill): boolean {
  return IAM_WRITER_IPSQ(ex, ill.phyint.ipsq);
}
/** IS_UNDER_IPMP(ill): an underlying ill in an illgrp. */
export function IS_UNDER_IPMP(ill: Ill): boolean {
  return ill.grp !== null && !ill.phyint.isIpmp;
}
/** The IPSQs of xop x's ring, from x.ipsq (ipsq_next walk). */
export function ringOf(x: Xop): Ipsq[] {
  const out: Ipsq[] = [];
  let q = x.ipsq;
  for (let i = 0; i < 64; i++) {
    out.push(q);
    q = q.next;
    if (q === x.ipsq) return out;
  }
  return out;
}
/** The ills of a phyint. */
export function phyintIlls(p: Phyint): Ill[] {
  const out: Ill[] = [];
  if (p.illv4) out.push(p.illv4);
  if (p.illv6) out.push(p.illv6);
  return out;
}
