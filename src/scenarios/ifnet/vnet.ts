/**
 * VNET and SYSINIT scenarios (the VN-* and SYSINIT rows of the ifnet/vnet
 * analysis): fb-sysinit-order, fb-vnet-global-once, fb-vnet-curvnet,
 * fb-vnet-uma-outlive, fb-vnet-missed-ctor, fb-vnet-missed-dtor.
 *
 * Boot state: vnet0 (and vnet1 where said) already allocated, INITIALIZED
 * and listed, with the boot modules constructed on it, as vnet_alloc at
 * boot and at jail creation leave them.
 */
import type { KThread } from '../../core/effect.ts';
import type { Execution } from '../../core/execution.ts';
import { access } from '../../core/ops.ts';
import { defineScenario } from '../../core/scenario.ts';
import { KMem } from '../../locks/kmem.ts';
import { KRefcount } from '../../locks/refcount.ts';
import { KTaskq } from '../../locks/taskq.ts';
import { ifLinkStateChange, LINK_STATE } from '../../actors/ifnet/linkstate.ts';
import { Mtx, mtxLock, mtxUnlock } from '../../actors/ifnet/mtx.ts';
import { prisonRemove, vnetRele } from '../../actors/ifnet/prison.ts';
import { ifInit, ifSlowtimo, miStartup, type Sysinit, SysinitGlobals } from '../../actors/ifnet/sysinit.ts';
import { Ifnet, IfnetGlobals } from '../../actors/ifnet/types.ts';
import { umaZcreate, umaZfree } from '../../actors/ifnet/uma.ts';
import {
  curvnetRestore,
  curvnetSet,
  SI_ORDER,
  SI_SUB,
  vAccess,
  Vnet,
  vnetAlloc,
  vnetDestroy,
  VnetGlobals,
  type VnetSysinit,
} from '../../actors/ifnet/vnet.ts';
import { constructedAtBoot, InetGlobals, inetBooted, inetModule, tcpModule, vnetModule, vnetModuleLoad, vnetModuleUnload } from '../../actors/ifnet/vnet-modules.ts';
import { i1End, si1, vnetInvariants, vnetQuiescent } from '../../specs/ifnet/vnet.ts';
import { lagg3 } from '../../specs/ifnet/index.ts';
import { LaggSoftc, laggPortAttach, laggPortDestroy } from '../../actors/ifnet/lagg.ts';
import { fbBug } from '../../actors/ifnet/mutants.ts';

/**
 * Scheduling points of the VNET scenarios: sx_slock/sx_xlock of
 * vnet_sysinit_sxlock, VNET_LIST_WLOCK, the first touch of curvnet's V_
 * data by each module callback, the unlocked loads of vnet_head/le_next by
 * the register calls' VNET_FOREACH, and each unlocked V_ access.
 */
export const VNET_GRANULARITY =
  'sx lock of vnet_sysinit_sxlock and VNET_LIST_WLOCK; each module callback (its first V_ access); the unlocked loads of vnet_head/le_next in VNET_FOREACH of vnet_register_sysinit/vnet_deregister_sysuninit; each unlocked V_ or object access';

interface S {
  vg: VnetGlobals;
}

/** A vnet as vnet_alloc leaves it, with `mods` constructed, at the head of vnet_head. */
function bootVnet(ex: Execution, vg: VnetGlobals, name: string, mods: readonly string[]): Vnet {
  const v = new Vnet(ex, name, vg.cov);
  v.m.send('INIT');
  for (const m of mods) constructedAtBoot(ex, v, m);
  v.next = vg.head;
  vg.head = v;
  v.listed = true;
  vg.all.push(v);
  if (!vg.vnet0) vg.vnet0 = v;
  return v;
}

/** Register a boot module's callbacks (the linker set at boot, before any thread runs). */
function bootRegister(vg: VnetGlobals, m: { init: VnetSysinit; uninit: VnetSysinit }): void {
  vg.constructors.push(m.init);
  vg.constructors.sort((a, b) => a.subsystem - b.subsystem || a.order - b.order);
  vg.destructors.push(m.uninit);
  vg.destructors.sort((a, b) => a.subsystem - b.subsystem || a.order - b.order);
}

function vnetSnapshot({ vg }: S): Record<string, string> {
  const out: Record<string, string> = { vnet_head: vg.listed().map((v) => v.name).join(' ') || '(empty)' };
  for (const v of vg.all) out[`vnet ${v.name}`] = `${v.m.state}${v.listed ? ' listed' : ''} ${[...v.mods].map(([m, s]) => `${m}:${s.ctor}/${s.dtor}`).join(' ')}`;
  return out;
}

const common = { system: 'freebsd', granularity: VNET_GRANULARITY, snapshot: vnetSnapshot, invariants: vnetInvariants } as const;

/**
 * fb-vnet-missed-ctor (FB-VNET-MISSED-CTOR, log L115-119, L220-224; vnet.c
 * vnet_alloc, vnet_register_sysinit): T1 creates vnet1 (vnet_alloc) while
 * T2 loads module pf, whose VNET_SYSINIT registers a constructor. As
 * written, vnet_alloc runs the constructors under the sysinit sx, drops it,
 * and only then lists the vnet; a registration in between runs the new
 * constructor on the listed vnets only, and vnet1 never gets pf (I1,
 * finding FB-2). `fixListUnderSysinit`: vnet_alloc lists the vnet before
 * dropping the sysinit sx.
 */
export const fbVnetMissedCtor = defineScenario<S>({
  ...common,
  name: 'fb-vnet-missed-ctor',
  description: 'vnet_alloc against a module load registering a VNET_SYSINIT',
  threads: 2,
  params: { fixListUnderSysinit: false },
  paramTypes: { fixListUnderSysinit: { description: 'candidate fix of FB-2: vnet_alloc keeps vnet_sysinit_sxlock shared until the new vnet is on vnet_head' } },
  setup(ex) {
    const vg = new VnetGlobals(ex);
    const ifm = vnetModule('if', SI_SUB.INIT_IF);
    bootRegister(vg, ifm);
    bootVnet(ex, vg, 'vnet0', ['if']);
    const pf = vnetModule('pf', SI_SUB.PROTO_IFATTACHDOMAIN);
    const fix = ex.param<boolean>('fixListUnderSysinit');
    ex.spawn('T1', (function* (): KThread<void> { yield* vnetAlloc(ex, vg, 'vnet1', fix); })());
    ex.spawn('T2', vnetModuleLoad(ex, vg, pf));
    return { vg };
  },
  endChecks: [i1End, vnetQuiescent],
});

/**
 * fb-vnet-missed-dtor (FB-VNET-MISSED-DTOR; vnet.c vnet_destroy,
 * vnet_deregister_sysuninit): T1 destroys vnet1 while T2 unloads pf. As
 * written, vnet_destroy unlists vnet1 first and takes the sysinit sx for
 * the destructors after; a deregistration in between runs pf's destructor
 * on the listed vnets only and removes it, so vnet1 is freed with pf's
 * per-vnet state never destructed (I8, finding FB-3).
 * `fixUnlistUnderSysinit`: vnet_destroy takes the sysinit sx shared before
 * unlisting and keeps it across the destructors.
 */
export const fbVnetMissedDtor = defineScenario<S>({
  ...common,
  name: 'fb-vnet-missed-dtor',
  description: 'vnet_destroy against a module unload deregistering a VNET_SYSUNINIT',
  threads: 2,
  params: { fixUnlistUnderSysinit: false },
  paramTypes: { fixUnlistUnderSysinit: { description: 'candidate fix of FB-3: vnet_destroy takes vnet_sysinit_sxlock shared before unlisting and holds it across the destructors' } },
  setup(ex) {
    const vg = new VnetGlobals(ex);
    const ifm = vnetModule('if', SI_SUB.INIT_IF);
    const pf = vnetModule('pf', SI_SUB.PROTO_IFATTACHDOMAIN);
    bootRegister(vg, ifm);
    bootRegister(vg, pf);
    bootVnet(ex, vg, 'vnet0', ['if', 'pf']);
    const vnet1 = bootVnet(ex, vg, 'vnet1', ['if', 'pf']);
    const fix = ex.param<boolean>('fixUnlistUnderSysinit');
    ex.spawn('T1', vnetDestroy(ex, vg, vnet1, fix));
    ex.spawn('T2', vnetModuleUnload(ex, vg, pf));
    return { vg };
  },
  endChecks: [i1End, vnetQuiescent],
});

interface G extends S {
  ig: InetGlobals;
}

/**
 * fb-vnet-global-once (FB-VNET-GLOBAL-ONCE, log L11-16): T1 is vnet0
 * traffic inside IPQ_LOCK (the global reassembly queue); T2 creates vnet1,
 * whose constructors include ip_init. Fixed: ip_init initialises global
 * state only under IS_DEFAULT_VNET(curvnet). Mutant
 * fb-pre-is-default-vnet-gate: vnet1's ip_init re-runs the global part
 * (VN-1), re-creating the ipq zone and mtx_init'ing ipqlock, which T1 may
 * hold (LK-1 after it).
 */
export const fbVnetGlobalOnce = defineScenario<G>({
  ...common,
  snapshot: vnetSnapshot,
  invariants: vnetInvariants,
  name: 'fb-vnet-global-once',
  description: "vnet_alloc running ip_init for a new vnet while vnet0 traffic holds the global ipq lock",
  threads: 2,
  mutants: ['fb-pre-is-default-vnet-gate'],
  setup(ex) {
    const vg = new VnetGlobals(ex);
    const ig = new InetGlobals(ex, new Mtx(ex, 'ipqlock', 'ipqlock', new KMem(ex, 'ipq globals')));
    const ifm = vnetModule('if', SI_SUB.INIT_IF);
    bootRegister(vg, ifm);
    const inet = inetModule(ig, SI_SUB.PROTO_DOMAIN);
    vg.constructors.push(inet); // after if (sorted: PROTO_DOMAIN > INIT_IF)
    const v0 = bootVnet(ex, vg, 'vnet0', ['if']);
    inetBooted(ex, vg, v0);
    ex.spawn(
      'T1',
      (function* (): KThread<void> {
        const saved = curvnetSet(ex, vg, v0);
        yield* mtxLock(ig.ipqlock);
        yield* access(ig.obj, 'w', 'ipq reassembly (ip_reass)');
        yield* vAccess(ex, vg, v0, 'w', 'ipstat', true);
        yield* mtxUnlock(ig.ipqlock);
        curvnetRestore(ex, vg, saved);
      })(),
    );
    ex.spawn('T2', (function* (): KThread<void> { yield* vnetAlloc(ex, vg, 'vnet1'); })());
    return { vg, ig };
  },
  endChecks: [vnetQuiescent],
});

interface C extends S {
  em0: Ifnet;
  lo0: Ifnet;
}

/**
 * fb-vnet-curvnet (FB-VNET-CURVNET, log L222-224): T1 is em0's driver
 * (em0 in vnet1) reporting link up, T2 lo0's (vnet0); each queues
 * if_linktask on taskqueue_swi, whose one worker has no vnet of its own.
 * Fixed: do_link_state_change sets curvnet to ifp->if_vnet around
 * rt_ifmsg and restores it. Mutant fb-pre-curvnet-linktask: no
 * CURVNET_SET, V_route_cb is read through the worker's NULL curvnet (VN-3).
 * Mutant fb-linktask-curvnet-no-restore: no CURVNET_RESTORE, the worker
 * returns from the task with the ifnet's vnet as its context (VN-4).
 */
export const fbVnetCurvnet = defineScenario<C>({
  ...common,
  snapshot: vnetSnapshot,
  invariants: vnetInvariants,
  name: 'fb-vnet-curvnet',
  description: 'link-state tasks of two vnets run by one taskqueue worker (CURVNET_SET/RESTORE around V_ accesses)',
  threads: 2,
  mutants: ['fb-pre-curvnet-linktask', 'fb-linktask-curvnet-no-restore'],
  granularity: `${VNET_GRANULARITY}; the taskqueue worker taking a task`,
  setup(ex) {
    const vg = new VnetGlobals(ex);
    const v0 = bootVnet(ex, vg, 'vnet0', []);
    const v1 = bootVnet(ex, vg, 'vnet1', []);
    const mk = (name: string, v: Vnet): Ifnet => {
      const ifp = new Ifnet(ex, new KMem(ex, `ifnet ${name}`), name, vg.cov);
      ifp.ifVnet = v;
      return ifp;
    };
    const em0 = mk('em0', v1);
    const lo0 = mk('lo0', v0);
    const swi = new KTaskq(ex, 'taskqueue_swi', 1);
    ex.spawn('T1', ifLinkStateChange(ex, vg, swi, em0, LINK_STATE.UP));
    ex.spawn('T2', ifLinkStateChange(ex, vg, swi, lo0, LINK_STATE.UP));
    return { vg, em0, lo0 };
  },
  endChecks: [vnetQuiescent],
});

/**
 * fb-vnet-uma-outlive (FB-VNET-UMA-OUTLIVE, log L17-24): vnet1 has a
 * TIME_WAIT pcb allocated from its V_tcptw_zone (no socket: vnet_sockcnt
 * is 0). T1 expires it (CURVNET_SET, uma_zfree, then drops its
 * credential's reference); T2 removes the jail. Fixed: the holder's
 * reference keeps vnet1 until the last release, which runs vnet_destroy.
 * Mutant fb-vnet-destroy-with-live-items: jail removal destroys vnet1 at
 * once; tcp_destroy's uma_zdestroy finds the pcb still allocated (VN-5),
 * and T1 then frees it into the destroyed zone.
 */
export const fbVnetUmaOutlive = defineScenario<S>({
  ...common,
  name: 'fb-vnet-uma-outlive',
  description: 'a TIME_WAIT pcb freed into its vnet zone while the jail owning the vnet is removed',
  threads: 2,
  mutants: ['fb-vnet-destroy-with-live-items'],
  setup(ex) {
    const vg = new VnetGlobals(ex);
    const tcp = tcpModule(SI_SUB.PROTO_DOMAIN);
    bootRegister(vg, tcp);
    bootVnet(ex, vg, 'vnet0', []);
    const v1 = bootVnet(ex, vg, 'vnet1', []);
    const st = v1.mod('tcp');
    st.ctor = 1;
    st.zone = umaZcreate(ex, vg, 'tcptw@vnet1');
    // The prison's own reference and the one of the pcb's credential.
    if (!fbBug(ex, 'fb-vnet-destroy-with-live-items')) v1.ref = new KRefcount(ex, 'vnet1 pr_ref', 2);
    const zone = st.zone;
    zone.items = 1;
    const tw = new KMem(ex, 'tcptw (from tcptw@vnet1)');
    ex.spawn(
      'T1',
      (function* (): KThread<void> {
        const saved = curvnetSet(ex, vg, v1); // CURVNET_SET(tw->tw_inpcb's vnet)
        yield* vAccess(ex, vg, v1, 'r', 'tcptw_zone');
        yield* umaZfree(ex, zone, tw); // tcp_tw_2msl expiry: uma_zfree(V_tcptw_zone, tw)
        curvnetRestore(ex, vg, saved);
        yield* vnetRele(ex, vg, v1); // crfree(tw->tw_cred)
      })(),
    );
    ex.spawn('T2', prisonRemove(ex, vg, v1));
    return { vg };
  },
  endChecks: [vnetQuiescent],
});

interface B {
  sg: SysinitGlobals;
  g: IfnetGlobals;
}

/**
 * fb-sysinit-order (FB-SYSINIT-ORDER, log L304-305): the boot thread runs
 * the SYSINITs sorted by (subsystem, order). Fixed (the code after the
 * if_check removal): interface_check calls if_slowtimo at SI_SUB_PROTO_IF,
 * after if_init at SI_SUB_INIT_IF. Mutant
 * fb-slowtimo-sysinit-before-if-init (a regression guard, not a historical
 * bug): interface_check declared at a subsystem before SI_SUB_INIT_IF, so
 * if_slowtimo takes ifnet_lock and walks V_ifnet before if_init made them
 * (SI-1). One thread, no preemption.
 */
export const fbSysinitOrder = defineScenario<B>({
  name: 'fb-sysinit-order',
  description: 'boot: if_slowtimo first called from its SYSINIT, ordered against if_init',
  system: 'freebsd',
  threads: 1,
  mutants: ['fb-slowtimo-sysinit-before-if-init'],
  granularity: 'none: one boot thread (every SYSINIT runs to completion in sort order)',
  setup(ex) {
    const sg = new SysinitGlobals(ex);
    const g = new IfnetGlobals(ex, 4);
    const early = fbBug(ex, 'fb-slowtimo-sysinit-before-if-init');
    const set: Sysinit[] = [
      { name: 'interface_check (if_slowtimo)', subsystem: early ? SI_SUB.INIT_IF - 1 : SI_SUB.PROTO_IF, order: SI_ORDER.FIRST, func: (x, s) => ifSlowtimo(x, s, g) },
      { name: 'interfaces (if_init)', subsystem: SI_SUB.INIT_IF, order: SI_ORDER.FIRST, func: (x, s) => ifInit(x, s, g) },
    ];
    ex.spawn('boot', miStartup(ex, sg, set));
    return { sg, g };
  },
  snapshot: ({ sg }) => ({ ran: sg.ran.join(', '), initialised: [...sg.initialised].join(', ') }),
  invariants: [si1],
  endChecks: [
    {
      name: 'sysinit-result',
      statement: 'both SYSINITs ran, if_init first',
      check: ({ sg }) => (sg.ran.length === 2 && sg.ran[0] === 'interfaces (if_init)' ? null : `ran ${sg.ran.join(', ')}`),
    },
  ],
});

interface LG extends S {
  sc: LaggSoftc;
  ed0: Ifnet;
}

/**
 * fb-lagg-port-vs-linktask (FB-LAGG-PORT-vs-LINKTASK, log L532-549): ed0
 * is a port of lagg0. T1 is ed0's driver reporting link up: if_linktask
 * runs on the taskqueue_swi worker, and do_link_state_change calls the
 * lagg hook because ed0->if_lagg is set. T2 removes ed0 from lagg0
 * (SIOCSLAGGDELPORT: lagg_port_destroy frees the port). The lagg side is
 * modelled from the analysis (lagg.ts): one softc rwlock. Fixed: the task
 * holds it across the if_lagg check and the hook. Mutant
 * fb-lagg-linkstate-unlocked: check, then call, unlocked; the port is freed
 * in between (LAGG-3), and the hook's read of lp_softc is a use-after-free.
 */
export const fbLaggPortVsLinktask = defineScenario<LG>({
  ...common,
  invariants: [...vnetInvariants, lagg3] as never,
  name: 'fb-lagg-port-vs-linktask',
  description: "a lagg port's link-state task (do_link_state_change -> lagg_port_state) against the removal of the port (lagg_port_destroy)",
  threads: 2,
  mutants: ['fb-lagg-linkstate-unlocked'],
  granularity: `${VNET_GRANULARITY}; the taskqueue worker taking a task; rw_enter of the lagg softc lock; the unlocked reads of if_lagg and lp_softc in the mutant`,
  setup(ex) {
    const vg = new VnetGlobals(ex);
    const v0 = bootVnet(ex, vg, 'vnet0', []);
    const ed0 = new Ifnet(ex, new KMem(ex, 'ifnet ed0'), 'ed0', vg.cov);
    ed0.ifVnet = v0;
    const sc = new LaggSoftc(ex, new KMem(ex, 'lagg0 softc'));
    const lp = laggPortAttach(ex, sc, ed0);
    const swi = new KTaskq(ex, 'taskqueue_swi', 1);
    ex.spawn('T1', ifLinkStateChange(ex, vg, swi, ed0, LINK_STATE.UP));
    ex.spawn('T2', laggPortDestroy(ex, sc, lp));
    return { vg, sc, ed0 };
  },
  endChecks: [
    vnetQuiescent,
    {
      name: 'lagg-result',
      statement: 'the port ends removed and freed, ed0->if_lagg NULL; the link change reached lagg0 at most once',
      check: ({ sc, ed0 }) => {
        if (!sc.all[0]!.mem.freed) return 'the lagg_port was never freed';
        if (ed0.ifLagg !== null) return 'ed0->if_lagg still set';
        return sc.linkUpdates <= 1 ? null : `lagg_linkstate ran ${sc.linkUpdates} times`;
      },
    },
  ],
});
