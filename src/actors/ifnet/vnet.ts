/**
 * VNET: virtual network stack instances. The if.c log describes only the
 * preparatory phase (log L6-27, L98-136, L202-240: V_ globals in container
 * structs, per-vnet initializers split from global ones, CURVNET_SET and
 * VNET_FOREACH as NOP macros). The instance machinery modelled here is the
 * one that phase prepared, FreeBSD 8's sys/net/vnet.c ("vnet.c", cited by
 * function): vnet_alloc, vnet_destroy, vnet_sysinit, vnet_sysuninit,
 * vnet_register_sysinit, vnet_deregister_sysinit, vnet_register_sysuninit,
 * vnet_deregister_sysuninit, VNET_LIST_WLOCK, VNET_FOREACH, CURVNET_SET and
 * CURVNET_RESTORE.
 *
 * Locking, as vnet.c has it:
 *  - vnet_sysinit_sxlock (an sx; a KRwlock here, shared = reader) protects
 *    vnet_constructors and vnet_destructors. vnet_sysinit/vnet_sysuninit
 *    hold it shared while they run the constructors/destructors on
 *    curvnet; vnet_register_sysinit and vnet_deregister_sysuninit hold it
 *    exclusive while they insert or remove one and run it on every listed
 *    vnet.
 *  - vnet_head (LIST, insert at head) is protected by two locks, the
 *    sleepable vnet_sxlock and the non-sleepable vnet_rwlock: both taken
 *    exclusive (VNET_LIST_WLOCK) to modify it, either one shared to walk it.
 *    The VNET_FOREACH of vnet_register_sysinit and
 *    vnet_deregister_sysuninit walks it with neither: only the sysinit sx
 *    (its reads of vnet_head and le_next are unlocked accesses here).
 *  - curvnet (td_vnet) is the running thread's own: no lock.
 *
 * A vnet joins vnet_head only after all its constructors ran and leaves it
 * before its destructors run; a constructor registered (module load) or a
 * destructor deregistered (unload) in those windows is applied to the
 * listed vnets only (findings FB-2 and FB-3).
 */
import type { KThread } from '../../core/effect.ts';
import { kassert } from '../../core/errors.ts';
import type { Execution, Thread } from '../../core/execution.ts';
import { access, localAccess } from '../../core/ops.ts';
import { KMem, kmemFree, memAccess } from '../../locks/kmem.ts';
import { RW_LOCK_HELD, RW_WRITE_HELD, KRwlock, rwEnter, rwExit } from '../../locks/krwlock.ts';
import type { KRefcount } from '../../locks/refcount.ts';
import { MachineCoverage, MachineRef } from '../machine.ts';
import { L } from './ifindex.ts';
import { vnetMachine } from './machines.ts';
import type { UmaZone } from './uma.ts';

/** SYSINIT subsystems used by the model, in the relative order of sys/kernel.h. */
export const SI_SUB = {
  VNET_PRELINK: 0x1e00000,
  VNET: 0x2160000,
  INIT_IF: 0x3000000,
  PROTO_IF: 0x8400000,
  PROTO_DOMAIN: 0x8800000,
  PROTO_IFATTACHDOMAIN: 0x8800001,
  VNET_DONE: 0xdc00000,
} as const;
export const SI_ORDER = { FIRST: 0, SECOND: 1, THIRD: 2, MIDDLE: 0x1000000, ANY: 0xfffffff } as const;

/** struct vnet_sysinit: one VNET_SYSINIT or VNET_SYSUNINIT. */
export interface VnetSysinit {
  /** The name of the VNET_SYSINIT (the module that declares it, for reports). */
  readonly name: string;
  /** The module the callback belongs to (its per-vnet state is VnetModState `module`). */
  readonly module: string;
  readonly subsystem: number;
  readonly order: number;
  /**
   * vs->func(vs->arg). Runs on curvnet; entry and exit: vnet_sysinit_sxlock
   * held (shared from vnet_sysinit/vnet_sysuninit, exclusive from the
   * register/deregister calls).
   */
  readonly func: (ex: Execution, vg: VnetGlobals) => KThread<void>;
}

/** Ghost: a module's per-vnet instance (what its constructor built in the vnet's V_ data). */
export interface VnetModState {
  ctor: number;
  dtor: number;
  /** What the constructor malloc'ed (a hash table, a zone); freed by the destructor. */
  mem: KMem | null;
  /** A per-vnet UMA zone the constructor created (V_tcpcb_zone ...), destroyed by the destructor. */
  zone?: UmaZone;
}

/** Ghost record of one callback run on a vnet, for the ordering specs. */
export interface VnetCall {
  readonly vs: VnetSysinit;
  readonly phase: 'ctor' | 'dtor';
  /** The walk that ran it: vnet_sysinit/vnet_sysuninit (the vnet's own lifecycle) or a (de)registration. */
  readonly pass: 'sysinit' | 'sysuninit' | 'register' | 'deregister';
  /** Ghost: the order of the start among all callback starts and ends of the run. */
  readonly seq: number;
  /** Ghost: the same for the return of the callback; null while it runs. */
  endSeq: number | null;
}

/** struct vnet. */
export class Vnet {
  /** struct vnet and its vnet_data_mem (freed together by vnet_destroy). */
  readonly mem: KMem;
  readonly m: MachineRef;
  /** vnet_le.le_next; written under VNET_LIST_WLOCK. LIST_REMOVE leaves it as it was. */
  next: Vnet | null = null;
  /** Ghost: on vnet_head. */
  listed = false;
  /** vnet_sockcnt: sockets of this vnet (vnet_destroy KASSERTs 0). */
  sockcnt = 0;
  /** vnet_state (later vnet.c): the subsystem of the callback last run. Written by the thread running the constructors. */
  state = 0;
  /** Ghost: per-module instance state. */
  readonly mods = new Map<string, VnetModState>();
  /** Ghost: the callbacks run on this vnet, in order. */
  readonly calls: VnetCall[] = [];
  /** References that keep the vnet from being destroyed (the prison's pr_ref, fixed UMA-OUTLIVE model); null where nothing counts them. */
  ref: KRefcount | null = null;
  constructor(
    ex: Execution,
    readonly name: string,
    cov: MachineCoverage,
  ) {
    this.mem = new KMem(ex, `vnet ${name}`);
    this.m = new MachineRef(vnetMachine(), `vnet ${name}`, cov);
  }
  mod(module: string): VnetModState {
    let s = this.mods.get(module);
    if (!s) this.mods.set(module, (s = { ctor: 0, dtor: 0, mem: null }));
    return s;
  }
}

/** The globals of vnet.c. */
export class VnetGlobals {
  /** vnet_sysinit_sxlock. */
  readonly sysinitSx: KRwlock;
  /** vnet_sxlock and vnet_rwlock: VNET_LIST_WLOCK takes both exclusive. */
  readonly listSx: KRwlock;
  readonly listRw: KRwlock;
  /** vnet_head; written under VNET_LIST_WLOCK. */
  head: Vnet | null = null;
  /** vnet_constructors, sorted by (subsystem, order); protected by sysinitSx. */
  readonly constructors: VnetSysinit[] = [];
  /** vnet_destructors, sorted the same way, walked in reverse; protected by sysinitSx. */
  readonly destructors: VnetSysinit[] = [];
  vnet0: Vnet | null = null;
  /** td_vnet of each thread (curvnet): thread-local. */
  readonly curvnet = new Map<Thread, Vnet | null>();
  /** Ghost object for the words vnet_head and every le_next (walked unlocked by the register calls). */
  readonly listObj: number;
  /** Ghost object written at every change the VN-* and I* specs watch. */
  readonly vnObj: number;
  /** Ghost: every vnet ever allocated. */
  readonly all: Vnet[] = [];
  /** Ghost: V_ accesses made with curvnet other than the vnet that owns the object (VN-3). */
  readonly wrongVnet: { who: string; what: string; intended: string; actual: string }[] = [];
  /** Ghost: entry points that returned with curvnet other than on entry (VN-4). */
  readonly unbalanced: { who: string; entry: string; before: string; after: string }[] = [];
  /** Ghost: runs of global (not per-vnet) initialisation, by what they initialise (VN-1). */
  readonly globalInits = new Map<string, number>();
  /** Ghost: UMA zones ever created (VN-5). */
  readonly zones: { name: string; destroyedWithItems: number }[] = [];
  /** Ghost: counter of callback starts and ends (VnetCall.seq). */
  seq = 0;
  readonly cov: MachineCoverage;
  constructor(readonly ex: Execution) {
    this.sysinitSx = new KRwlock(ex, 'vnet_sysinit_sxlock');
    this.listSx = new KRwlock(ex, 'vnet_sxlock');
    this.listRw = new KRwlock(ex, 'vnet_rwlock');
    this.listObj = ex.newObject('vnet_head/le_next', 'ghost');
    this.vnObj = ex.newObject('vnet ghost', 'ghost');
    this.cov = MachineCoverage.of(ex.options.run);
  }
  /** The vnets on vnet_head, head first. */
  listed(): Vnet[] {
    const out: Vnet[] = [];
    for (let v = this.head; v !== null; v = v.next) out.push(v);
    return out;
  }
}

const vname = (v: Vnet | null): string => (v ? v.name : 'NULL');

/** curvnet: the running thread's td_vnet. */
export function curvnet(ex: Execution, vg: VnetGlobals): Vnet | null {
  return vg.curvnet.get(ex.currentThread()) ?? null;
}

/**
 * CURVNET_SET(vnet) / CURVNET_SET_QUIET: save curvnet in the caller's local
 * (saved_vnet) and make `v` current. Thread-local: not a scheduling point.
 * Returns the saved value for CURVNET_RESTORE.
 */
export function curvnetSet(ex: Execution, vg: VnetGlobals, v: Vnet | null): Vnet | null {
  const t = ex.currentThread();
  const saved = vg.curvnet.get(t) ?? null;
  vg.curvnet.set(t, v);
  return saved;
}

/** CURVNET_RESTORE(): curvnet = saved_vnet. */
export function curvnetRestore(ex: Execution, vg: VnetGlobals, saved: Vnet | null): void {
  vg.curvnet.set(ex.currentThread(), saved);
}

/** IS_DEFAULT_VNET(curvnet). */
export function isDefaultVnet(ex: Execution, vg: VnetGlobals): boolean {
  return curvnet(ex, vg) === vg.vnet0;
}

/**
 * A V_ access: V_x resolves through curvnet (vnet_data_base + &x). `owner`
 * is the vnet whose object the code means (ifp->if_vnet for an ifnet's
 * task); a mismatch is recorded for VN-3. With curvnet NULL the C code
 * dereferences NULL: nothing is touched here, the mismatch is the report.
 * An unlocked access (a scheduling point) unless `locked`.
 */
export function* vAccess(ex: Execution, vg: VnetGlobals, owner: Vnet, mode: 'r' | 'w', what: string, locked = false, site?: string): KThread<void> {
  const cur = curvnet(ex, vg);
  if (cur !== owner) {
    vg.wrongVnet.push({ who: ex.currentThread().name, what, intended: owner.name, actual: vname(cur) });
    yield* localAccess(vg.vnObj, 'w', `V_${what} with curvnet ${vname(cur)}`);
  }
  if (cur !== null) yield* memAccess(cur.mem, mode, `V_${what}`, !locked, site);
}

/**
 * Ghost monitor of an entry point (a task handler, a callout, a syscall):
 * runs `body` and records, for VN-4, a return with curvnet other than on
 * entry (a CURVNET_SET without its CURVNET_RESTORE leaks the context into
 * the thread, here a taskqueue worker that runs other tasks next).
 */
export function* vnetEntry<T>(ex: Execution, vg: VnetGlobals, entry: string, body: KThread<T>): KThread<T> {
  const before = curvnet(ex, vg);
  const r = yield* body;
  const after = curvnet(ex, vg);
  if (after !== before) {
    vg.unbalanced.push({ who: ex.currentThread().name, entry, before: vname(before), after: vname(after) });
    yield* localAccess(vg.vnObj, 'w', 'curvnet at exit');
  }
  return r;
}

/** VNET_LIST_WLOCK(): sx_xlock(&vnet_sxlock); rw_wlock(&vnet_rwlock). Entry: neither held. */
function* vnetListWlock(vg: VnetGlobals, site?: string): KThread<void> {
  yield* rwEnter(vg.listSx, 'RW_WRITER', site);
  yield* rwEnter(vg.listRw, 'RW_WRITER', site);
}

/** VNET_LIST_WUNLOCK(): rw_wunlock(&vnet_rwlock); sx_xunlock(&vnet_sxlock). */
function* vnetListWunlock(vg: VnetGlobals, site?: string): KThread<void> {
  yield* rwExit(vg.listRw, site);
  yield* rwExit(vg.listSx, site);
}

/**
 * VNET_FOREACH(vnet) { CURVNET_SET_QUIET(vnet); vs->func(vs->arg);
 * CURVNET_RESTORE(); } as vnet_register_sysinit and
 * vnet_deregister_sysuninit write it: under the sysinit sx only, so each
 * load of vnet_head or le_next is an unlocked read racing with
 * LIST_INSERT_HEAD / LIST_REMOVE (a removed vnet keeps its le_next, so
 * the walk goes on past it).
 */
function* vnetForeachRun(ex: Execution, vg: VnetGlobals, vs: VnetSysinit, phase: 'ctor' | 'dtor'): KThread<void> {
  kassert(RW_WRITE_HELD(ex, vg.sysinitSx), 'VNET_SYSINIT_WLOCK held');
  yield* access(vg.listObj, 'r', 'vnet_head', L('220-224'));
  let v = vg.head;
  while (v !== null) {
    const saved = curvnetSet(ex, vg, v);
    yield* runCallback(ex, vg, v, vs, phase, phase === 'ctor' ? 'register' : 'deregister');
    curvnetRestore(ex, vg, saved);
    yield* access(vg.listObj, 'r', `${v.name}->vnet_le.le_next`);
    yield* memAccess(v.mem, 'r', 'vnet_le.le_next', true);
    v = v.next;
  }
}

/** Run one callback on curvnet `v`, with the ghost record of it. */
function* runCallback(ex: Execution, vg: VnetGlobals, v: Vnet, vs: VnetSysinit, phase: 'ctor' | 'dtor', pass: VnetCall['pass']): KThread<void> {
  kassert(curvnet(ex, vg) === v, 'curvnet is the vnet being walked');
  const call: VnetCall = { vs, phase, pass, seq: vg.seq++, endSeq: null };
  v.calls.push(call);
  yield* localAccess(vg.vnObj, 'w', `${vs.name} on ${v.name}`);
  yield* vs.func(ex, vg);
  call.endSeq = vg.seq++;
  yield* localAccess(vg.vnObj, 'w', `${vs.name} on ${v.name} returned`);
}

/**
 * vnet_sysinit(). Entry: curvnet is the new vnet; no lock held. Takes
 * VNET_SYSINIT_RLOCK and runs every constructor on curvnet in list order
 * (ascending subsystem, order), setting vnet_state to each one's
 * subsystem. `locked`: the caller already holds the sx shared (the
 * candidate fix of FB-2 keeps it across the list insertion).
 */
export function* vnetSysinit(ex: Execution, vg: VnetGlobals, locked = false): KThread<void> {
  const v = curvnet(ex, vg);
  kassert(v !== null, 'curvnet != NULL in vnet_sysinit');
  if (!locked) yield* rwEnter(vg.sysinitSx, 'RW_READER', L('6-10'));
  else kassert(RW_LOCK_HELD(ex, vg.sysinitSx), 'VNET_SYSINIT_RLOCK held');
  yield* localAccess(vg.vnObj, 'r', 'vnet_constructors');
  for (let i = 0; i < vg.constructors.length; i++) {
    const vs = vg.constructors[i]!;
    v.state = vs.subsystem; // curvnet->vnet_state = vs->subsystem
    yield* runCallback(ex, vg, v, vs, 'ctor', 'sysinit');
  }
  if (!locked) yield* rwExit(vg.sysinitSx);
}

/**
 * vnet_sysuninit(). Entry: curvnet is the dying vnet; no lock held (or,
 * `locked`, the sx shared: candidate fix of FB-3). Runs the destructors in
 * reverse list order under VNET_SYSINIT_RLOCK.
 */
export function* vnetSysuninit(ex: Execution, vg: VnetGlobals, locked = false): KThread<void> {
  const v = curvnet(ex, vg);
  kassert(v !== null, 'curvnet != NULL in vnet_sysuninit');
  if (!locked) yield* rwEnter(vg.sysinitSx, 'RW_READER');
  else kassert(RW_LOCK_HELD(ex, vg.sysinitSx), 'VNET_SYSINIT_RLOCK held');
  yield* localAccess(vg.vnObj, 'r', 'vnet_destructors');
  for (let i = vg.destructors.length - 1; i >= 0; i--) {
    const vs = vg.destructors[i]!;
    v.state = vs.subsystem;
    yield* runCallback(ex, vg, v, vs, 'dtor', 'sysuninit');
  }
  if (!locked) yield* rwExit(vg.sysinitSx);
}

/**
 * vnet_alloc(). Entry and exit: no lock held. malloc (M_WAITOK: never
 * fails) and copy the master V_ image; CURVNET_SET_QUIET(vnet);
 * vnet_sysinit(); CURVNET_RESTORE(); then VNET_LIST_WLOCK and
 * LIST_INSERT_HEAD. Between the sx release in vnet_sysinit and the list
 * insertion the vnet is on neither the sysinit walk of a concurrent
 * vnet_register_sysinit nor vnet_head (finding FB-2).
 *
 * `fixListUnderSysinit` (candidate fix of FB-2): hold the sysinit sx
 * shared from before the constructors until the vnet is listed, so a
 * registration either precedes the constructors or sees the vnet listed.
 */
export function* vnetAlloc(ex: Execution, vg: VnetGlobals, name: string, fixListUnderSysinit = false): KThread<Vnet> {
  const v = new Vnet(ex, name, vg.cov);
  vg.all.push(v);
  yield* memAccess(v.mem, 'w', 'vnet_data_mem (memcpy of the master image)');
  if (fixListUnderSysinit) yield* rwEnter(vg.sysinitSx, 'RW_READER');
  const saved = curvnetSet(ex, vg, v); // CURVNET_SET_QUIET(vnet)
  yield* vnetSysinit(ex, vg, fixListUnderSysinit);
  curvnetRestore(ex, vg, saved);
  v.m.send('INIT');
  yield* localAccess(vg.vnObj, 'w', `${name} initialized`);
  yield* vnetListWlock(vg);
  v.next = vg.head; // LIST_INSERT_HEAD(&vnet_head, vnet, vnet_le)
  vg.head = v;
  v.listed = true;
  yield* localAccess(vg.listObj, 'w', 'LIST_INSERT_HEAD');
  yield* localAccess(vg.vnObj, 'w', `${name} listed`);
  yield* vnetListWunlock(vg);
  if (fixListUnderSysinit) yield* rwExit(vg.sysinitSx);
  return v;
}

/**
 * vnet_destroy(vnet). Entry and exit: no lock held; the caller (prison
 * removal) guarantees nobody else uses the vnet: vnet_sockcnt is
 * KASSERTed 0, nothing else is counted. VNET_LIST_WLOCK and LIST_REMOVE
 * first, then CURVNET_SET_QUIET and vnet_sysuninit, then free. Between the
 * unlisting and vnet_sysuninit's sx the vnet is invisible to a concurrent
 * vnet_deregister_sysuninit (finding FB-3).
 *
 * `fixUnlistUnderSysinit` (candidate fix of FB-3): take the sysinit sx
 * shared before unlisting and keep it across the destructors.
 */
export function* vnetDestroy(ex: Execution, vg: VnetGlobals, v: Vnet, fixUnlistUnderSysinit = false): KThread<void> {
  yield* memAccess(v.mem, 'r', 'vnet_sockcnt', true);
  kassert(v.sockcnt === 0, () => `vnet_destroy: vnet ${v.name} still has sockets`);
  if (fixUnlistUnderSysinit) yield* rwEnter(vg.sysinitSx, 'RW_READER');
  yield* vnetListWlock(vg);
  // LIST_REMOVE(vnet, vnet_le): the predecessor's le_next (or vnet_head) skips v; v.next is left as it was.
  if (vg.head === v) vg.head = v.next;
  else for (let p = vg.head; p !== null; p = p.next) if (p.next === v) p.next = v.next;
  v.listed = false;
  yield* localAccess(vg.listObj, 'w', 'LIST_REMOVE');
  v.m.send('DESTROY');
  yield* localAccess(vg.vnObj, 'w', `${v.name} unlisted`);
  yield* vnetListWunlock(vg);
  const saved = curvnetSet(ex, vg, v);
  yield* vnetSysuninit(ex, vg, fixUnlistUnderSysinit);
  curvnetRestore(ex, vg, saved);
  if (fixUnlistUnderSysinit) yield* rwExit(vg.sysinitSx);
  yield* kmemFree(v.mem); // free(vnet->vnet_data_mem); free(vnet, M_VNET)
  v.m.send('FREE');
  yield* localAccess(vg.vnObj, 'w', `${v.name} freed`);
}

/** Ordered insertion of vnet_register_sysinit / vnet_register_sysuninit: before the first entry with a greater (subsystem, order). */
function sortedInsert(list: VnetSysinit[], vs: VnetSysinit): void {
  let i = 0;
  for (; i < list.length; i++) {
    const o = list[i]!;
    if (o.subsystem > vs.subsystem) break;
    if (o.subsystem === vs.subsystem && o.order > vs.order) break;
  }
  list.splice(i, 0, vs);
}

/**
 * vnet_register_sysinit(vs) (a module's VNET_SYSINIT, at load). Entry and
 * exit: no lock held. Under VNET_SYSINIT_WLOCK: insert the constructor in
 * order, then run it on every vnet on vnet_head (VNET_FOREACH without the
 * list lock).
 */
export function* vnetRegisterSysinit(ex: Execution, vg: VnetGlobals, vs: VnetSysinit): KThread<void> {
  kassert(vs.subsystem > SI_SUB.VNET, 'vnet sysinit too early');
  yield* rwEnter(vg.sysinitSx, 'RW_WRITER', L('115-119'));
  sortedInsert(vg.constructors, vs);
  yield* localAccess(vg.vnObj, 'w', 'vnet_constructors');
  yield* vnetForeachRun(ex, vg, vs, 'ctor');
  yield* rwExit(vg.sysinitSx);
}

/** vnet_deregister_sysinit(vs) (unload). Entry and exit: no lock held. Removes the constructor under VNET_SYSINIT_WLOCK; runs nothing. */
export function* vnetDeregisterSysinit(ex: Execution, vg: VnetGlobals, vs: VnetSysinit): KThread<void> {
  yield* rwEnter(vg.sysinitSx, 'RW_WRITER');
  const i = vg.constructors.indexOf(vs);
  kassert(i >= 0, () => `${vs.name} is on vnet_constructors`);
  vg.constructors.splice(i, 1);
  yield* localAccess(vg.vnObj, 'w', 'vnet_constructors');
  yield* rwExit(vg.sysinitSx);
}

/** vnet_register_sysuninit(vs) (load). Entry and exit: no lock held. Inserts the destructor in order under VNET_SYSINIT_WLOCK; runs nothing. */
export function* vnetRegisterSysuninit(ex: Execution, vg: VnetGlobals, vs: VnetSysinit): KThread<void> {
  yield* rwEnter(vg.sysinitSx, 'RW_WRITER');
  sortedInsert(vg.destructors, vs);
  yield* localAccess(vg.vnObj, 'w', 'vnet_destructors');
  yield* rwExit(vg.sysinitSx);
}

/**
 * vnet_deregister_sysuninit(vs) (unload). Entry and exit: no lock held.
 * Under VNET_SYSINIT_WLOCK: run the destructor on every vnet on vnet_head
 * (VNET_FOREACH without the list lock), then remove it.
 */
export function* vnetDeregisterSysuninit(ex: Execution, vg: VnetGlobals, vs: VnetSysinit): KThread<void> {
  yield* rwEnter(vg.sysinitSx, 'RW_WRITER');
  yield* vnetForeachRun(ex, vg, vs, 'dtor');
  const i = vg.destructors.indexOf(vs);
  kassert(i >= 0, () => `${vs.name} is on vnet_destructors`);
  vg.destructors.splice(i, 1);
  yield* localAccess(vg.vnObj, 'w', 'vnet_destructors');
  yield* rwExit(vg.sysinitSx);
}
