/**
 * Specs of the VNET model: VN-* (the VNET invariants of the ifnet/vnet
 * analysis), SI-1 (SYSINIT order), and the lifecycle invariants common to
 * the illumos netstack and VNET, I1 (registry and instance consistency),
 * I2 (ordering inside an instance's lifecycle), I4 (each phase at most
 * once, destroy after create) and I8 (nothing of a module left when the
 * instance is freed). They read the ghost records of src/actors/ifnet/
 * vnet.ts and watch VnetGlobals.vnObj, written at every change they read.
 * I5 (memory safety) is the ghost memory's no-use-after-free.
 */
import type { SysinitGlobals } from '../../actors/ifnet/sysinit.ts';
import type { Vnet, VnetGlobals } from '../../actors/ifnet/vnet.ts';
import type { EndCheck, Invariant } from '../../core/spec.ts';

export interface HasVnet {
  vg: VnetGlobals;
}

/** VN-1: global initialisation runs exactly once (at vnet0's init). */
export const vn1: Invariant<HasVnet> = {
  name: 'VN-1',
  statement: 'global (not per-vnet) initialisation runs at most once, in vnet0',
  watches: ({ vg }) => [vg.vnObj],
  check: ({ vg }) => {
    for (const [what, n] of vg.globalInits) if (n > 1) return `global initialisation of ${what} ran ${n} times`;
    return null;
  },
};

/** VN-3: every V_ access is made with curvnet = the vnet owning the object. */
export const vn3: Invariant<HasVnet> = {
  name: 'VN-3',
  statement: 'every V_ access is made with curvnet equal to the vnet that owns the object',
  watches: ({ vg }) => [vg.vnObj],
  check: ({ vg }) => {
    const w = vg.wrongVnet[0];
    return w ? `${w.who} accessed V_${w.what} of vnet ${w.intended} with curvnet ${w.actual}` : null;
  },
};

/** VN-4: an entry point returns with the curvnet it was entered with (CURVNET_SET/RESTORE balanced). */
export const vn4: Invariant<HasVnet> = {
  name: 'VN-4',
  statement: 'CURVNET_SET and CURVNET_RESTORE are balanced at every entry-point exit',
  watches: ({ vg }) => [vg.vnObj],
  check: ({ vg }) => {
    const u = vg.unbalanced[0];
    return u ? `${u.who} returned from ${u.entry} with curvnet ${u.after} (entered with ${u.before})` : null;
  },
};

/** VN-5: no per-vnet zone is destroyed while items are still allocated from it. */
export const vn5: Invariant<HasVnet> = {
  name: 'VN-5',
  statement: "a vnet's zones are destroyed only when they hold no live items",
  watches: ({ vg }) => [vg.vnObj],
  check: ({ vg }) => {
    for (const z of vg.zones) if (z.destroyedWithItems > 0) return `uma_zdestroy(${z.name}) with ${z.destroyedWithItems} item(s) still allocated`;
    return null;
  },
};

/** I2: within vnet_sysinit constructors run in ascending (subsystem, order), within vnet_sysuninit destructors in descending. */
export const i2: Invariant<HasVnet> = {
  name: 'I2',
  statement: "an instance's own creation runs module constructors in ascending order, its teardown destructors in descending order",
  watches: ({ vg }) => [vg.vnObj],
  check: ({ vg }) => {
    for (const v of vg.all) {
      for (const pass of ['sysinit', 'sysuninit'] as const) {
        const seq = v.calls.filter((c) => c.pass === pass).map((c) => c.vs);
        for (let i = 1; i < seq.length; i++) {
          const a = seq[i - 1]!;
          const b = seq[i]!;
          const cmp = a.subsystem - b.subsystem || a.order - b.order;
          if (pass === 'sysinit' ? cmp > 0 : cmp < 0) return `${v.name}: ${pass} ran ${b.name} after ${a.name}`;
        }
      }
    }
    return null;
  },
};

/** I4: per (vnet, module), the constructor runs at most once and the destructor at most once, after it. */
export const i4: Invariant<HasVnet> = {
  name: 'I4',
  statement: 'for every (instance, module) the create runs at most once, the destroy at most once and only after the create',
  watches: ({ vg }) => [vg.vnObj],
  check: ({ vg }) => {
    for (const v of vg.all)
      for (const [m, s] of v.mods) {
        if (s.ctor > 1) return `${m} constructed ${s.ctor} times on ${v.name}`;
        if (s.dtor > s.ctor) return `${m} destructed on ${v.name} without having been constructed`;
        if (s.dtor > 1) return `${m} destructed ${s.dtor} times on ${v.name}`;
      }
    return null;
  },
};

/** Modules with per-vnet state still built on v. */
function leftOn(v: Vnet): string[] {
  return [...v.mods].filter(([, s]) => s.ctor > s.dtor).map(([m]) => m);
}

/** I8: a freed vnet has every module it constructed destructed (its per-vnet state freed). */
export const i8: Invariant<HasVnet> = {
  name: 'I8',
  statement: 'every per-instance object created is destroyed before the instance is freed',
  watches: ({ vg }) => [vg.vnObj],
  check: ({ vg }) => {
    for (const v of vg.all) {
      if (v.m.state !== 'FREED') continue;
      const left = leftOn(v);
      if (left.length > 0) return `${v.name} freed with the per-vnet state of ${left.join(', ')} never destructed (leaked)`;
    }
    return null;
  },
};

/**
 * I1 at the end: every listed, initialised vnet has exactly the modules on
 * vnet_constructors constructed (and not destructed), and no other.
 */
export const i1End: EndCheck<HasVnet> = {
  name: 'I1',
  statement: 'at the end every live instance has every registered module created once and no unregistered module left',
  check: ({ vg }) => {
    const reg = new Set(vg.constructors.map((vs) => vs.module));
    for (const v of vg.listed()) {
      if (v.m.state !== 'INITIALIZED') return `${v.name} listed in state ${v.m.state}`;
      for (const m of reg) {
        const s = v.mods.get(m) ?? { ctor: 0, dtor: 0 };
        if (s.ctor - s.dtor !== 1) return `${v.name} lacks ${m} (registered): constructed ${s.ctor}, destructed ${s.dtor}`;
      }
      for (const m of leftOn(v)) if (!reg.has(m)) return `${v.name} still has ${m}, which is no longer registered`;
    }
    return null;
  },
};

export const vnetInvariants: Invariant<HasVnet>[] = [vn1, vn3, vn4, vn5, i2, i4, i8];

/** At the end no vnet is half-built or half-destroyed, and every thread's curvnet is back to NULL. */
export const vnetQuiescent: EndCheck<HasVnet> = {
  name: 'vnet-quiescent',
  statement: 'at the end every vnet is INITIALIZED and listed, or FREED and unlisted; no thread is left with a curvnet',
  check: ({ vg }) => {
    for (const v of vg.all) {
      if (v.m.state === 'INITIALIZED' && !v.listed) return `${v.name} initialized but not on vnet_head`;
      if (v.m.state !== 'INITIALIZED' && v.m.state !== 'FREED') return `${v.name} ends ${v.m.state}`;
    }
    for (const [t, v] of vg.curvnet) if (v !== null && t.done && !t.daemon) return `${t.name} returned with curvnet ${v.name}`;
    return null;
  },
};

export interface HasSysinit {
  sg: SysinitGlobals;
}

/** SI-1: a SYSINIT uses only what a SYSINIT sorted before it initialised. */
export const si1: Invariant<HasSysinit> = {
  name: 'SI-1',
  statement: 'a SYSINIT uses only objects that SYSINITs sorted before it have initialised',
  watches: ({ sg }) => [sg.obj],
  check: ({ sg }) => {
    const u = sg.usedBeforeInit[0];
    return u ? `${u.by} used ${u.what} before any SYSINIT initialised it (order: ${sg.ran.join(', ')})` : null;
  },
};
