/**
 * netstack.c data structures: netstack_t, nm_state_t, the ns_reg[] table,
 * the shared-stack lists, and the globals (netstack.c L51-133, netstack.h).
 *
 * Locking, as in netstack.c L55-61 and netstack.h:
 *  - netstack_g_lock protects ns_reg[] and the netstack_head/netstack_next list;
 *  - ns->netstack_lock protects every other netstack_t field (flags, refcnt,
 *    numzones, netstack_modules[]); nms_flags are written holding both locks;
 *  - netstack_shared_lock protects netstack_shared_zones and
 *    netstack_shared_kstats;
 *  - lock order: netstack_g_lock before netstack_lock; netstack_shared_lock is
 *    never taken while either is held.
 *
 * Fields marked "ghost" do not exist in the C code: they record what the
 * specs need (who is running which callback, how often a stack was reaped).
 *
 * netstack_g_lock is a commuting mutex for DPOR (KMutex `commutes`): two of
 * its critical sections are ordered only when their contents conflict. That
 * is sound because every field it protects records its own accesses: the
 * ns_reg[] entries (Registry), the list links (netstack_head and
 * netstack_next, one ghost object `listObj`) and nms_flags (NmState) are
 * accessor properties that touch their object on every read and write
 * (test/commute.test.ts compares the outcomes with and without commuting).
 */
import type { KThread } from '../../core/effect.ts';
import type { Execution } from '../../core/execution.ts';
import type { KCondvar } from '../../locks/kcondvar.ts';
import type { KMem } from '../../locks/kmem.ts';
import type { KMutex } from '../../locks/kmutex.ts';
import type { KSema } from '../../locks/ksema.ts';
import type { KTaskq } from '../../locks/taskq.ts';
import type { MachineRef } from '../machine.ts';

// netstack_flags (netstack.h)
export const NSF_UNINIT = 0x01;
export const NSF_CLOSING = 0x02;
export const NSF_ZONE_CREATE = 0x04;
export const NSF_ZONE_SHUTDOWN = 0x08;
export const NSF_ZONE_DESTROY = 0x10;
export const NSF_ZONE_INPROGRESS = NSF_ZONE_CREATE | NSF_ZONE_SHUTDOWN | NSF_ZONE_DESTROY;

// nms_flags (netstack.h)
export const NSS_CREATE_NEEDED = 0x0001;
export const NSS_CREATE_INPROGRESS = 0x0002;
export const NSS_CREATE_COMPLETED = 0x0004;
export const NSS_SHUTDOWN_NEEDED = 0x0010;
export const NSS_SHUTDOWN_INPROGRESS = 0x0020;
export const NSS_SHUTDOWN_COMPLETED = 0x0040;
export const NSS_DESTROY_NEEDED = 0x0100;
export const NSS_DESTROY_INPROGRESS = 0x0200;
export const NSS_DESTROY_COMPLETED = 0x0400;
export const NSS_CREATE_ALL = NSS_CREATE_NEEDED | NSS_CREATE_INPROGRESS | NSS_CREATE_COMPLETED;
export const NSS_SHUTDOWN_ALL = NSS_SHUTDOWN_NEEDED | NSS_SHUTDOWN_INPROGRESS | NSS_SHUTDOWN_COMPLETED;
export const NSS_DESTROY_ALL = NSS_DESTROY_NEEDED | NSS_DESTROY_INPROGRESS | NSS_DESTROY_COMPLETED;
export const NSS_ALL_INPROGRESS = NSS_CREATE_INPROGRESS | NSS_SHUTDOWN_INPROGRESS | NSS_DESTROY_INPROGRESS;

// nr_flags (netstack.h)
export const NRF_REGISTERED = 0x01;
export const NRF_DYING = 0x02;

export const GLOBAL_NETSTACKID = 0;
export const GLOBAL_ZONEID = 0;

export type CbKind = 'create' | 'shutdown' | 'destroy';

/** The instance a module's create callback returns (ghost contents). */
export interface ModuleInstance {
  m: number;
  /** Registration epoch of ns_reg[m] that created it. */
  epoch: number;
  ns: Netstack;
  shutdown: boolean;
  destroyed: boolean;
  /** Chain module only (modules.ts): the other stack this instance holds a reference on, released by its destroy. */
  peer?: Netstack | null;
}

/** nr_create: returns the module's per-stack instance (netstack.c L717). */
export type CreateFn = (ex: Execution, g: NetstackGlobals, m: number, stackid: number, ns: Netstack, pass: string) => KThread<ModuleInstance>;
/** nr_shutdown / nr_destroy (netstack.c L778, L837). */
export type FiniFn = (ex: Execution, g: NetstackGlobals, m: number, stackid: number, inst: ModuleInstance | null, ns: Netstack, pass: string) => KThread<void>;
/* `pass` (ghost) names the invocation of the caller whose apply_all_* walk runs the callback (applyInvocation in apply.ts), for the order specs. */

/** nm_state_t: per-(netstack, module) state. nms_flags: written holding netstack_g_lock and netstack_lock. */
export interface NmState {
  /** nms_flags; every read and write touches flagsObj. */
  flags: number;
  /** Ghost object of nms_flags (footprints). */
  readonly flagsObj: number;
  /** nms_cv, waited on with netstack_lock (L909). */
  cv: KCondvar;
  /** Shadow of nms_flags (xstate nm_state machine). */
  machine: MachineRef;
  /** Ghost object: the callback history of this (netstack, module). */
  obj: number;
}

/**
 * netstack_t. Every field below is initialised by netstack_zone_create
 * (L372-377) before the stack is linked on netstack_head (L378, under
 * netstack_g_lock); from then on each is protected as its comment says.
 */
export interface Netstack {
  /** Ghost: the model's name of the stack (ns0, ns1, ... in allocation order). */
  name: string;
  /** Ghost memory of the kmem_zalloc'd block (L346, freed L1107 or L357). */
  mem: KMem;
  /** netstack_lock: initialised before the stack is published (L372), never changed. */
  lock: KMutex;
  /** netstack_cv, waited on with netstack_lock (L880, wait_for_zone_creator); initialised with the lock, never changed. */
  cv: KCondvar;
  /** netstack_next, netstack_g_lock; every read and write touches g.listObj. */
  next: Netstack | null;
  /**
   * netstack_stackid: written once before the stack is published (L374) and
   * never again, so readers need no lock for it; the list walks read it
   * under netstack_g_lock (L352, L1050), netstack_find_by_stackid under
   * netstack_lock too (L1028), the apply functions with no lock (L713).
   */
  stackid: number;
  /**
   * netstack_numzones, netstack_lock (++ at L359-361, -- at L500-501; read
   * with refcnt in netstack_rele, L1126-1127). netstack_reap and
   * stack_inactive ASSERT it is 0 with no lock (L1077, L1096): once refcnt
   * and numzones are both 0 no thread can find the stack to change them.
   */
  numzones: number;
  /** netstack_refcnt, netstack_lock (netstack_hold_locked ASSERTs it held, L1164-1165; netstack_rele L1118-1126); the reap reads it unlocked as numzones. */
  refcnt: number;
  /** netstack_flags (NSF_*), netstack_lock for every read and write after publication (L387, L415-417, L451, L481, L513, L541, L593). */
  flags: number;
  /**
   * netstack_modules[], written holding netstack_g_lock and netstack_lock
   * (L724 create, L843 destroy); read with no lock by the thread that set
   * that module's *_INPROGRESS flag (L774, L833), which makes it the only
   * user of the slot until it clears the flag.
   */
  modules: (ModuleInstance | null)[];
  /** netstack_m_state[]: see NmState (nms_flags written holding both locks). */
  mstate: NmState[];
  /** Ghost: shadow of the lifecycle (xstate netstack machine), sent to where flags change (netstack_lock). */
  machine: MachineRef;
  /** Candidate fix NS-3 only: threads asleep on this stack's cvs in the wait helpers (netstack_lock). */
  waiters: number;
  // ---- ghost ----
  /** Thread id of the zone creator while NSF_ZONE_CREATE is set (set and cleared in the steps that set and clear the flag). */
  creator: number;
  /** Ghost object of creator and tornDown: every read and write touches it. */
  readonly phaseObj: number;
  /** Reaps dispatched for this stack. */
  reaps: number;
  /** refcnt and numzones both reached 0 in netstack_rele. */
  lastReleased: boolean;
  /** stack_inactive has finished both of its passes (L593). */
  tornDown: boolean;
  /** The zone ids that use the stack (for end checks). */
  zones: number[];
}

/** struct netstack_registry (ns_reg[m]); protected by netstack_g_lock. Every field read and write touches `obj`. */
export interface Registry {
  flags: number;
  create: CreateFn | null;
  shutdown: FiniFn | null;
  destroy: FiniFn | null;
  /** Ghost object for the unlocked reads of the function pointers (L712-717, L772-778, L831-837). */
  obj: number;
  /** Ghost: bumped at every netstack_register of this module id. */
  epoch: number;
}

/** What the model reports to the specs (the spec monitors implement it). */
export interface NetstackObserver {
  /** A callback starts or ends (called inside the step, no lock held). */
  callback(ex: Execution, g: NetstackGlobals, ns: Netstack, m: number, kind: CbKind, phase: 'start' | 'end', epoch: number, driver: string): void;
  /** apply_all_netstacks is about to drop netstack_g_lock at L636. */
  applyAllDone(ex: Execution, g: NetstackGlobals, m: number, kind: CbKind): void;
  /** netstack_register is returning (after L215); marked = stacks it flagged at L201. */
  registerDone(ex: Execution, g: NetstackGlobals, m: number, marked: Netstack[]): void;
  /** netstack_unregister is about to drop netstack_g_lock at L318. */
  unregisterDone(ex: Execution, g: NetstackGlobals, m: number, epoch: number): void;
  /** netstack_hold_locked is about to raise refcnt (L1165); netstack_lock held. */
  hold(ex: Execution, g: NetstackGlobals, ns: Netstack): void;
  /** A lookup hands out a reference (netstack_lock held at the decision). */
  lookup(ex: Execution, g: NetstackGlobals, ns: Netstack, fn: string): void;
  /** netstack_zone_shutdown has marked SHUTDOWN_NEEDED on `marked` (L458-466); netstack_g_lock and netstack_lock held. */
  zoneShutdownMarked(ex: Execution, g: NetstackGlobals, ns: Netstack, marked: number[]): void;
  /** netstack_rele dispatches the reap (L1156). */
  reapDispatched(ex: Execution, g: NetstackGlobals, ns: Netstack): void;
  /**
   * Ghost: the invocation named `pass` (applyInvocation) has returned from
   * its last apply walk, so no callback is handed that name again; a monitor
   * may forget what it kept for it (two states that differ only in what
   * finished invocations did are then one state to state caching).
   */
  invocationDone(ex: Execution, g: NetstackGlobals, pass: string): void;
}

/** Candidate fixes for findings (scenario parameters). */
export interface NetstackFixes {
  /** NS-1: stack_inactive cancels CREATE_NEEDED and flags an INPROGRESS create for shutdown and destroy, as unregister does (L554-567). */
  inactiveCoversCreates: boolean;
  /** NS-2: unregister flags an INPROGRESS create for shutdown too, as the L248-250 comment says (L267-268). */
  shutdownInprogressCreate: boolean;
  /** NS-3: threads sleeping in wait_for_nms_inprogress / wait_for_zone_creator are counted (netstack_lock) and netstack_reap waits for them before the free (L1092-1107). */
  reapWaitsForWaiters: boolean;
}

/** The globals of netstack.c. */
export interface NetstackGlobals {
  /** NS_MAX of the model (number of module ids). */
  nsMax: number;
  /** netstack_initialized (L53). */
  initialized: boolean;
  /** netstack_g_lock (L62). */
  gLock: KMutex;
  /** ns_reg[NS_MAX] (L67), netstack_g_lock. */
  reg: Registry[];
  /** netstack_head (L83), netstack_g_lock; every read and write touches listObj. */
  head: Netstack | null;
  /** Ghost object of the list links (netstack_head and every netstack_next). */
  readonly listObj: number;
  /** Ghost object of the allocation counter `serial` (stack names follow allocation order). */
  readonly allocObj: number;
  /** netstack_shared_lock (L101). */
  sharedLock: KMutex;
  /** netstack_shared_zones (L102), head first; netstack_shared_lock. */
  sharedZones: { zoneid: number; mem: KMem }[];
  /** netstack_shared_kstats (L103), head first; netstack_shared_lock. */
  sharedKstats: { ks: Kstat; mem: KMem }[];
  /** netstack_reap_limiter (L128). */
  reapLimiter: KSema;
  /** system_taskq, where netstack_reap runs (L1156). */
  systemTaskq: KTaskq;
  obs: NetstackObserver;
  fix: NetstackFixes;
  // ---- ghost ----
  /** Every netstack_t ever allocated, in allocation order. */
  all: Netstack[];
  /** Every module instance ever created. */
  instances: ModuleInstance[];
  /** Number of allocations so far (names ns0, ns1, ...). */
  /** Ghost: apply-walk invocations each thread has named so far (applyInvocation), by thread id. */
  invocations: Map<number, number>;
  serial: number;
}

/** A kstat created by kstat_create_netstack: the zones it is visible in (kstat_zone_add/remove). */
export interface Kstat {
  name: string;
  zoneid: number;
  /** Zones added by kstat_zone_add (netstack_shared_lock held). */
  zones: number[];
  deleted: boolean;
}

/** Zones (zone.c), as far as the netstack needs them: src/actors/netstack/zone-subsystem.ts. */
export type ZoneStatus = 'uninitialized' | 'ready' | 'shutting_down' | 'down' | 'dying' | 'dead';

export interface Zone {
  id: number;
  /** ZF_NET_EXCL: an exclusive-stack zone. */
  excl: boolean;
  status: ZoneStatus;
  /** zone_ref: the zone's own hold plus zone_find_by_id holds (zonehash_lock). */
  ref: number;
  /** zone_netstack (ZSD data of the netstack key). */
  netstack: Netstack | null;
}

export interface Zones {
  hashLock: KMutex;
  destroyCv: KCondvar;
  byId: Map<number, Zone>;
  all: Zone[];
}
