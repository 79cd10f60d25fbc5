/**
 * ifindex_table scenarios (log L278-297): fb-ifindex-grow-uaf,
 * fb-ifindex-dup-alloc, fb-ifindex-aba.
 */
import { defineScenario } from '../../core/scenario.ts';
import type { KThread } from '../../core/effect.ts';
import type { Execution } from '../../core/execution.ts';
import { ifnetByindex, ifnetByindexgen } from '../../actors/ifnet/ifindex.ts';
import { ifAlloc, ifAttach, ifDetach, ifFree } from '../../actors/ifnet/ifnet.ts';
import { Errno, type Ifnet, type IfnetGlobals } from '../../actors/ifnet/types.ts';
import { ifnetInvariants, ifnetQuiescent } from '../../specs/ifnet/index.ts';
import { mtxLock, mtxUnlock } from '../../actors/ifnet/mtx.ts';
import { memAccess } from '../../locks/kmem.ts';
import { IFNET_GRANULARITY, ifnetSnapshot, ifnetWorld } from './world.ts';
import { fbBug } from '../../actors/ifnet/mutants.ts';

interface S {
  g: IfnetGlobals;
}

/** A thread that creates an interface: if_alloc then if_attach. */
function* createIf(ex: Execution, g: IfnetGlobals, name: string): KThread<void> {
  const ifp = yield* ifAlloc(ex, g, name);
  yield* ifAttach(ex, g, ifp);
  g.results.set(`create ${name}`, Errno.OK);
}

/** A reader resolving index idx (ifaddr_byindex, netioctl's dev2unit, sdl_index), binding the result to what it meant. */
function* resolve(ex: Execution, g: IfnetGlobals, who: string, idx: number, bound: Ifnet): KThread<void> {
  const got = yield* ifnetByindex(ex, g, idx);
  g.resolutions.push({ who, idx, bound, got });
}

/**
 * fb-ifindex-grow-uaf (FB-IFINDEX-GROW-UAF, log L278-283, L293-294): T1
 * resolves index 1 (ed0) while T2 creates ed1, whose index 2 does not fit
 * the table of V_if_indexlim 2, so if_grow reallocates it and frees the old
 * array. Mutant fb-pre-46dd6e44-byindex-unlocked: the reader loads the
 * table pointer and reads the slot with no lock (IDX-3: the read of the
 * freed array is a use-after-free). Mutant fb-pre-ifindex-alloc-locked
 * (the era if_alloc, which also calls if_grow with no lock) fails earlier
 * in every schedule: it raises V_if_index to 2 before growing the 2-slot
 * table (IDX-4).
 */
export const fbIfindexGrowUaf = defineScenario<S>({
  name: 'fb-ifindex-grow-uaf',
  description: 'a reader of ifindex_table against if_alloc growing the table (if_grow frees the old array)',
  system: 'freebsd',
  threads: 2,
  mutants: ['fb-pre-46dd6e44-byindex-unlocked', 'fb-pre-ifindex-alloc-locked'],
  granularity: IFNET_GRANULARITY,
  setup(ex) {
    const g = ifnetWorld(ex, 2, ['ed0']);
    const ed0 = g.all[0]!;
    ex.spawn('T1', resolve(ex, g, 'T1', 1, ed0));
    ex.spawn('T2', createIf(ex, g, 'ed1'));
    return { g };
  },
  snapshot: (s) => ifnetSnapshot(s),
  invariants: ifnetInvariants,
  endChecks: [
    ifnetQuiescent,
    {
      name: 'grow-result',
      statement: 'the reader finds ed0 at index 1, and ed1 is attached at index 2 of a table of 4 slots',
      check: ({ g }) => {
        const r = g.resolutions[0];
        if (!r || r.got !== g.all[0]) return `T1 resolved index 1 to ${r?.got?.name ?? 'NULL'}`;
        const ed1 = g.all[1];
        if (!ed1 || ed1.m.state !== 'ATTACHED' || ed1.index !== 2 || g.table.lim !== 4) return `ed1 ${ed1?.m.state} idx ${ed1?.index}, table lim ${g.table.lim}`;
        return null;
      },
    },
  ],
});

/**
 * fb-ifindex-dup-alloc (FB-IFINDEX-DUP-ALLOC, log L285-290): two threads
 * create ed1 and ed2 while ed0 holds index 1. Fixed: one IFNET_WLOCK section
 * scans, grows and publishes, so they get 2 and 3. Mutant
 * fb-pre-ifindex-alloc-locked ("XXX: should be locked!"): both scans see
 * slot 2 free before either publishes; both publish at 2 (IDX-2), the
 * second overwriting the first (IDX-1).
 */
export const fbIfindexDupAlloc = defineScenario<S>({
  name: 'fb-ifindex-dup-alloc',
  description: 'two if_alloc calls scan ifindex_table for a free slot at the same time',
  system: 'freebsd',
  threads: 2,
  mutants: ['fb-pre-ifindex-alloc-locked'],
  granularity: IFNET_GRANULARITY,
  setup(ex) {
    const g = ifnetWorld(ex, 8, ['ed0']);
    ex.spawn('T1', createIf(ex, g, 'ed1'));
    ex.spawn('T2', createIf(ex, g, 'ed2'));
    return { g };
  },
  snapshot: (s) => ifnetSnapshot(s),
  invariants: ifnetInvariants,
  endChecks: [
    ifnetQuiescent,
    {
      name: 'dup-alloc-result',
      statement: 'ed1 and ed2 are attached at indices 2 and 3 (in either order), and V_if_index is 3',
      check: ({ g }) => {
        const got = g.all.slice(1).map((i) => i.index).sort().join(',');
        if (got !== '2,3' || g.ifIndex !== 3) return `indices ${got}, V_if_index ${g.ifIndex}`;
        return null;
      },
    },
  ],
});

/**
 * fb-ifindex-aba (FB-IFINDEX-ABA, log L241-250, L281-283): T1 keeps index 1
 * of ed0 (a cdev unit, an sdl_index) and resolves it later; T2 destroys ed0
 * (if_detach, if_free gives index 1 back); T3 creates ed1, which takes
 * index 1. Fixed: T1 kept (index, if_idxgen) and resolves with
 * ifnet_byindexgen, which returns NULL for the new owner. Mutant
 * fb-pre-byindexgen: ifnet_byindex hands T1 ed1 (IDX-5).
 */
export const fbIfindexAba = defineScenario<S>({
  name: 'fb-ifindex-aba',
  description: 'a held ifindex resolved after its ifnet was freed and the index given to a new ifnet',
  system: 'freebsd',
  threads: 3,
  mutants: ['fb-pre-byindexgen'],
  granularity: IFNET_GRANULARITY,
  setup(ex) {
    const g = ifnetWorld(ex, 4, ['ed0']);
    const ed0 = g.all[0]!;
    const gen = ed0.idxgen;
    ex.spawn(
      'T1',
      (function* () {
        const got = fbBug(ex, 'fb-pre-byindexgen') ? yield* ifnetByindex(ex, g, 1) : yield* ifnetByindexgen(ex, g, 1, gen);
        g.resolutions.push({ who: 'T1', idx: 1, bound: ed0, got });
      })(),
    );
    ex.spawn(
      'T2',
      (function* () {
        yield* ifDetach(ex, g, ed0);
        yield* ifFree(ex, g, ed0);
      })(),
    );
    ex.spawn('T3', createIf(ex, g, 'ed1'));
    return { g };
  },
  snapshot: (s) => ifnetSnapshot(s),
  invariants: ifnetInvariants,
  endChecks: [ifnetQuiescent],
});

/**
 * fb-publish-before-init (FB-PUBLISH-BEFORE-INIT, log L298-303): T1 creates
 * ed1 (if_alloc publishes it at index 2, then if_attach); T2 resolves index
 * 2 and queues on its if_snd under IFQ_LOCK (a sender that found the ifnet
 * by index). Fixed (the later bf5b2167, not in the log: "initialization into
 * if_alloc ... to leave more of the struct ifnet in a safe-to-access
 * condition between alloc and attach"): if_snd's mutex is initialised
 * before publication. Mutant fb-pre-bf5b2167-init-in-attach: if_attach
 * initialises it, so the ifnet is published half-built (PUB-1; a sender in
 * the window takes an uninitialised mutex, LK-1).
 */
export const fbPublishBeforeInit = defineScenario<S>({
  name: 'fb-publish-before-init',
  description: 'a sender resolving a new ifnet by index between if_alloc (publication) and if_attach (initialisation)',
  system: 'freebsd',
  threads: 2,
  mutants: ['fb-pre-bf5b2167-init-in-attach'],
  granularity: `${IFNET_GRANULARITY}; mtx_lock(if_snd.ifq_mtx)`,
  setup(ex) {
    const g = ifnetWorld(ex, 4, ['ed0']);
    // T1: a driver's attach routine: if_alloc, fill in the driver fields
    // (if_softc, if_init, if_ioctl, if_start: unlocked stores to an ifnet
    // already reachable by index), then if_attach (ether_ifattach).
    ex.spawn(
      'T1',
      (function* (): KThread<void> {
        const ifp = yield* ifAlloc(ex, g, 'ed1');
        yield* memAccess(ifp.mem, 'w', 'if_softc, if_init, if_ioctl, if_start (driver attach)', true);
        yield* ifAttach(ex, g, ifp);
      })(),
    );
    ex.spawn(
      'T2',
      (function* (): KThread<void> {
        const ifp = yield* ifnetByindex(ex, g, 2);
        if (ifp === null) return;
        yield* mtxLock(ifp.ifqLock);
        yield* memAccess(ifp.mem, 'w', 'if_snd.ifq_len (IF_ENQUEUE)');
        ifp.ifqLen++;
        yield* mtxUnlock(ifp.ifqLock);
      })(),
    );
    return { g };
  },
  snapshot: (s) => ifnetSnapshot(s),
  invariants: ifnetInvariants,
  endChecks: [ifnetQuiescent],
});
