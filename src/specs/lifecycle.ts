/**
 * Lifecycle invariants common to the illumos netstack and FreeBSD VNET,
 * written once over a system-neutral view of each model: instances (a
 * netstack_t, a struct vnet), modules (a netstack module id, a
 * VNET_SYSINIT's module), and the callbacks run on an (instance, module)
 * pair (create, shutdown, destroy; VNET has no shutdown). Each system
 * supplies a LifecycleView of its own ghost state:
 *  - the netstack model reports callbacks through its NetstackObserver;
 *    `NetstackLifecycleObserver` records them in a LifecycleLog and passes
 *    every event on to the netstack monitor, so its own specs still apply;
 *  - the VNET model records its callbacks (Vnet.calls) itself, and
 *    `vnetLifecycleView` reads them.
 *
 * The specs (names of the common invariants I1-I8 of the ifnet/vnet
 * analysis):
 *  - I1 (end): every live instance has every registered module created
 *    once, and nothing of a module that is no longer registered;
 *  - I2: an instance's own creation walk runs creates in ascending module
 *    order, its own teardown walks shutdowns/destroys in descending order
 *    (late registration is out of order in both systems, by design);
 *  - I3: at most one callback of an (instance, module) in flight;
 *  - I4: per (instance, module, registration) each phase at most once,
 *    shutdown and destroy only after the create returned, nothing after
 *    the destroy began;
 *  - I8: a freed instance has no module created and not destroyed.
 * I5 (memory safety) is the ghost memory in both; I6, I7, I9, I10 are
 * checked by each system's own specs where it has them.
 */
import type { Netstack, NetstackGlobals, NetstackObserver, CbKind } from '../actors/netstack/types.ts';
import { NRF_REGISTERED, NSF_CLOSING, NSF_UNINIT } from '../actors/netstack/types.ts';
import type { VnetGlobals } from '../actors/ifnet/vnet.ts';
import type { Execution } from '../core/execution.ts';
import type { EndCheck, Invariant } from '../core/spec.ts';
import { opaqueToGuard } from '../core/guard.ts';

export type LifeKind = 'create' | 'shutdown' | 'destroy';

/** One callback start or end. */
export interface LifeEvent {
  readonly instance: string;
  readonly module: string;
  /** The module's place in the registry order (compared lexicographically). */
  readonly rank: readonly number[];
  readonly kind: LifeKind;
  readonly phase: 'start' | 'end';
  readonly epoch: number;
  /** The walk that ran it: the instance's own creation or teardown, a (de)registration, or boot. */
  readonly walk: 'own-create' | 'own-teardown' | 'registry' | 'boot';
  /** One invocation of a walk (its callbacks are ordered against each other by I2). */
  readonly walkId: string;
}

export interface LifeInstance {
  readonly name: string;
  readonly freed: boolean;
  /** Active and visible: listed, fully built, not being torn down. */
  readonly live: boolean;
}

/** What the common specs read of a model. `obj`: the ghost object written whenever any of it changes. */
export interface LifecycleView {
  readonly obj: number;
  events(): readonly LifeEvent[];
  instances(): readonly LifeInstance[];
  /** Modules registered now. */
  registered(): readonly string[];
}

function cmpRank(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Per (instance, module): creates and destroys that returned. */
function balance(events: readonly LifeEvent[]): Map<string, { created: number; destroyed: number }> {
  const out = new Map<string, { created: number; destroyed: number }>();
  for (const e of events) {
    if (e.phase !== 'end' || e.kind === 'shutdown') continue;
    const k = `${e.instance}|${e.module}`;
    let b = out.get(k);
    if (!b) out.set(k, (b = { created: 0, destroyed: 0 }));
    if (e.kind === 'create') b.created++;
    else b.destroyed++;
  }
  return out;
}

/** The common specs, for a scenario whose state gives its LifecycleView through `view`. */
export function lifecycleSpecs<S>(view: (s: S) => LifecycleView): { invariants: Invariant<S>[]; endChecks: EndCheck<S>[] } {
  const i2: Invariant<S> = {
    name: 'I2',
    statement: "an instance's own creation runs creates in ascending module order, its own teardown shutdowns and destroys in descending order",
    watches: (s) => [view(s).obj],
    check: (s) => {
      const last = new Map<string, LifeEvent>();
      for (const e of view(s).events()) {
        if (e.phase !== 'start' || (e.walk !== 'own-create' && e.walk !== 'own-teardown')) continue;
        const k = `${e.walkId}|${e.kind}`;
        const p = last.get(k);
        if (p) {
          const c = cmpRank(p.rank, e.rank);
          if (e.walk === 'own-create' ? c > 0 : c < 0) return `${e.walkId}: ${e.kind} of ${e.module} on ${e.instance} after ${p.kind} of ${p.module}`;
        }
        last.set(k, e);
      }
      return null;
    },
  };
  const i3: Invariant<S> = {
    name: 'I3',
    statement: 'at most one lifecycle callback of an (instance, module) is in flight at a time',
    watches: (s) => [view(s).obj],
    check: (s) => {
      const running = new Map<string, LifeEvent>();
      for (const e of view(s).events()) {
        const k = `${e.instance}|${e.module}`;
        if (e.phase === 'end') {
          running.delete(k);
          continue;
        }
        const o = running.get(k);
        if (o) return `${e.kind} of ${e.module} on ${e.instance} started while its ${o.kind} runs`;
        running.set(k, e);
      }
      return null;
    },
  };
  const i4: Invariant<S> = {
    name: 'I4',
    statement: 'per (instance, module, registration): each phase at most once, shutdown and destroy only after the create returned, nothing after the destroy began',
    watches: (s) => [view(s).obj],
    check: (s) => {
      const st = new Map<string, { started: Set<LifeKind>; created: boolean }>();
      for (const e of view(s).events()) {
        const k = `${e.instance}|${e.module}|${e.epoch}`;
        let r = st.get(k);
        if (!r) st.set(k, (r = { started: new Set(), created: false }));
        const what = `${e.kind} of ${e.module} on ${e.instance}`;
        if (e.phase === 'end') {
          if (e.kind === 'create') r.created = true;
          continue;
        }
        if (r.started.has(e.kind)) return `${what} ran twice`;
        if (r.started.has('destroy')) return `${what} after the destroy`;
        if (e.kind !== 'create' && !r.created) return `${what} without a completed create`;
        r.started.add(e.kind);
      }
      return null;
    },
  };
  const i8: Invariant<S> = {
    name: 'I8',
    statement: 'every per-instance object created is destroyed before the instance is freed',
    watches: (s) => [view(s).obj],
    check: (s) => {
      const v = view(s);
      const b = balance(v.events());
      for (const inst of v.instances()) {
        if (!inst.freed) continue;
        for (const [k, n] of b) if (k.startsWith(`${inst.name}|`) && n.created > n.destroyed) return `${inst.name} freed with ${k.slice(inst.name.length + 1)} created and never destroyed`;
      }
      return null;
    },
  };
  const i1: EndCheck<S> = {
    name: 'I1',
    statement: 'at the end every live instance has every registered module created once, and no state of a module that is no longer registered',
    check: (s) => {
      const v = view(s);
      const b = balance(v.events());
      const reg = new Set(v.registered());
      const mods = new Set([...reg, ...[...b.keys()].map((k) => k.slice(k.indexOf('|') + 1))]);
      for (const inst of v.instances()) {
        if (!inst.live) continue;
        for (const m of mods) {
          const n = b.get(`${inst.name}|${m}`) ?? { created: 0, destroyed: 0 };
          const have = n.created - n.destroyed;
          if (reg.has(m) && have !== 1) return `${inst.name} has ${m} (registered) created ${n.created}, destroyed ${n.destroyed}`;
          if (!reg.has(m) && have !== 0) return `${inst.name} still has ${m}, which is no longer registered`;
        }
      }
      return null;
    },
  };
  return { invariants: [i2, i3, i4, i8], endChecks: [i1] };
}

/** Ghost record of the netstack model's callbacks, in the order they happen. */
export class LifecycleLog {
  readonly obj: number;
  readonly events: LifeEvent[] = [];
  constructor(ex: Execution) {
    this.obj = ex.newObject('lifecycle log', 'ghost');
    // The specs compare only events that DPOR orders (one pair, one walk,
    // one instance; see the observer below): where two unordered callbacks
    // landed in the array is not model state, so the access guard skips it.
    opaqueToGuard(this.events);
  }
}

/** The walk a netstack callback belongs to, from its invocation name (applyInvocation: `caller|subject|...`, or 'setup'). */
function netstackWalk(pass: string): LifeEvent['walk'] {
  const caller = pass.split('|')[0];
  if (caller === 'zone_create') return 'own-create';
  if (caller === 'zone_shutdown' || caller === 'stack_inactive') return 'own-teardown';
  if (caller === 'register' || caller === 'unregister') return 'registry';
  return 'boot';
}

/**
 * A NetstackObserver that records every callback in a LifecycleLog and
 * passes every event to `inner` (the netstack monitor), unchanged.
 */
export class NetstackLifecycleObserver implements NetstackObserver {
  constructor(
    readonly inner: NetstackObserver,
    readonly log: LifecycleLog,
  ) {}
  callback(ex: Execution, g: NetstackGlobals, ns: Netstack, m: number, kind: CbKind, phase: 'start' | 'end', epoch: number, driver: string): void {
    this.inner.callback(ex, g, ns, m, kind, phase, epoch, driver);
    this.log.events.push({ instance: ns.name, module: `module ${m}`, rank: [m], kind, phase, epoch, walk: netstackWalk(driver), walkId: `${driver}` });
    // DPOR: the callbacks of one (netstack, module) are ordered by a write of
    // its nm_state object; the log itself is only read, so callbacks of
    // different pairs stay independent (the specs compare events of one
    // pair, of one walk, which is one thread, or of one instance, whose
    // free touches its memory). The read still makes the step's invariants
    // run.
    ex.touch(ns.mstate[m]!.obj, true);
    ex.touch(this.log.obj, false);
  }
  applyAllDone(ex: Execution, g: NetstackGlobals, m: number, kind: CbKind): void {
    this.inner.applyAllDone(ex, g, m, kind);
  }
  registerDone(ex: Execution, g: NetstackGlobals, m: number, marked: Netstack[]): void {
    this.inner.registerDone(ex, g, m, marked);
  }
  unregisterDone(ex: Execution, g: NetstackGlobals, m: number, epoch: number): void {
    this.inner.unregisterDone(ex, g, m, epoch);
    ex.touch(this.log.obj, false);
  }
  hold(ex: Execution, g: NetstackGlobals, ns: Netstack): void {
    this.inner.hold(ex, g, ns);
  }
  lookup(ex: Execution, g: NetstackGlobals, ns: Netstack, fn: string): void {
    this.inner.lookup(ex, g, ns, fn);
  }
  zoneShutdownMarked(ex: Execution, g: NetstackGlobals, ns: Netstack, marked: number[]): void {
    this.inner.zoneShutdownMarked(ex, g, ns, marked);
  }
  reapDispatched(ex: Execution, g: NetstackGlobals, ns: Netstack): void {
    this.inner.reapDispatched(ex, g, ns);
  }
  invocationDone(ex: Execution, g: NetstackGlobals, pass: string): void {
    this.inner.invocationDone(ex, g, pass);
  }
}

/** The netstack model seen by the common specs. Live: on the list, neither UNINIT nor CLOSING (what netstack_hold_if_active accepts). */
export function netstackLifecycleView(g: NetstackGlobals, log: LifecycleLog): LifecycleView {
  return {
    obj: log.obj,
    events: () => log.events,
    instances: () => {
      const listed = new Set<Netstack>();
      for (let ns = g.head; ns !== null; ns = ns.next) listed.add(ns);
      return g.all.map((ns) => ({ name: ns.name, freed: ns.mem.freed, live: listed.has(ns) && (ns.flags & (NSF_UNINIT | NSF_CLOSING)) === 0 }));
    },
    registered: () => g.reg.flatMap((r, m) => ((r.flags & NRF_REGISTERED) !== 0 ? [`module ${m}`] : [])),
  };
}

/** The VNET model seen by the common specs: Vnet.calls in the order of VnetCall.seq. Live: listed and INITIALIZED. */
export function vnetLifecycleView(vg: VnetGlobals): LifecycleView {
  return {
    obj: vg.vnObj,
    events: () => {
      const out: { seq: number; e: LifeEvent }[] = [];
      for (const v of vg.all)
        for (const c of v.calls) {
          const kind: LifeKind = c.phase === 'ctor' ? 'create' : 'destroy';
          const walk = c.pass === 'sysinit' ? 'own-create' : c.pass === 'sysuninit' ? 'own-teardown' : 'registry';
          const base = { instance: v.name, module: c.vs.module, rank: [c.vs.subsystem, c.vs.order], kind, epoch: 0, walk, walkId: `${v.name}/${c.pass}` } as const;
          out.push({ seq: c.seq, e: { ...base, phase: 'start' } });
          if (c.endSeq !== null) out.push({ seq: c.endSeq, e: { ...base, phase: 'end' } });
        }
      // The boot state: modules constructed before the run (no call recorded), as a create that returned.
      const boot: LifeEvent[] = [];
      for (const v of vg.all)
        for (const [m, s] of v.mods) {
          const recorded = v.calls.filter((c) => c.vs.module === m && c.phase === 'ctor').length;
          for (let i = recorded; i < s.ctor; i++) boot.push({ instance: v.name, module: m, rank: [0], kind: 'create', phase: 'end', epoch: 0, walk: 'boot', walkId: 'boot' });
        }
      return [...boot, ...out.sort((a, b) => a.seq - b.seq).map((x) => x.e)];
    },
    instances: () => vg.all.map((v) => ({ name: v.name, freed: v.m.state === 'FREED', live: v.listed && v.m.state === 'INITIALIZED' })),
    registered: () => [...new Set(vg.constructors.map((vs) => vs.module))],
  };
}
