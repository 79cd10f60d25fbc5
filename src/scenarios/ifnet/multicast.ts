/**
 * Link-layer multicast scenarios (log L563-570): fb-sadl-equal and
 * fb-addmulti-toctou. The ioctl threads work on ed0 as ifioctl hands it to
 * ifhwioctl (looked up with ifunit_ref; ed0 is not destroyed here).
 */
import { defineScenario } from '../../core/scenario.ts';
import type { KThread } from '../../core/effect.ts';
import { ifAddmulti, ifhwioctlAddmulti } from '../../actors/ifnet/multicast.ts';
import { Errno, Ifma, type IfnetGlobals, type SockaddrDl } from '../../actors/ifnet/types.ts';
import { alloc1, ifnetInvariants, ifnetQuiescent, multicastInvariants } from '../../specs/ifnet/index.ts';
import { IfGroups, ifAddgroup } from '../../actors/ifnet/groups.ts';
import { ifAddmultiNet, ifDelmulti, ifDelmultiIfma } from '../../actors/ifnet/mcdetach.ts';
import { ifCloneDestroy, ifRele } from '../../actors/ifnet/ifnet.ts';
import { KMem } from '../../locks/kmem.ts';
import { ifLockgiantIoctl } from '../../actors/ifnet/giant.ts';
import { giantInit } from '../../actors/ifnet/start.ts';
import { IFNET_GRANULARITY, ifnetSnapshot, ifnetWorld } from './world.ts';
import { fbBug } from '../../actors/ifnet/mutants.ts';

interface S {
  g: IfnetGlobals;
}

const MAC = '01:80:c2:00:00:14'; // the IS-IS all-L1 group (log L563-565)
/** The group as a kernel caller builds it (sdl_index of ed0 filled in) and as userland does (0). */
const KERNEL_SDL: SockaddrDl = { alen: 6, lladdr: MAC, index: 1, nlen: 3 };
const USER_SDL: SockaddrDl = { alen: 6, lladdr: MAC, index: 0, nlen: 0 };

/**
 * fb-sadl-equal (FB-SADL-EQUAL, log L566-567): a kernel consumer joins the
 * IS-IS group on ed0 with if_addmulti, then userland asks SIOCADDMULTI for
 * the same MAC. Fixed (sa_dl_equal): the lookup finds the membership and
 * the ioctl returns EADDRINUSE. Mutant fb-pre-sa-dl-equal (sa_equal): the
 * two sockaddr_dl differ in sdl_index, so a second ifma for the same MAC
 * is linked (MC-5). One thread, no preemption: an identity bug.
 */
export const fbSadlEqual = defineScenario<S>({
  name: 'fb-sadl-equal',
  description: 'a kernel and a userland join of one link-layer group, compared with sa_equal or sa_dl_equal',
  system: 'freebsd',
  threads: 1,
  mutants: ['fb-pre-sa-dl-equal'],
  granularity: IFNET_GRANULARITY,
  setup(ex) {
    const g = ifnetWorld(ex, 4, ['ed0']);
    const ed0 = g.all[0]!;
    ex.spawn(
      'T1',
      (function* (): KThread<void> {
        yield* ifAddmulti(ex, g, ed0, KERNEL_SDL);
        g.results.set('user join', yield* ifhwioctlAddmulti(ex, g, ed0, USER_SDL, false));
      })(),
    );
    return { g };
  },
  snapshot: (s) => ifnetSnapshot(s),
  invariants: [...ifnetInvariants, ...multicastInvariants],
  endChecks: [
    ifnetQuiescent,
    {
      name: 'sadl-result',
      statement: 'ed0 has one membership of the group, with one reference, and the userland join got EADDRINUSE',
      check: ({ g }) => {
        const m = g.all[0]!.multiaddrs;
        if (m.length !== 1 || m[0]!.refcount !== 1) return `${m.length} ifma(s), refcounts ${m.map((i) => i.refcount).join(',')}`;
        const r = g.results.get('user join');
        return r === Errno.EADDRINUSE ? null : `userland join returned ${r}`;
      },
    },
  ],
});

/**
 * fb-addmulti-toctou (FB-ADDMULTI-TOCTOU, log L563-565): two userland
 * SIOCADDMULTI of the same group on ed0. As written, ifhwioctl's lookup
 * and if_addmulti are two IF_ADDR_LOCK sections: both lookups can find
 * nothing, and the second if_addmulti then finds the first's ifma and
 * takes a second reference; both joins succeed (MC-6, finding FB-1).
 * `fixAddmultiAtomic`: one section; exactly one join succeeds.
 */
export const fbAddmultiToctou = defineScenario<S>({
  name: 'fb-addmulti-toctou',
  description: 'two userland SIOCADDMULTI of one group: check (if_findmulti) then act (if_addmulti)',
  system: 'freebsd',
  threads: 2,
  params: { fixAddmultiAtomic: false },
  paramTypes: { fixAddmultiAtomic: { description: 'candidate fix of FB-1: the SIOCADDMULTI lookup and insertion in one IF_ADDR_LOCK section' } },
  granularity: IFNET_GRANULARITY,
  setup(ex) {
    const g = ifnetWorld(ex, 4, ['ed0']);
    const ed0 = g.all[0]!;
    const fix = ex.param<boolean>('fixAddmultiAtomic');
    for (const t of ['T1', 'T2']) {
      ex.spawn(
        t,
        (function* (): KThread<void> {
          g.results.set(`${t} join`, yield* ifhwioctlAddmulti(ex, g, ed0, USER_SDL, fix));
        })(),
      );
    }
    return { g };
  },
  snapshot: (s) => ifnetSnapshot(s),
  invariants: [...ifnetInvariants, ...multicastInvariants],
  endChecks: [
    ifnetQuiescent,
    {
      name: 'addmulti-result',
      statement: 'one membership of the group; one join succeeded and the other got EADDRINUSE',
      check: ({ g }) => {
        const m = g.all[0]!.multiaddrs;
        const rs = [g.results.get('T1 join'), g.results.get('T2 join')].sort().join(',');
        if (m.length !== 1) return `${m.length} ifmas`;
        return rs === `${Errno.OK},${Errno.EADDRINUSE}` ? null : `join results ${rs}`;
      },
    },
  ],
});

/**
 * fb-alloc-partial (FB-ALLOC-PARTIAL, log L483-486): T1 adds ed0 to a new
 * group "grp" (if_addgroup: three M_NOWAIT allocations), with allocation
 * failures enabled (each M_NOWAIT may fail, a recorded choice). Fixed (the
 * era code): everything is allocated before anything is linked, and each
 * failure frees what was allocated. Mutant fb-pre-addgroup-alloc-first:
 * the ifg_list is linked first and left behind on failure (ALLOC-1). One
 * thread, no preemption: fault injection.
 */
export const fbAllocPartial = defineScenario<{ g: IfnetGlobals; gr: IfGroups; result: { rc: number } }>({
  name: 'fb-alloc-partial',
  description: 'if_addgroup with M_NOWAIT allocations that may fail',
  system: 'freebsd',
  threads: 1,
  allocFail: true,
  mutants: ['fb-pre-addgroup-alloc-first'],
  granularity: `${IFNET_GRANULARITY}; each M_NOWAIT allocation is a recorded choice (succeeds or fails)`,
  setup(ex) {
    const g = ifnetWorld(ex, 4, ['ed0']);
    const gr = new IfGroups(ex);
    const result = { rc: -1 };
    ex.spawn(
      'T1',
      (function* (): KThread<void> {
        result.rc = yield* ifAddgroup(ex, g, gr, g.all[0]!, 'grp');
      })(),
    );
    return { g, gr, result };
  },
  snapshot: ({ gr, result }) => ({ rc: String(result.rc), groups: gr.head.map((x) => `${x.name}(${x.refcnt})`).join(' ') }),
  invariants: ifnetInvariants,
  endChecks: [
    alloc1,
    {
      name: 'addgroup-result',
      statement: 'if_addgroup returns 0 with ed0 in grp, or ENOMEM with nothing changed',
      check: ({ g, gr, result }) => {
        const inGrp = gr.of(g.all[0]!).some((l) => l.group?.name === 'grp');
        if (result.rc === Errno.OK) return inGrp ? null : 'returned 0 but ed0 is not in grp';
        if (result.rc === Errno.ENOMEM) return gr.head.length === 0 ? null : 'ENOMEM but the group was created';
        return `returned ${result.rc}`;
      },
    },
  ],
});

/**
 * fb-giant-lor (FB-GIANT-LOR, log L32-36, L513-526): ed0 is an
 * IFF_NEEDSGIANT driver. T1, a kernel consumer, joins a group
 * (if_addmulti: new membership, then SIOCADDMULTI under IFF_LOCKGIANT);
 * T2 sets ed0's flags (SIOCSIFFLAGS: IFF_LOCKGIANT, the driver reprograms
 * its filter under IF_ADDR_LOCK). Fixed (era code): both take Giant before
 * IF_ADDR_LOCK. Mutant fb-addmulti-giant-under-addr-lock: T1 takes Giant
 * holding IF_ADDR_LOCK (deadlock or lock-order cycle).
 */
export const fbGiantLor = defineScenario<S>({
  name: 'fb-giant-lor',
  description: 'a multicast join and a flags ioctl on a Giant-locked driver (IFF_LOCKGIANT against IF_ADDR_LOCK)',
  system: 'freebsd',
  threads: 2,
  mutants: ['fb-addmulti-giant-under-addr-lock'],
  granularity: `${IFNET_GRANULARITY}; mutex_enter(Giant), mutex_enter(IF_ADDR_LOCK)`,
  setup(ex) {
    const g = ifnetWorld(ex, 4, ['ed0']);
    giantInit(ex, g);
    const ed0 = g.all[0]!;
    ed0.needsGiant = true;
    ex.spawn('T1', (function* (): KThread<void> { yield* ifAddmulti(ex, g, ed0, KERNEL_SDL); })());
    ex.spawn('T2', ifLockgiantIoctl(ex, g, ed0, 'SIOCSIFFLAGS'));
    return { g };
  },
  snapshot: (s) => ifnetSnapshot(s),
  invariants: [...ifnetInvariants, ...multicastInvariants],
  endChecks: [ifnetQuiescent],
});

/**
 * fb-mcast-detach-leak (FB-MCAST-DETACH-LEAK, log L550-557): a kernel
 * consumer (carp, pfsync) joined a group on ed0 and keeps its membership;
 * T1 is its leave, T2 destroys the cloned ed0 (if_detach with
 * if_purgemaddrs, if_free). As written, the purge drops the consumer's own
 * reference (the list holds none), so a leave after the detach reads the
 * freed ifma (finding FB-4); and if_delmulti_ifma locks the ifnet its
 * unlocked read of ifma_ifp returned, which may be freed by then.
 * `fixMcastOwnership`: the list owns a reference, the membership a
 * reference on ed0. Mutant fb-pre-ec002fee-delmulti-lookup (before the
 * commit): no purge, and the leave searches ed0's list by address.
 */
export const fbMcastDetachLeak = defineScenario<S>({
  name: 'fb-mcast-detach-leak',
  description: "a kernel consumer's multicast leave against if_clone_destroy of the interface (if_purgemaddrs, if_delmulti_ifma)",
  system: 'freebsd',
  threads: 2,
  mutants: ['fb-pre-ec002fee-delmulti-lookup'],
  params: { fixMcastOwnership: false },
  paramTypes: { fixMcastOwnership: { description: 'candidate fix of FB-4: if_multiaddrs holds its own reference on each ifma, and a membership holds a reference on its ifnet' } },
  granularity: `${IFNET_GRANULARITY}; mutex_enter(IF_ADDR_LOCK); the unlocked read of ifma_ifp`,
  setup(ex) {
    const g = ifnetWorld(ex, 4, ['ed0']);
    const ed0 = g.all[0]!;
    const fix = ex.param<boolean>('fixMcastOwnership');
    const pre = fbBug(ex, 'fb-pre-ec002fee-delmulti-lookup');
    g.mcastListRef = fix;
    const ifma = new Ifma(new KMem(ex, `ifma ed0/${MAC}`), KERNEL_SDL, ed0);
    ifma.refcount = fix ? 2 : 1; // the consumer's (and the list's)
    ed0.multiaddrs.push(ifma); // joined before the race (TAILQ_INSERT_HEAD)
    ifma.m.send('LINK');
    const holdsIfnet = fix && !pre && ed0.ref !== null;
    if (holdsIfnet) ed0.ref!.count++; // the membership's reference on ed0
    ex.spawn(
      'T1',
      (function* (): KThread<void> {
        if (pre) g.results.set('leave', yield* ifDelmulti(ex, g, ed0, KERNEL_SDL));
        else yield* ifDelmultiIfma(ex, g, ifma);
        if (holdsIfnet) yield* ifRele(ex, g, ed0);
      })(),
    );
    ex.spawn('T2', ifCloneDestroy(ex, g, 'ed0', 'destroy'));
    return { g };
  },
  snapshot: (s) => ifnetSnapshot(s),
  invariants: [...ifnetInvariants, ...multicastInvariants],
  endChecks: [
    ifnetQuiescent,
    {
      name: 'MC-3',
      statement: 'after the detach and the leave no membership of the interface is left allocated',
      check: ({ g }) => {
        const left = g.all[0]!.multiaddrs.filter((m) => !m.mem.freed);
        return left.length === 0 ? null : `${left.length} ifma(s) of ed0 never freed (leaked)`;
      },
    },
  ],
});

/**
 * fb-mcast-ll-ref (FB-MCAST-LL-REF, log L550): two IPv4 groups that map to
 * one Ethernet multicast address (239.1.1.1 and 239.129.1.1 share
 * 01:00:5e:01:01:01). T1 joins and leaves the first, T2 the second; each
 * network-layer ifma holds a reference on the shared link-layer ifma
 * (ifma_llifma). Fixed (era code): the companion is referenced when shared
 * and released when a network-layer ifma's count reaches 0. Mutant
 * fb-llifma-no-ref: shared without a reference, the first leave frees it
 * under the other group (MC-4).
 */
export const fbMcastLlRef = defineScenario<S>({
  name: 'fb-mcast-ll-ref',
  description: 'two network-layer groups sharing one link-layer membership, joined and left concurrently',
  system: 'freebsd',
  threads: 2,
  mutants: ['fb-llifma-no-ref'],
  granularity: `${IFNET_GRANULARITY}; mutex_enter(IF_ADDR_LOCK)`,
  setup(ex) {
    const g = ifnetWorld(ex, 4, ['ed0']);
    const ed0 = g.all[0]!;
    const ll: SockaddrDl = { alen: 6, lladdr: '01:00:5e:01:01:01', index: 1, nlen: 3 };
    for (const [t, grp] of [['T1', '239.1.1.1'], ['T2', '239.129.1.1']] as const) {
      ex.spawn(
        t,
        (function* (): KThread<void> {
          const ifma = yield* ifAddmultiNet(ex, g, ed0, { alen: 4, lladdr: grp, index: 0, nlen: 0 }, ll);
          yield* ifDelmultiIfma(ex, g, ifma);
        })(),
      );
    }
    return { g };
  },
  snapshot: (s) => ifnetSnapshot(s),
  invariants: [...ifnetInvariants, ...multicastInvariants],
  endChecks: [
    ifnetQuiescent,
    {
      name: 'MC-3',
      statement: 'after both leaves no membership of ed0 is left',
      check: ({ g }) => (g.all[0]!.multiaddrs.length === 0 ? null : `${g.all[0]!.multiaddrs.map((m) => m.mem.name).join(', ')} left on ed0`),
    },
  ],
});
