/**
 * Scenarios whose code is outside the seed (route.c, if_llatbl.c,
 * if_lagg.c): FB-FIB-LOOKUP-vs-DETACH, FB-LLE-vs-DETACH and
 * FB-LAGG-PORT-vs-LINKTASK. The if.c side (if_detach's route purge and
 * dom_ifdetach, do_link_state_change's if_lagg hook) is the model's; the
 * other side is modelled from the analysis's description, and each model
 * function says what it takes from there. docs/coverage/ifnet.md lists the
 * decisions.
 */
import { defineScenario } from '../../core/scenario.ts';
import { ifCloneDestroy, ifRele } from '../../actors/ifnet/ifnet.ts';
import { ipOutputFib, RtTables, rtinitAllFibsRef } from '../../actors/ifnet/route.ts';
import { Errno, type IfnetGlobals } from '../../actors/ifnet/types.ts';
import { ifnetInvariants, ifnetQuiescent, lle1, rt1 } from '../../specs/ifnet/index.ts';
import { llaLookupRef, lleFree, lleReadLladdr, Lltable } from '../../actors/ifnet/lltable.ts';
import type { KThread } from '../../core/effect.ts';
import { IFNET_GRANULARITY, ifnetSnapshot, ifnetWorld } from './world.ts';

interface S {
  g: IfnetGlobals;
}

/**
 * fb-fib-lookup-vs-detach (FB-FIB-LOOKUP-vs-DETACH, log L387-421, L352-356,
 * L375-379): ed0's interface route is in FIBs 0 and 1 (rtinit). T1 sends
 * from a socket with setfib(1): rtalloc_fib takes a reference on the route,
 * then ip_output reads rt->rt_ifp and calls its if_output with no lock.
 * T2 destroys the cloned ed0: the purge unlinks the route from both FIBs
 * and drops the tables' references, if_free drops if_alloc's reference.
 *
 * Fixed (the analysis's fix; route.c is not in the seed): the route holds
 * a reference on rt_ifp, given back when the rtentry is freed, so ed0
 * outlives the held route. Mutant fb-rt-ifp-noref: rt_ifp is a bare
 * pointer; if_free frees ed0 under the held route (RT-1), and T1's
 * if_output call reads freed memory.
 */
export const fbFibLookupVsDetach = defineScenario<S>({
  name: 'fb-fib-lookup-vs-detach',
  description: 'a send through a route held from rtalloc_fib (FIB 1) against if_clone_destroy of its interface',
  system: 'freebsd',
  threads: 2,
  mutants: ['fb-rt-ifp-noref'],
  granularity: `${IFNET_GRANULARITY}; mutex_enter of each FIB's RADIX_NODE_HEAD_LOCK and of RT_LOCK; the unlocked loads of rt_ifp and if_output`,
  setup(ex) {
    const g = ifnetWorld(ex, 4, ['ed0']);
    g.rt = new RtTables(ex, 2);
    rtinitAllFibsRef(ex, g.rt, g.all[0]!, '192.0.2.0/24');
    const rt = g.rt;
    ex.spawn(
      'T1',
      (function* () {
        g.results.set('send', yield* ipOutputFib(ex, rt, '192.0.2.0/24', 1, (p) => ifRele(ex, g, p)));
      })(),
    );
    ex.spawn('T2', ifCloneDestroy(ex, g, 'ed0', 'destroy'));
    return { g };
  },
  snapshot: (s) => ifnetSnapshot(s),
  invariants: [...ifnetInvariants, rt1],
  endChecks: [
    ifnetQuiescent,
    {
      name: 'fib-lookup-result',
      statement: 'the destroy succeeds, ed0 and every rtentry end freed, the send succeeds or finds no route',
      check: ({ g }) => {
        if (g.results.get('destroy') !== Errno.OK) return `destroy returned ${g.results.get('destroy')}`;
        const send = g.results.get('send');
        if (send !== 0 && send !== 65) return `send returned ${send}`;
        if (g.all[0]!.m.state !== 'FREED') return `ed0 ends ${g.all[0]!.m.state}`;
        const left = g.rt!.entries.filter((r) => !r.entry!.mem.freed);
        return left.length === 0 ? null : `${left.length} rtentr(ies) never freed: ${left.map((r) => `${r.dst} fib ${r.fib} rt_refcnt ${r.entry!.refcnt}`).join(', ')}`;
      },
    },
  ],
});

/**
 * fb-lle-vs-detach (FB-LLE-vs-DETACH, log L76-97): ed0 has an ARP entry for
 * 192.0.2.1 in its AF_INET lltable. T1 sends to it on ed0 (it holds a
 * reference on ed0, as a sender through a route does): arpresolve looks
 * the entry up under IF_AFDATA_LOCK and keeps it with a reference, drops
 * the lock, copies the MAC under the entry's lock, and releases it
 * (LLE_FREE). T2 destroys the cloned ed0: if_detach's dom_ifdetach frees
 * the table and its entries under IF_AFDATA_LOCK.
 *
 * Modelled from the analysis (section 1.10), not from code: see
 * lltable.ts. Fixed: lltable_free drops only the table's reference, so the
 * last LLE_FREE frees a kept entry. Mutant fb-lltable-free-ignores-ref:
 * the entry is freed under T1 (LLE-1), whose LLE_WLOCK then takes a lock
 * in freed memory.
 */
export const fbLleVsDetach = defineScenario<S>({
  name: 'fb-lle-vs-detach',
  description: 'an ARP entry kept by a sender (lla_lookup + LLE_ADDREF) against if_clone_destroy of its interface (dom_ifdetach frees the lltable)',
  system: 'freebsd',
  threads: 2,
  mutants: ['fb-lltable-free-ignores-ref'],
  granularity: `${IFNET_GRANULARITY}; mutex_enter of IF_AFDATA_LOCK and of each entry's LLE_WLOCK`,
  setup(ex) {
    const g = ifnetWorld(ex, 4, ['ed0']);
    const ed0 = g.all[0]!;
    const llt = (g.llt = new Lltable(ex, ed0));
    llt.add(ex, '192.0.2.1');
    if (ed0.ref) ed0.ref.count++; // T1's reference on ed0 (the sender's route or socket)
    ex.spawn(
      'T1',
      (function* (): KThread<void> {
        const lle = yield* llaLookupRef(ex, llt, '192.0.2.1');
        if (lle !== null) {
          yield* lleReadLladdr(ex, lle);
          yield* lleFree(ex, llt, lle, true);
        }
        g.results.set('send', lle !== null ? Errno.OK : Errno.ENXIO);
        if (ed0.ref) yield* ifRele(ex, g, ed0);
      })(),
    );
    ex.spawn('T2', ifCloneDestroy(ex, g, 'ed0', 'destroy'));
    return { g };
  },
  snapshot: (s) => ifnetSnapshot(s),
  invariants: [...ifnetInvariants, lle1],
  endChecks: [
    ifnetQuiescent,
    {
      name: 'lle-result',
      statement: 'the destroy succeeds; ed0, its lltable and every entry end freed; the send resolves or finds no table',
      check: ({ g }) => {
        if (g.results.get('destroy') !== Errno.OK) return `destroy returned ${g.results.get('destroy')}`;
        if (g.all[0]!.m.state !== 'FREED') return `ed0 ends ${g.all[0]!.m.state}`;
        if (!g.llt!.mem.freed) return 'the lltable was never freed';
        const left = g.llt!.all.filter((e) => !e.mem.freed);
        return left.length === 0 ? null : `${left.map((e) => `${e.mem.name} (lle_refcnt ${e.refcnt})`).join(', ')} never freed`;
      },
    },
  ],
});
