/**
 * Spec monitors of the netstack model. The model reports callbacks,
 * returns, holds, lookups and reaps through the NetstackObserver interface;
 * the monitor checks each property at the step where it can first be
 * violated and fails the execution naming the spec. Every callback event
 * writes the ghost object of its (netstack, module), so DPOR orders all
 * callbacks of one (netstack, module) against each other. What a check reads
 * is in the step's footprint: ns_reg, the list and nms_flags record
 * themselves (tracked.ts), as do the ghosts creator and tornDown; a
 * netstack_lock-protected field read without the lock reads the lock's
 * object (which every critical section of it writes); the callback histories
 * read are their ghost objects.
 */
import { registerSpecStatements } from '../../core/spec.ts';
import { kfail } from '../../core/errors.ts';
import type { Execution } from '../../core/execution.ts';
import { type ApplyCaller, PHASE_BITS } from '../../actors/netstack/apply.ts';
import {
  type CbKind,
  type Netstack,
  type NetstackGlobals,
  type NetstackObserver,
  NSF_CLOSING,
  NSF_UNINIT,
  NSF_ZONE_CREATE,
  NSS_ALL_INPROGRESS,
  NSS_CREATE_COMPLETED,
  NSS_CREATE_INPROGRESS,
  NSS_CREATE_NEEDED,
  NSS_DESTROY_NEEDED,
  NSS_SHUTDOWN_NEEDED,
} from '../../actors/netstack/types.ts';

type Phase = 'no' | 'running' | 'done';

/**
 * What netstack.c intends for the callbacks that one invocation of each
 * caller of the apply_all_* walks runs: which kinds, in which order of
 * kinds (`kinds`, each kind's callbacks all before the next kind's), and in
 * which order of module ids within a kind.
 *  - netstack_zone_create, L411: apply_all_modules, creates in increasing
 *    module id (the order the modules depend on each other).
 *  - netstack_register, L215: apply_all_netstacks for its own module id;
 *    the order over stacks is not specified (the walk restarts at the head).
 *  - netstack_zone_shutdown, L476: apply_all_modules_reverse, shutdowns in
 *    decreasing module id.
 *  - netstack_stack_inactive, L575-588: "we tear them down in the reverse
 *    order of what was used to create them": all shutdowns, then all
 *    destroys, each walk in decreasing module id.
 *  - netstack_unregister, L291-292: one module across the stacks, the
 *    shutdown walk before the destroy walk.
 * Callbacks of different invocations (another caller, another stack) are
 * not ordered by this table; cb-seq orders the callbacks of one instance.
 */
export const INTENDED_ORDER: Record<ApplyCaller, { spec: 'create-order' | 'teardown-order'; kinds: CbKind[]; modules: 'increasing' | 'decreasing' | 'own'; cite: string }> = {
  zone_create: { spec: 'create-order', kinds: ['create'], modules: 'increasing', cite: 'netstack.c L411' },
  register: { spec: 'create-order', kinds: ['create'], modules: 'own', cite: 'netstack.c L215' },
  zone_shutdown: { spec: 'teardown-order', kinds: ['shutdown'], modules: 'decreasing', cite: 'netstack.c L476' },
  stack_inactive: { spec: 'teardown-order', kinds: ['shutdown', 'destroy'], modules: 'decreasing', cite: 'netstack.c L575-588' },
  unregister: { spec: 'teardown-order', kinds: ['shutdown', 'destroy'], modules: 'own', cite: 'netstack.c L291-292' },
};

interface Life {
  create: Phase;
  shutdown: Phase;
  destroy: Phase;
  /** The registration had an nr_shutdown when its create started. */
  hasShutdown: boolean;
}

/** Names and one-line statements of the monitor's specs. */
export const NETSTACK_SPECS = {
  'cb-once': 'each callback (create, shutdown, destroy) runs at most once per (netstack, module, registration)',
  'cb-seq': 'per (netstack, module, registration): create completes before shutdown, shutdown (if the module has one) completes before destroy',
  'cb-no-overlap': 'no two callbacks of one (netstack, module) run at the same time',
  'cb-not-after-teardown': 'no callback starts on a netstack that stack_inactive has torn down (or that was freed)',
  'create-order': "while a zone is being created only its creator runs creates on its stack; each caller's creates run as INTENDED_ORDER says (zone_create: increasing module id; register: its own module only)",
  'teardown-order': "each caller's shutdowns and destroys run as INTENDED_ORDER says (zone_shutdown: decreasing module id; stack_inactive: every shutdown, then every destroy, each in decreasing module id; unregister: its own module only, every shutdown before any destroy)",
  'apply-all-post': 'when apply_all_netstacks returns, no stack on the list has the pass NEEDED or anything INPROGRESS for the module',
  'register-post': 'when netstack_register returns, every stack it marked that is not closing (or freed) since has the module created',
  'unregister-post': 'when netstack_unregister returns, no stack has anything NEEDED or INPROGRESS for the module, every instance of the registration is destroyed and no callback of the module is running',
  'no-hold-after-last-rele': 'no reference is taken on a netstack after its last release (refcnt never goes 0 -> 1)',
  'lookup-active': 'lookups never hand out a reference to an uninitialized or closing netstack',
  'one-reap': 'each netstack is reaped at most once',
  'shutdown-in-use': "netstack_zone_shutdown does not mark a stack's modules for shutdown while another zone uses it (numzones > 1)",
} as const;

/**
 * The monitor's maps are ghost state of one execution, written only from
 * the model's observer calls (NetstackObserver), each inside the step that
 * makes the event, so no lock protects them: a step runs alone. They are
 * never model state (no footprint): the model never reads them.
 */
export class NetstackMonitor implements NetstackObserver {
  /** (netstack, module, registration epoch) -> where each of its callbacks is (Phase). */
  private readonly lives = new Map<string, Life>();
  /** (netstack, module) -> running callback and its thread. */
  private readonly running = new Map<string, { kind: CbKind; thread: string; m: number }>();
  /** invocation (ghost pass name) -> the kind index and module id of its last callback, while the invocation runs (invocationDone forgets it). */
  private readonly passLast = new Map<string, { k: number; m: number }>();

  private life(ns: Netstack, m: number, epoch: number): Life {
    const k = `${ns.name}|${m}|${epoch}`;
    let l = this.lives.get(k);
    if (!l) this.lives.set(k, (l = { create: 'no', shutdown: 'no', destroy: 'no', hasShutdown: false }));
    return l;
  }

  /** Callbacks of module m running now (any stack). */
  runningOf(m: number): string[] {
    return [...this.running.entries()].filter(([, r]) => r.m === m).map(([k, r]) => `${r.kind} on ${k} by ${r.thread}`);
  }

  callback(ex: Execution, g: NetstackGlobals, ns: Netstack, m: number, kind: CbKind, phase: 'start' | 'end', epoch: number, pass: string): void {
    ex.touch(ns.mstate[m]!.obj, true);
    // Reads without netstack_lock: tornDown and creator record themselves
    // (phaseObj); NSF_ZONE_CREATE changes in the steps that set creator.
    ex.touch(ns.phaseObj, false);
    ex.touch(ns.mem.id, false);
    const key = `${ns.name}|${m}`;
    const who = ex.current ? ex.current.name : 'setup';
    const l = this.life(ns, m, epoch);
    const what = `${kind}(${ns.name}, module ${m}, registration ${epoch})`;
    if (phase === 'end') {
      l[kind] = 'done';
      this.running.delete(key);
      return;
    }
    const r = this.running.get(key);
    if (r) kfail('invariant', 'cb-no-overlap', `${what} by ${who} starts while ${r.kind} by ${r.thread} is still running`);
    if (l[kind] !== 'no') kfail('invariant', 'cb-once', `${what} by ${who} runs a second time`);
    if (ns.tornDown || ns.mem.freed) kfail('invariant', 'cb-not-after-teardown', `${what} by ${who} starts after ${ns.name} was torn down${ns.mem.freed ? ' and freed' : ''}`);
    if (kind === 'create') {
      l.hasShutdown = g.reg[m]!.shutdown !== null;
      if (ns.flags & NSF_ZONE_CREATE && ex.current && ex.current.id !== ns.creator) {
        kfail('invariant', 'create-order', `${what} by ${who} while the zone creator of ${ns.name} is still creating`);
      }
    }
    if (kind === 'shutdown' && l.create !== 'done') kfail('invariant', 'cb-seq', `${what} by ${who} before its create completed`);
    if (kind === 'shutdown' && l.destroy !== 'no') kfail('invariant', 'cb-seq', `${what} by ${who} after its destroy`);
    if (kind === 'destroy' && l.create !== 'done') kfail('invariant', 'cb-seq', `${what} by ${who} before its create completed`);
    if (kind === 'destroy' && l.hasShutdown && l.shutdown !== 'done') kfail('invariant', 'cb-seq', `${what} by ${who} without its shutdown having run (shutdown ${l.shutdown})`);
    if (pass !== 'setup') this.checkOrder(pass, kind, m, `${what} by ${who}`);
    l[kind] = 'running';
    this.running.set(key, { kind, thread: who, m });
  }

  /** create-order / teardown-order: the callback `kind` on module m, run by invocation `pass`, against INTENDED_ORDER. */
  private checkOrder(pass: string, kind: CbKind, m: number, what: string): void {
    const [caller, subject] = pass.split('|') as [ApplyCaller, string];
    const rule = INTENDED_ORDER[caller];
    if (!rule) kfail('invariant', 'create-order', `${what}: unknown caller ${caller}`);
    const k = rule.kinds.indexOf(kind);
    const name = `netstack_${caller}`;
    if (k < 0) kfail('invariant', rule.spec, `${what}: ${name} runs no ${kind} callbacks (${rule.cite})`);
    if (rule.modules === 'own' && String(m) !== subject) kfail('invariant', rule.spec, `${what}: ${name}(${subject}) runs a callback of module ${m} (${rule.cite})`);
    const last = this.passLast.get(pass);
    if (last !== undefined) {
      if (k < last.k) kfail('invariant', rule.spec, `${what}: ${name}(${subject}) runs a ${kind} after its ${rule.kinds[last.k]} of module ${last.m} (${rule.cite})`);
      if (k === last.k && rule.modules === 'increasing' && m <= last.m) kfail('invariant', rule.spec, `${what}: ${name}(${subject}) runs module ${m} after module ${last.m}, not in increasing module id (${rule.cite})`);
      if (k === last.k && rule.modules === 'decreasing' && m >= last.m) kfail('invariant', rule.spec, `${what}: ${name}(${subject}) runs module ${m} after module ${last.m}, not in decreasing module id (${rule.cite})`);
    }
    this.passLast.set(pass, { k, m });
  }

  applyAllDone(_ex: Execution, g: NetstackGlobals, m: number, kind: CbKind): void {
    const need = PHASE_BITS[kind].needed;
    for (let ns = g.head; ns !== null; ns = ns.next) {
      const f = ns.mstate[m]!.flags;
      if (f & (need | NSS_ALL_INPROGRESS)) kfail('invariant', 'apply-all-post', `apply_all_netstacks(${kind}, module ${m}) returns with ${ns.name} flags 0x${f.toString(16)}`);
    }
  }

  registerDone(ex: Execution, _g: NetstackGlobals, m: number, marked: Netstack[]): void {
    for (const ns of marked) {
      ex.touch(ns.mem.id, false);
      ex.touch(ns.lock.id, false);
      if (ns.mem.freed || ns.flags & NSF_CLOSING) continue;
      const f = ns.mstate[m]!.flags;
      if (!(f & NSS_CREATE_COMPLETED) || f & (NSS_CREATE_NEEDED | NSS_CREATE_INPROGRESS)) {
        kfail('invariant', 'register-post', `netstack_register(${m}) returns with ${ns.name} flags 0x${f.toString(16)} (module not created)`);
      }
    }
  }

  unregisterDone(ex: Execution, g: NetstackGlobals, m: number, epoch: number): void {
    // Reads the instances and running callbacks of module m on every stack.
    for (const ns of g.all) ex.touch(ns.mstate[m]!.obj, false);
    for (let ns = g.head; ns !== null; ns = ns.next) {
      const f = ns.mstate[m]!.flags;
      if (f & (NSS_CREATE_NEEDED | NSS_SHUTDOWN_NEEDED | NSS_DESTROY_NEEDED | NSS_ALL_INPROGRESS)) {
        kfail('invariant', 'unregister-post', `netstack_unregister(${m}) returns with ${ns.name} flags 0x${f.toString(16)}`);
      }
    }
    for (const inst of g.instances) {
      if (inst.m === m && inst.epoch === epoch && !inst.destroyed) kfail('invariant', 'unregister-post', `netstack_unregister(${m}) returns with the instance on ${inst.ns.name} not destroyed`);
    }
    const run = this.runningOf(m);
    if (run.length > 0) kfail('invariant', 'unregister-post', `netstack_unregister(${m}) returns while ${run.join(', ')} runs`);
  }

  hold(_ex: Execution, _g: NetstackGlobals, ns: Netstack): void {
    if (ns.lastReleased || ns.refcnt === 0) kfail('invariant', 'no-hold-after-last-rele', `hold on ${ns.name} after its last release (refcnt ${ns.refcnt})`);
  }

  lookup(_ex: Execution, _g: NetstackGlobals, ns: Netstack, fn: string): void {
    if (ns.flags & (NSF_UNINIT | NSF_CLOSING)) kfail('invariant', 'lookup-active', `${fn} returns ${ns.name} with flags 0x${ns.flags.toString(16)}`);
  }

  zoneShutdownMarked(_ex: Execution, _g: NetstackGlobals, ns: Netstack, marked: number[]): void {
    // numzones is read holding netstack_lock, taken (a write of the lock's
    // object) at L444 in this very step; the marks are nms_flags writes.
    if (marked.length > 0 && ns.numzones > 1) {
      kfail('invariant', 'shutdown-in-use', `netstack_zone_shutdown marks module${marked.length > 1 ? 's' : ''} ${marked.join(', ')} of ${ns.name} for shutdown while numzones is ${ns.numzones} (zones ${ns.zones.join(', ')})`);
    }
  }

  reapDispatched(_ex: Execution, _g: NetstackGlobals, ns: Netstack): void {
    if (ns.reaps > 1) kfail('invariant', 'one-reap', `${ns.name} reaped ${ns.reaps} times`);
  }

  /**
   * The invocation will run no more callbacks: its passLast entry can never
   * be read again. Dropping it keeps the monitor's state a function of what
   * is still running, not of the order in which finished walks ran.
   */
  invocationDone(_ex: Execution, _g: NetstackGlobals, pass: string): void {
    this.passLast.delete(pass);
  }

  /** Apply-walk invocations that have run a callback and not yet returned (passLast's entries; for tests and reports). */
  get invocationsRunning(): number {
    return this.passLast.size;
  }
}

// The monitor raises its specs inline (kfail) as callbacks start and end:
// their statements, for failure reports.
registerSpecStatements(NETSTACK_SPECS);
