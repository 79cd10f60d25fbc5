/**
 * Scenarios of the XNU netif nexus model (system 'xnu'). Each names the
 * race it explores; the threads are the nexus controller (nxctl attach,
 * detach, destroy), channel openers and closers (flowswitch-like kernel
 * channels, user channels), the driver (RX interrupts, kern_nexus_stop),
 * the ifnet start thread, a transmitter and the netagent port binder.
 */
import type { KThread } from '../../core/effect.ts';
import type { Execution } from '../../core/execution.ts';
import { defineScenario, type Scenario } from '../../core/scenario.ts';
import { mutexEnter, mutexExit } from '../../locks/kmutex.ts';
import { nxNetifCtlAttach, type AttachReq } from '../../actors/netif/attach.ts';
import { chClose, chOpen, kernNexusStop, nxNetifDomBindPort, nxNetifNaSpecialCommon, type OpenReq } from '../../actors/netif/channel.ts';
import { callStartHandler, driverRxInterrupt, netifTransmit } from '../../actors/netif/datapath.ts';
import { nxctlDetach, nxDestroy } from '../../actors/netif/detach.ts';
import { ifnetDatamovBegin, ifnetDatamovDrain, ifnetDatamovEnd, ifnetDatamovResume, ifnetDatamovSuspend, ifnetStartThread } from '../../actors/netif/dlil.ts';
import { Errno, type Nexus, type NetifGlobals, PORT_ANY, PORT_DEV, PORT_HOST } from '../../actors/netif/types.ts';
import { type HasNetif, netifEndChecks, netifInvariants, resultsCheck } from '../../specs/netif/index.ts';
import { NETIF_GRANULARITY, netifFingerprint, netifWorld, openKernelChannelDirect } from './world.ts';
import { netifMutantTable } from '../../actors/netif/mutants.ts';

type S = HasNetif;
const E = Errno;

/** The nexus controller's NXCFG_CMD_ATTACH: SK_LOCK around nx_netif_ctl_attach (nx_netif_prov_config, L4992-5084). */
function* nxctlAttach(ex: Execution, g: NetifGlobals, nx: Nexus, req: AttachReq, who: string): KThread<void> {
  yield* mutexEnter(g.skLock);
  const err = !nx.attached || nx.closed ? 2 : yield* nxNetifCtlAttach(ex, g, nx, req);
  yield* mutexExit(g.skLock);
  g.results.set(who, err);
}

/**
 * A flowswitch-like kernel client: ch_open_special on port 0 (or the host
 * port with CHMODE_HOST), NXSPEC_CMD_START (rings out of drop mode), then
 * ch_close. A failed open ends the thread.
 */
function* kernelClient(ex: Execution, g: NetifGlobals, nx: Nexus, who: string, port: number): KThread<void> {
  const req: OpenReq = { port, hostMode: port === PORT_HOST };
  const ch = yield* chOpen(ex, g, nx, who, req, true);
  if (ch === null) return;
  yield* mutexEnter(g.skLock);
  yield* nxNetifNaSpecialCommon(ex, g, ch.na!, ch, 'START');
  yield* mutexExit(g.skLock);
  yield* chClose(ex, g, ch);
}

/** A channel opened with ch_open by a kernel or user process (not CHANF_KERNEL), then closed. */
function* regularClient(ex: Execution, g: NetifGlobals, nx: Nexus, who: string, req: OpenReq, kernproc: boolean): KThread<void> {
  const ch = yield* chOpen(ex, g, nx, who, req, false, kernproc);
  if (ch !== null) yield* chClose(ex, g, ch);
}

/** The ifnet start thread running one request: the if_start handler through its slot. */
function* startThread(ex: Execution, g: NetifGlobals, ifname: string): KThread<void> {
  const ifp = g.ifnets.find((i) => i.name === ifname)!;
  yield* ifnetStartThread(g, ifp, (fn) => callStartHandler(ex, g, ifp, fn));
}

const ok = (r: number | undefined, ...want: number[]): boolean => r !== undefined && want.includes(r);
const common = { system: 'xnu', granularity: NETIF_GRANULARITY, snapshot: ({ g }: S) => netifFingerprint(g), invariants: netifInvariants } as const;
const FIX_R1 = { fixDetachInprogress: false };
const FIX_R1_TYPE = { fixDetachInprogress: { description: 'candidate fix of NX-1: a DETACHING mark set before SK_UNLOCK in nx_netif_ctl_detach, refused by detach and na_find, waited out by the destructor' } };

/** R1(a): two NXCFG_CMD_DETACH of one attachment (two nexus controllers). */
export const nxDoubleDetach = defineScenario<S>({
  ...common,
  name: 'nx-double-detach',
  description: 'two nxctl detaches of the same attachment: the second runs in the first one\'s SK_UNLOCK/drain window',
  threads: 2,
  params: FIX_R1,
  paramTypes: FIX_R1_TYPE,
  setup(ex) {
    const g = netifWorld(ex, ['en0'], [{ name: 'nx0', attach: 'en0' }]);
    const uuid = g.nexuses[0]!.nif!.uuid;
    ex.spawn('T1', nxctlDetach(ex, g, g.nexuses[0]!, uuid, 'T1'));
    ex.spawn('T2', nxctlDetach(ex, g, g.nexuses[0]!, uuid, 'T2'));
    return { g };
  },
  endChecks: [
    ...netifEndChecks,
    resultsCheck('nx-double-detach-result', 'one detach succeeds; the other finds the attachment gone (ESRCH) or being detached (EBUSY)', (r) => {
      const rs = [r.get('T1'), r.get('T2')];
      return rs.filter((x) => x === E.OK).length === 1 && rs.every((x) => ok(x, E.OK, E.ESRCH, E.EBUSY)) ? null : `results ${rs.join(', ')}`;
    }),
  ],
});

/** R1(a) via the destructor: NXCFG_CMD_DETACH against nx_destroy (nx_close -> nx_detach -> dtor -> ctl_detach(NULL)). */
export const nxDetachVsDestroy = defineScenario<S>({
  ...common,
  name: 'nx-detach-vs-destroy',
  description: 'an nxctl detach against the destroy of the same nexus, whose destructor detaches whatever is attached',
  threads: 2,
  params: FIX_R1,
  paramTypes: FIX_R1_TYPE,
  setup(ex) {
    const g = netifWorld(ex, ['en0'], [{ name: 'nx0', attach: 'en0' }]);
    const nx = g.nexuses[0]!;
    ex.spawn('T1', nxctlDetach(ex, g, nx, nx.nif!.uuid, 'T1'));
    ex.spawn('T2', nxDestroy(ex, g, nx, 'T2'));
    return { g };
  },
  endChecks: [
    ...netifEndChecks,
    resultsCheck('nx-detach-vs-destroy-result', 'the nexus ends detached with its nif freed; the detach succeeded, found the nexus gone (ENOENT) or found the destructor\'s detach in progress (EBUSY, with the fix)', (r, g) => {
      const nx = g.nexuses[0]!;
      if (nx.m.state !== 'DETACHED' || g.nifs[0]!.mem.freed !== true) return `nexus ${nx.m.state}, nif ${g.nifs[0]!.m.state}`;
      return ok(r.get('T1'), E.OK, 2, E.EBUSY) && r.get('T2') === E.OK ? null : `results ${r.get('T1')}, ${r.get('T2')}`;
    }),
  ],
});

/** R1(b): a kernel channel opened on port 0 during the detach drain window. */
export const nxOpenDuringDetach = defineScenario<S>({
  ...common,
  name: 'nx-open-during-detach',
  description: 'an nxctl detach against a flowswitch-like ch_open_special on port 0 (open, start, close)',
  threads: 2,
  mutants: netifMutantTable.pick('nx-no-g3-na-find-port0'),
  params: FIX_R1,
  paramTypes: FIX_R1_TYPE,
  setup(ex) {
    const g = netifWorld(ex, ['en0'], [{ name: 'nx0', attach: 'en0' }]);
    const nx = g.nexuses[0]!;
    ex.spawn('T1', nxctlDetach(ex, g, nx, nx.nif!.uuid, 'T1'));
    ex.spawn('T2', kernelClient(ex, g, nx, 'T2', PORT_DEV));
    return { g };
  },
  endChecks: [
    ...netifEndChecks,
    resultsCheck('nx-open-during-detach-result', 'the open succeeds (and the detach then fails EBUSY or runs after the close) or fails ENXIO; the detach succeeds or is EBUSY', (r) =>
      ok(r.get('T1'), E.OK, E.EBUSY) && ok(r.get('T2'), E.OK, E.ENXIO) && !(r.get('T1') === E.EBUSY && r.get('T2') !== E.OK) ? null : `detach ${r.get('T1')}, open ${r.get('T2')}`,
    ),
  ],
});

/** G1: an nxctl detach against the close of the only (kernel) channel. */
export const nxCloseVsDetach = defineScenario<S>({
  ...common,
  name: 'nx-close-vs-detach',
  description: 'ch_close of the flowswitch-like kernel channel on port 0 against an nxctl detach',
  threads: 2,
  mutants: netifMutantTable.pick('nx-no-g1-ch-count-busy'),
  setup(ex) {
    const g = netifWorld(ex, ['en0'], [{ name: 'nx0', attach: 'en0', finalized: true }]);
    const nx = g.nexuses[0]!;
    const ch = openKernelChannelDirect(ex, g, nx, PORT_DEV, 'fsw-dev');
    ex.spawn('T1', chClose(ex, g, ch));
    ex.spawn('T2', nxctlDetach(ex, g, nx, nx.nif!.uuid, 'T2'));
    return { g };
  },
  endChecks: [...netifEndChecks, resultsCheck('nx-close-vs-detach-result', 'the detach fails EBUSY while the channel is open, else succeeds', (r) => (ok(r.get('T2'), E.OK, E.EBUSY) ? null : `detach ${r.get('T2')}`))],
});

/** Two concurrent attaches, T1 and T2: exactly one succeeds, the other gets EBUSY (the G2 checks). */
function oneAttachWins(name: string) {
  return resultsCheck(name, 'exactly one attach succeeds, the other is EBUSY', (r) => ([r.get('T1'), r.get('T2')].sort().join(',') === `${E.OK},${E.EBUSY}` ? null : `results ${r.get('T1')}, ${r.get('T2')}`));
}

/** G2 (the if_na half): two nexuses attach the same ifnet. */
export const nxDoubleAttachIfp = defineScenario<S>({
  ...common,
  name: 'nx-double-attach-ifp',
  description: 'two nexuses NXCFG_CMD_ATTACH the same interface by name',
  threads: 2,
  mutants: netifMutantTable.pick('nx-no-g2-if-na-busy'),
  setup(ex) {
    const g = netifWorld(ex, ['en0'], [{ name: 'nx1' }, { name: 'nx2' }]);
    ex.spawn('T1', nxctlAttach(ex, g, g.nexuses[0]!, { name: 'en0', byIfp: false, kernproc: true }, 'T1'));
    ex.spawn('T2', nxctlAttach(ex, g, g.nexuses[1]!, { name: 'en0', byIfp: false, kernproc: true }, 'T2'));
    return { g };
  },
  endChecks: [...netifEndChecks, oneAttachWins('nx-double-attach-ifp-result')],
});

/** G2 (the nif_uuid half): one nexus attaches two ifnets. */
export const nxDoubleAttachNexus = defineScenario<S>({
  ...common,
  name: 'nx-double-attach-nexus',
  description: 'one nexus NXCFG_CMD_ATTACHes two interfaces at once',
  threads: 2,
  mutants: netifMutantTable.pick('nx-no-g2-uuid-busy'),
  setup(ex) {
    const g = netifWorld(ex, ['en0', 'en1'], [{ name: 'nx0' }]);
    ex.spawn('T1', nxctlAttach(ex, g, g.nexuses[0]!, { name: 'en0', byIfp: false, kernproc: true }, 'T1'));
    ex.spawn('T2', nxctlAttach(ex, g, g.nexuses[0]!, { name: 'en1', byIfp: false, kernproc: true }, 'T2'));
    return { g };
  },
  endChecks: [...netifEndChecks, oneAttachWins('nx-double-attach-nexus-result')],
});

/** R3: the native attach error path with mem_new failures injected, two nexuses on one ifnet. */
export const nxAttachMemFail = defineScenario<S>({
  ...common,
  name: 'nx-attach-mem-fail',
  description: 'two nexuses attach one interface while mem_new may fail (a recorded choice) for either NA',
  threads: 2,
  params: { memNewFail: true, fixAttachIoref: false },
  paramTypes: {
    memNewFail: { description: 'mem_new of the dev and host NAs may fail (ENOMEM), as a recorded choice' },
    fixAttachIoref: { description: 'candidate fix of NX-3: nx_netif_attach forgets its ifp once the ioref moved to devna->na_ifp, as nx_netif_compat_attach does' },
  },
  setup(ex) {
    const g = netifWorld(ex, ['en0'], [{ name: 'nx1' }, { name: 'nx2' }]);
    ex.spawn('T1', nxctlAttach(ex, g, g.nexuses[0]!, { name: 'en0', byIfp: false, kernproc: true }, 'T1'));
    ex.spawn('T2', nxctlAttach(ex, g, g.nexuses[1]!, { name: 'en0', byIfp: false, kernproc: true }, 'T2'));
    return { g };
  },
  endChecks: [
    ...netifEndChecks,
    resultsCheck('nx-attach-mem-fail-result', 'each attach succeeds, fails ENOMEM or EBUSY; at most one succeeds', (r) => {
      const rs = [r.get('T1'), r.get('T2')];
      return rs.every((x) => ok(x, E.OK, E.ENOMEM, E.EBUSY)) && rs.filter((x) => x === E.OK).length <= 1 ? null : `results ${rs.join(', ')}`;
    }),
  ],
});

/** R4(a): two user channels on the same client port. */
export const nxClientPortTwice = defineScenario<S>({
  ...common,
  name: 'nx-client-port-twice',
  description: 'two user processes open (then close) a channel on client port 2: the second open is EBUSY',
  threads: 2,
  params: { fixNaFindRelease: false },
  paramTypes: { fixNaFindRelease: { description: 'candidate fix of NX-4: nx_netif_na_find releases the reference nx_port_alloc took before returning EBUSY' } },
  setup(ex) {
    const g = netifWorld(ex, ['en0'], [{ name: 'nx0', attach: 'en0' }]);
    for (const t of ['T1', 'T2']) ex.spawn(t, regularClient(ex, g, g.nexuses[0]!, t, { port: 2 }, false));
    return { g };
  },
  endChecks: [...netifEndChecks, resultsCheck('nx-client-port-twice-result', 'each open succeeds or is EBUSY, and at least one succeeds', (r) => (ok(r.get('T1'), E.OK, E.EBUSY) && ok(r.get('T2'), E.OK, E.EBUSY) && (r.get('T1') === E.OK || r.get('T2') === E.OK) ? null : `results ${r.get('T1')}, ${r.get('T2')}`))],
});

/**
 * R5: the netagent path binds a client port without SK_LOCK (under
 * nif_lock only), growing the port table, while a kernel channel opens
 * port 0 under SK_LOCK.
 */
export const nxBindGrowVsOpen = defineScenario<S>({
  ...common,
  name: 'nx-bind-grow-vs-open',
  description: 'a netagent flow bind of NEXUS_PORT_ANY that grows nx_ports (nif_lock only) against a ch_open_special reading port 0 (SK_LOCK only)',
  threads: 2,
  params: { fixAgentBindSkLock: false },
  paramTypes: { fixAgentBindSkLock: { description: 'candidate fix of NX-5: the netagent path takes SK_LOCK around nx_netif_dom_bind_port, as the nxctl path does' } },
  setup(ex) {
    const g = netifWorld(ex, ['en0'], [{ name: 'nx0', attach: 'en0', portLim: 4 }]);
    const nx = g.nexuses[0]!;
    nx.ports.slots[2]!.bound = true;
    nx.ports.slots[3]!.bound = true;
    const fix = ex.param<boolean>('fixAgentBindSkLock');
    ex.spawn(
      'T1',
      (function* (): KThread<void> {
        if (fix) yield* mutexEnter(g.skLock);
        const [err] = yield* nxNetifDomBindPort(ex, g, nx, PORT_ANY, 8);
        if (fix) yield* mutexExit(g.skLock);
        g.results.set('T1', err);
      })(),
    );
    ex.spawn('T2', kernelClient(ex, g, nx, 'T2', PORT_DEV));
    return { g };
  },
  endChecks: [...netifEndChecks, resultsCheck('nx-bind-grow-vs-open-result', 'the bind gets port 4 (the table grown) and the open succeeds', (r, g) => (r.get('T1') === E.OK && r.get('T2') === E.OK && g.nexuses[0]!.ports.slots[4]?.bound === true ? null : `bind ${r.get('T1')}, open ${r.get('T2')}`))],
});

/** kern_nexus_stop against an RX interrupt in flight on the dev RX ring. */
export const nxStopVsRxNotify = defineScenario<S>({
  ...common,
  name: 'nx-stop-vs-rx-notify',
  description: 'kern_nexus_stop (all rings to drop mode, notify := drop) against a driver RX interrupt on the dev RX ring',
  threads: 2,
  mutants: netifMutantTable.pick('nx-no-g7-rx-drop-recheck', 'nx-no-g7-kr-drop-enter'),
  setup(ex) {
    const g = netifWorld(ex, ['en0'], [{ name: 'nx0', attach: 'en0' }]);
    const nx = g.nexuses[0]!;
    const ch = openKernelChannelDirect(ex, g, nx, PORT_DEV, 'fsw-dev');
    ex.spawn('T1', kernNexusStop(ex, g, nx));
    ex.spawn('T2', driverRxInterrupt(ex, g, ch.na!, ch.na!.krings!.rx, 'T2'));
    return { g };
  },
  endChecks: [...netifEndChecks, resultsCheck('nx-stop-vs-rx-notify-result', 'the stop succeeds and leaves the rings in drop mode; the interrupt was delivered or refused (ENODEV, EBUSY)', (r, g) => {
    const k = g.nas[0]!.krings!;
    return r.get('nx_stop') === E.OK && k.rx.drop && k.tx.drop && ok(r.get('T2'), E.OK, E.ENODEV, E.EBUSY) ? null : `stop ${r.get('nx_stop')}, rx ${r.get('T2')}`;
  })],
});

/** kern_nexus_stop against the start thread's doorbell (TX refill). */
export const nxStopVsDoorbell = defineScenario<S>({
  ...common,
  name: 'nx-stop-vs-doorbell',
  description: 'kern_nexus_stop against the ifnet start thread running nx_netif_doorbell (TX sync, refill)',
  threads: 2,
  mutants: netifMutantTable.pick('nx-no-g7-refill-drop-recheck'),
  setup(ex) {
    const g = netifWorld(ex, ['en0'], [{ name: 'nx0', attach: 'en0' }]);
    const nx = g.nexuses[0]!;
    openKernelChannelDirect(ex, g, nx, PORT_DEV, 'fsw-dev');
    ex.spawn('T1', kernNexusStop(ex, g, nx));
    ex.spawn('T2', startThread(ex, g, 'en0'));
    return { g };
  },
  endChecks: netifEndChecks,
});

/** G5, G8: the last channel close (activate OFF) against the start thread. */
export const nxCloseVsStart = defineScenario<S>({
  ...common,
  name: 'nx-close-vs-start',
  description: 'ch_close of the only kernel channel on port 0 (activate OFF waits for the start thread) against the start thread running the doorbell',
  threads: 2,
  mutants: netifMutantTable.pick('nx-no-g5-start-wait', 'nx-no-g8-doorbell-active', 'nx-no-g8-refill-active'),
  setup(ex) {
    const g = netifWorld(ex, ['en0'], [{ name: 'nx0', attach: 'en0', finalized: true }]);
    const ch = openKernelChannelDirect(ex, g, g.nexuses[0]!, PORT_DEV, 'fsw-dev');
    ex.spawn('T1', chClose(ex, g, ch));
    ex.spawn('T2', startThread(ex, g, 'en0'));
    return { g };
  },
  endChecks: [...netifEndChecks, resultsCheck('nx-close-vs-start-result', 'the dev NA ends inactive with its krings deleted and if_start restored', (_r, g) => {
    const na = g.nas[0]!;
    return !na.active && na.krings === null && !g.ifnets[0]!.ifStart.redirected ? null : `dev active ${na.active}, krings ${na.krings !== null}, if_start ${g.ifnets[0]!.ifStart.current}`;
  })],
});

/** G6, G10: a flowswitch-like special channel and a regular kernel channel on the host port. */
export const nxSpecialVsUser = defineScenario<S>({
  ...common,
  name: 'nx-special-vs-user',
  description: 'a special (kernel-only) channel and a regular kernel channel open and close the host port of one attachment',
  threads: 2,
  mutants: netifMutantTable.pick('nx-no-g10-owned-busy', 'nx-no-g6-spec-disconnect-order'),
  setup(ex) {
    const g = netifWorld(ex, ['en0'], [{ name: 'nx0', attach: 'en0' }]);
    const nx = g.nexuses[0]!;
    ex.spawn('T1', kernelClient(ex, g, nx, 'T1', PORT_HOST));
    ex.spawn('T2', regularClient(ex, g, nx, 'T2', { port: PORT_HOST, hostMode: true }, true));
    return { g };
  },
  endChecks: [...netifEndChecks, resultsCheck('nx-special-vs-user-result', 'each open succeeds or is EBUSY (the host NA is owned by the other)', (r) => (ok(r.get('T1'), E.OK, E.EBUSY) && ok(r.get('T2'), E.OK, E.EBUSY) ? null : `results ${r.get('T1')}, ${r.get('T2')}`))],
});

/**
 * R2/R9: an nxctl detach against a transmitter. The transmitter is
 * dlil_output, which holds a data-movement section around ifnet_enqueue
 * [ext dlil.c]; netif_transmit (L8032-8050) runs inside it.
 */
export const nxDetachVsTransmit = defineScenario<S>({
  ...common,
  name: 'nx-detach-vs-transmit',
  description: 'an nxctl detach against a transmitter (dlil_output: a datamov section around netif_transmit) that loads if_na',
  threads: 2,
  setup(ex) {
    const g = netifWorld(ex, ['en0'], [{ name: 'nx0', attach: 'en0' }]);
    const nx = g.nexuses[0]!;
    const ifp = g.ifnets[0]!;
    ex.spawn(
      'T1',
      (function* (): KThread<void> {
        if (!(yield* ifnetDatamovBegin(g, ifp, 'dlil_output datamov'))) {
          g.results.set('T1', E.ENXIO);
          return;
        }
        yield* netifTransmit(ex, g, ifp, 'T1');
        yield* ifnetDatamovEnd(g, ifp, 'dlil_output datamov');
      })(),
    );
    ex.spawn('T2', nxctlDetach(ex, g, nx, nx.nif!.uuid, 'T2'));
    return { g };
  },
  endChecks: [...netifEndChecks, resultsCheck('nx-detach-vs-transmit-result', 'the detach succeeds; the transmit was deferred to the starter thread or refused (suspended)', (r) => (r.get('T2') === E.OK && ok(r.get('T1'), 1, E.ENXIO) ? null : `transmit ${r.get('T1')}, detach ${r.get('T2')}`))],
});

/** A transmitter as dlil_output has it: a datamov section around netif_transmit [ext dlil.c]. */
function* dlilOutput(ex: Execution, g: NetifGlobals, ifname: string, who: string): KThread<void> {
  const ifp = g.ifnets.find((i) => i.name === ifname)!;
  if (!(yield* ifnetDatamovBegin(g, ifp, `${who} dlil_output`))) {
    g.results.set(who, E.ENXIO);
    return;
  }
  yield* netifTransmit(ex, g, ifp, who);
  yield* ifnetDatamovEnd(g, ifp, `${who} dlil_output`);
}

/**
 * R2: two detaches and a transmitter inside a datamov section. The first
 * detach suspends and drains (waiting for the transmitter); the second
 * finds the ifnet already suspended, takes that for drained, and frees the
 * NAs under the transmitter.
 */
export const nxDoubleDetachVsTransmit = defineScenario<S>({
  ...common,
  name: 'nx-double-detach-vs-transmit',
  description: 'two nxctl detaches of one attachment against a transmitter (dlil_output around netif_transmit) that the first detach\'s drain waits for',
  threads: 3,
  params: FIX_R1,
  paramTypes: FIX_R1_TYPE,
  setup(ex) {
    const g = netifWorld(ex, ['en0'], [{ name: 'nx0', attach: 'en0' }]);
    const nx = g.nexuses[0]!;
    const uuid = nx.nif!.uuid;
    ex.spawn('T1', nxctlDetach(ex, g, nx, uuid, 'T1'));
    ex.spawn('T2', nxctlDetach(ex, g, nx, uuid, 'T2'));
    ex.spawn('T3', dlilOutput(ex, g, 'en0', 'T3'));
    return { g };
  },
  endChecks: [
    ...netifEndChecks,
    resultsCheck('nx-double-detach-vs-transmit-result', 'one detach succeeds, the other gets ESRCH or EBUSY; the transmit is deferred to the starter or refused', (r) => {
      const rs = [r.get('T1'), r.get('T2')];
      return rs.filter((x) => x === E.OK).length === 1 && rs.every((x) => ok(x, E.OK, E.ESRCH, E.EBUSY)) && ok(r.get('T3'), 1, E.ENXIO) ? null : `results ${rs.join(', ')}, transmit ${r.get('T3')}`;
    }),
  ],
});

/**
 * R2 on its own: a detach, another suspender of the interface's data
 * movement (if_utun/if_ipsec: ifnet_datamov_suspend_and_drain, then
 * ifnet_datamov_resume [ext]) and a transmitter inside a datamov section.
 */
export const nxSuspendVsDetach = defineScenario<S>({
  ...common,
  name: 'nx-suspend-vs-detach',
  description: 'an nxctl detach against another suspend-and-drain of the interface (if_utun-like) and a transmitter in a datamov section',
  threads: 3,
  params: { fixDetachSuspendAlways: false },
  paramTypes: { fixDetachSuspendAlways: { description: 'candidate fix of NX-2: nx_netif_ctl_detach takes its own (nesting) suspension and always drains' } },
  setup(ex) {
    const g = netifWorld(ex, ['en0'], [{ name: 'nx0', attach: 'en0' }]);
    const nx = g.nexuses[0]!;
    const ifp = g.ifnets[0]!;
    ex.spawn('T1', nxctlDetach(ex, g, nx, nx.nif!.uuid, 'T1'));
    ex.spawn(
      'T2',
      (function* (): KThread<void> {
        yield* ifnetDatamovSuspend(g, ifp, 'utun suspend');
        yield* ifnetDatamovDrain(g, ifp);
        yield* ifnetDatamovResume(g, ifp, 'utun suspend');
      })(),
    );
    ex.spawn('T3', dlilOutput(ex, g, 'en0', 'T3'));
    return { g };
  },
  endChecks: [
    ...netifEndChecks,
    resultsCheck('nx-suspend-vs-detach-result', 'the detach succeeds, the interface ends ready; the transmit is deferred to the starter or refused', (r, g) => (r.get('T1') === E.OK && g.ifnets[0]!.ready && ok(r.get('T3'), 1, E.ENXIO) ? null : `detach ${r.get('T1')}, ready ${g.ifnets[0]!.ready}, transmit ${r.get('T3')}`)),
  ],
});

/** nx_destroy with a channel open (NXF_CLOSED) against the close of that channel, whose last close detaches the nexus. */
export const nxDestroyVsClose = defineScenario<S>({
  ...common,
  name: 'nx-destroy-vs-close',
  description: 'nx_destroy of a nexus with its kernel channel open (NXF_CLOSED, detach deferred) against ch_close of that channel (the last close calls nx_detach)',
  threads: 2,
  setup(ex) {
    const g = netifWorld(ex, ['en0'], [{ name: 'nx0', attach: 'en0', finalized: true }]);
    const nx = g.nexuses[0]!;
    const ch = openKernelChannelDirect(ex, g, nx, PORT_DEV, 'fsw-dev');
    ex.spawn('T1', nxDestroy(ex, g, nx, 'T1'));
    ex.spawn('T2', chClose(ex, g, ch));
    return { g };
  },
  endChecks: [...netifEndChecks, resultsCheck('nx-destroy-vs-close-result', 'the nexus ends detached, its nif freed, if_na cleared and the handlers restored', (r, g) => {
    const nx = g.nexuses[0]!;
    return r.get('T1') === E.OK && nx.m.state === 'DETACHED' && g.nifs[0]!.mem.freed && g.ifnets[0]!.ifNa === null ? null : `destroy ${r.get('T1')}, nexus ${nx.m.state}, if_na ${g.ifnets[0]!.ifNa?.name ?? 'NULL'}`;
  })],
});

/** Bad requests: their errno equals the C code's, and they change nothing. */
export const nxBadRequests = defineScenario<S>({
  ...common,
  name: 'nx-bad-requests',
  description: 'an attach by UUID, an attach of an unknown interface, a detach with a stale UUID and an attach of an attached nexus, against each other',
  threads: 2,
  setup(ex) {
    const g = netifWorld(ex, ['en0', 'en1'], [{ name: 'nx0', attach: 'en0' }]);
    const nx = g.nexuses[0]!;
    const before = JSON.stringify(netifFingerprint(g));
    ex.spawn(
      'T1',
      (function* (): KThread<void> {
        yield* nxctlAttach(ex, g, nx, { name: 'en1', byIfp: false, uuidFlag: true, kernproc: true }, 'attach-uuid');
        yield* nxctlAttach(ex, g, nx, { name: 'en9', byIfp: false, kernproc: true }, 'attach-unknown');
      })(),
    );
    ex.spawn(
      'T2',
      (function* (): KThread<void> {
        yield* nxctlDetach(ex, g, nx, nx.nif!.uuid + 100, 'detach-stale');
        yield* nxctlAttach(ex, g, nx, { name: 'en1', byIfp: false, kernproc: true }, 'attach-again');
        g.results.set('unchanged', JSON.stringify(netifFingerprint(g)) === before ? 1 : 0);
      })(),
    );
    return { g };
  },
  endChecks: [
    ...netifEndChecks,
    resultsCheck('nx-bad-requests-result', 'EINVAL, ENXIO, ESRCH, EBUSY, and the state is as before', (r) =>
      r.get('attach-uuid') === E.EINVAL && r.get('attach-unknown') === E.ENXIO && r.get('detach-stale') === E.ESRCH && r.get('attach-again') === E.EBUSY && r.get('unchanged') === 1 ? null : `results ${[...r].map(([k, v]) => `${k}=${v}`).join(' ')}`,
    ),
  ],
});

export const netifScenarios: Scenario<any>[] = [
  nxDoubleDetach,
  nxDetachVsDestroy,
  nxOpenDuringDetach,
  nxCloseVsDetach,
  nxDoubleAttachIfp,
  nxDoubleAttachNexus,
  nxAttachMemFail,
  nxClientPortTwice,
  nxBindGrowVsOpen,
  nxStopVsRxNotify,
  nxStopVsDoorbell,
  nxCloseVsStart,
  nxSpecialVsUser,
  nxDetachVsTransmit,
  nxDestroyVsClose,
  nxDoubleDetachVsTransmit,
  nxSuspendVsDetach,
  nxBadRequests,
];
