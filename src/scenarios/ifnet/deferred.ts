/**
 * fb-deferred-start-after-detach (FB-DEFERRED-START-AFTER-DETACH, log
 * L32-57, L35-36): T1 transmits on ed0 (holding a reference from
 * ifunit_ref, as a route's ifa would) and calls if_start; T2 destroys the
 * cloned ed0 (if_detach, if_free). T1 queues its packet with IFQ_HANDOFF
 * and calls if_start. Fixed (after the IFF_NEEDSGIANT
 * removal): if_start calls the driver directly, under T1's reference.
 * Mutant fb-pre-needsgiant-removal: ed0 is IFF_NEEDSGIANT, so if_start
 * queues if_starttask on taskqueue_swi_giant; if_detach drains only
 * if_linktask, and the last if_rele frees ed0 with the task still queued
 * (TQ-1), which then runs the driver on freed memory.
 */
import { defineScenario } from '../../core/scenario.ts';
import type { KThread } from '../../core/effect.ts';
import type { Execution } from '../../core/execution.ts';
import { ifCloneDestroy, ifunitRef, ifunitRefDone } from '../../actors/ifnet/ifnet.ts';
import { giantInit, ifqHandoff } from '../../actors/ifnet/start.ts';
import { Errno, type IfnetGlobals } from '../../actors/ifnet/types.ts';
import { ifnetInvariants, ifnetQuiescent, taskInvariants } from '../../specs/ifnet/index.ts';
import { ProtoState, protoUpdate } from '../../actors/ifnet/mpsafenet.ts';
import { KMem, memAccess } from '../../locks/kmem.ts';
import { IFNET_GRANULARITY, ifnetSnapshot, ifnetWorld } from './world.ts';
import { fbBug } from '../../actors/ifnet/mutants.ts';

interface S {
  g: IfnetGlobals;
}

/** A sender on `name`: a reference from ifunit_ref (as a route's ifa holds one), IFQ_HANDOFF, if_rele. */
function* transmit(ex: Execution, g: IfnetGlobals, name: string): KThread<void> {
  const ifp = yield* ifunitRef(ex, g, name);
  if (ifp === null) {
    g.results.set('transmit', Errno.ENXIO);
    return;
  }
  yield* ifqHandoff(ex, g, ifp);
  yield* ifunitRefDone(ex, g, ifp);
  g.results.set('transmit', Errno.OK);
}

export const fbDeferredStartAfterDetach = defineScenario<S>({
  name: 'fb-deferred-start-after-detach',
  description: 'a transmit whose if_start may be deferred to a Giant taskqueue, against if_clone_destroy of the interface',
  system: 'freebsd',
  threads: 2,
  mutants: ['fb-pre-needsgiant-removal'],
  granularity: `${IFNET_GRANULARITY}; mutex_enter(Giant); the taskqueue worker taking a task`,
  setup(ex) {
    const g = ifnetWorld(ex, 4, ['ed0']);
    giantInit(ex, g);
    if (fbBug(ex, 'fb-pre-needsgiant-removal')) g.all[0]!.needsGiant = true;
    ex.spawn('T1', transmit(ex, g, 'ed0'));
    ex.spawn('T2', ifCloneDestroy(ex, g, 'ed0', 'destroy'));
    return { g };
  },
  snapshot: (s) => ifnetSnapshot(s),
  invariants: [...ifnetInvariants, ...taskInvariants],
  endChecks: [
    ifnetQuiescent,
    {
      name: 'deferred-start-result',
      statement: 'ed0 ends freed with no task left for it',
      check: ({ g }) => {
        const ed0 = g.all[0]!;
        return ed0.m.state === 'FREED' && ed0.pendingTasks === 0 ? null : `ed0 ${ed0.m.state}, ${ed0.pendingTasks} task(s) pending`;
      },
    },
  ],
});

/**
 * fb-ifq-mtx-destroy-in-use (FB-IFQ-MTX-DESTROY-IN-USE, log L298-300):
 * the same sender and destroyer, no Giant. if_attach initialises
 * if_snd's mutex (log L298-300); the fixed model destroys it in
 * if_free_internal, at the last reference, so T1's reference keeps it
 * alive. Mutant fb-ifq-destroy-in-detach: the era if_detach destroys it
 * (ifq_detach) while T1, which took its reference before the unlink, is
 * about to IFQ_LOCK it or holds it (LK-1).
 */
export const fbIfqMtxDestroyInUse = defineScenario<S>({
  name: 'fb-ifq-mtx-destroy-in-use',
  description: 'a sender inside IFQ_LOCK of an interface that if_clone_destroy detaches (where if_snd.ifq_mtx is destroyed)',
  system: 'freebsd',
  threads: 2,
  mutants: ['fb-ifq-destroy-in-detach'],
  granularity: `${IFNET_GRANULARITY}; mtx_lock(if_snd.ifq_mtx)`,
  setup(ex) {
    const g = ifnetWorld(ex, 4, ['ed0']);
    ex.spawn('T1', transmit(ex, g, 'ed0'));
    ex.spawn('T2', ifCloneDestroy(ex, g, 'ed0', 'destroy'));
    return { g };
  },
  snapshot: (s) => ifnetSnapshot(s),
  invariants: ifnetInvariants,
  endChecks: [
    ifnetQuiescent,
    {
      name: 'ifq-result',
      statement: 'ed0 ends freed with its if_snd mutex destroyed; the send succeeded (one packet queued) or found ed0 gone',
      check: ({ g }) => {
        const ed0 = g.all[0]!;
        const t = g.results.get('transmit');
        if (ed0.m.state !== 'FREED' || !ed0.ifqLock.destroyed) return `ed0 ${ed0.m.state}, ifq_mtx destroyed ${ed0.ifqLock.destroyed}`;
        if (t === Errno.OK ? ed0.ifqLen !== 1 : t !== Errno.ENXIO) return `transmit ${t}, ifq_len ${ed0.ifqLen}`;
        return null;
      },
    },
  ],
});


/**
 * fb-mpsafenet-serialization (FB-MPSAFENET-SERIALIZATION, log L513-531):
 * a protocol's netisr input handler (T1) and its callout (T2) each update
 * its state once. Fixed: a protocol lock. Mutant
 * fb-post-mpsafenet-giant-reliant: the protocol relied on NET_LOCK_GIANT,
 * a no-op after the commit, and one update is lost (DR-1).
 */
export const fbMpsafenetSerialization = defineScenario<{ ps: ProtoState }>({
  name: 'fb-mpsafenet-serialization',
  description: "a protocol's netisr handler and callout updating its state after debug.mpsafenet's removal",
  system: 'freebsd',
  threads: 2,
  mutants: ['fb-post-mpsafenet-giant-reliant'],
  granularity: 'mutex_enter of the protocol lock; in the mutant, the unlocked load and store of the state',
  setup(ex) {
    const ps = new ProtoState(ex, 'proto');
    ex.spawn('T1', protoUpdate(ex, ps, 'netisr'));
    ex.spawn('T2', protoUpdate(ex, ps, 'callout'));
    return { ps };
  },
  snapshot: ({ ps }) => ({ state: `${ps.value} after ${ps.updates} updates` }),
  endChecks: [
    {
      name: 'DR-1',
      statement: "no update of a protocol's state is lost: at the end it equals the number of updates made",
      check: ({ ps }) => (ps.value === ps.updates ? null : `state ${ps.value} after ${ps.updates} updates (one lost)`),
    },
  ],
});

/**
 * fb-mac-label-lifetime (FB-MAC-LABEL-LIFETIME, log L497-512): MAC is
 * compiled in. T1 transmits on ed0 with a reference from ifunit_ref and the
 * MAC transmit check reads ed0's label; T2 destroys the cloned ed0. Fixed
 * (the label freed with the ifnet, at the last reference): T1's reference
 * keeps the label. Mutant fb-mac-destroy-in-detach (the era placement of
 * mac_ifnet_destroy in if_detach): the label is freed while T1, which took
 * its reference before the unlink, still checks it (use-after-free).
 */
export const fbMacLabelLifetime = defineScenario<S>({
  name: 'fb-mac-label-lifetime',
  description: 'a MAC transmit check on a referenced ifnet that if_clone_destroy detaches (where the label is destroyed)',
  system: 'freebsd',
  threads: 2,
  mutants: ['fb-mac-destroy-in-detach'],
  granularity: `${IFNET_GRANULARITY}; the unlocked read of the label`,
  setup(ex) {
    const g = ifnetWorld(ex, 4, ['ed0']);
    g.mac = true;
    g.all[0]!.label = new KMem(ex, 'ed0 if_label');
    ex.spawn(
      'T1',
      (function* (): KThread<void> {
        const ifp = yield* ifunitRef(ex, g, 'ed0');
        if (ifp === null) return;
        yield* memAccess(ifp.label!, 'r', 'mac_ifnet_check_transmit', true);
        yield* ifunitRefDone(ex, g, ifp);
      })(),
    );
    ex.spawn('T2', ifCloneDestroy(ex, g, 'ed0', 'destroy'));
    return { g };
  },
  snapshot: (s) => ifnetSnapshot(s),
  invariants: ifnetInvariants,
  endChecks: [ifnetQuiescent],
});
