/**
 * The XNU netif model: the worlds the scenarios build directly equal what
 * running the model functions produces, and the fixed scenarios reach every
 * outcome they claim (so their passing DPOR runs are not vacuous).
 */
import { describe, expect, it } from 'vitest';
import type { KThread } from '../src/core/effect.ts';
import { explore } from '../src/core/runner.ts';
import { defineScenario } from '../src/core/scenario.ts';
import { makeStrategy } from '../src/core/config.ts';
import { mutexEnter, mutexExit } from '../src/locks/kmutex.ts';
import { naNetifFinalize, nxNetifCtlAttach } from '../src/actors/netif/attach.ts';
import { chOpen, nxNetifNaSpecialCommon } from '../src/actors/netif/channel.ts';
import { Errno, type NetifGlobals, PORT_DEV, PORT_HOST } from '../src/actors/netif/types.ts';
import { findScenario } from '../src/scenarios/registry.ts';
import { netifFingerprint, netifWorld, openKernelChannelDirect } from '../src/scenarios/netif/world.ts';

function outcomes(name: string, params: Record<string, boolean>, f: (g: NetifGlobals) => string) {
  const sc = findScenario(name)!;
  const seen = new Set<string>();
  const r = explore(sc, makeStrategy('dpor', { seed: 1, depth: 3 }), {
    mutant: null,
    params,
    schedules: 10_000,
    keepGoing: true,
    onExecution: (ex, res) => {
      expect(res.failure ?? null).toBeNull();
      if (!res.pruned) seen.add(f((ex.state as { g: NetifGlobals }).g));
    },
  });
  expect(r.complete).toBe(true);
  return [...seen].sort();
}

/** Fingerprints of the world after `body` ran alone (one schedule), and of the directly built one. */
function builtVsRun(port: number | null): [Record<string, string>, Record<string, string>] {
  let ran: Record<string, string> = {};
  let built: Record<string, string> = {};
  const sc = defineScenario<{ g: NetifGlobals }>({
    name: 'nx-test-boot',
    description: 'attach en0 to nx0, then open and start a kernel channel',
    system: 'xnu',
    threads: 1,
    setup(ex) {
      const g = netifWorld(ex, ['en0'], [{ name: 'nx0' }]);
      const nx = g.nexuses[0]!;
      ex.spawn(
        'boot',
        (function* (): KThread<void> {
          yield* mutexEnter(g.skLock);
          expect(yield* nxNetifCtlAttach(ex, g, nx, { name: 'en0', byIfp: false, kernproc: true })).toBe(Errno.OK);
          yield* mutexExit(g.skLock);
          if (port !== null) {
            const ch = yield* chOpen(ex, g, nx, 'fsw', { port, hostMode: port === PORT_HOST }, true);
            expect(ch).not.toBeNull();
            yield* mutexEnter(g.skLock);
            yield* nxNetifNaSpecialCommon(ex, g, ch!.na!, ch!, 'START');
            yield* mutexExit(g.skLock);
          }
          ran = netifFingerprint(g);
        })(),
      );
      const g2 = netifWorld(ex, ['en0'], [{ name: 'nx0', attach: 'en0' }]);
      if (port !== null) openKernelChannelDirect(ex, g2, g2.nexuses[0]!, port === PORT_DEV ? PORT_DEV : PORT_HOST, 'fsw');
      built = netifFingerprint(g2);
      return { g };
    },
  });
  const r = explore(sc, makeStrategy('dpor', { seed: 1, depth: 3 }), { schedules: 1 });
  expect(r.failure?.failure ?? null).toBeNull();
  return [ran, built];
}

describe('xnu netif model', () => {
  it('an embryonic attach then ifnet_attach (finalize, without SK_LOCK) ends as the directly built finalized attachment', () => {
    let ran: Record<string, string> = {};
    let built: Record<string, string> = {};
    let embryo: Record<string, string> = {};
    const sc = defineScenario<{ g: NetifGlobals }>({
      name: 'nx-test-finalize',
      description: 'attach an embryonic en0, then finalize it',
      system: 'xnu',
      threads: 1,
      setup(ex) {
        const g = netifWorld(ex, ['en0'], [{ name: 'nx0' }]);
        const nx = g.nexuses[0]!;
        const ifp = g.ifnets[0]!;
        ifp.attachedFlag = false;
        ifp.embryonic = true;
        ex.spawn(
          'driver',
          (function* (): KThread<void> {
            yield* mutexEnter(g.skLock);
            expect(yield* nxNetifCtlAttach(ex, g, nx, { name: 'en0', byIfp: true, kernproc: true })).toBe(Errno.OK);
            yield* mutexExit(g.skLock);
            embryo = netifFingerprint(g);
            ifp.attachedFlag = true; // ifnet_attach: IFRF_ATTACHED, no longer embryonic [ext dlil.c]
            ifp.embryonic = false;
            yield* naNetifFinalize(ex, g, ifp.ifNa!, ifp);
            ran = netifFingerprint(g);
          })(),
        );
        const g2 = netifWorld(ex, ['en0'], [{ name: 'nx0', attach: 'en0', finalized: true }]);
        built = netifFingerprint(g2);
        return { g };
      },
    });
    const r = explore(sc, makeStrategy('dpor', { seed: 1, depth: 3 }), { schedules: 1 });
    expect(r.failure ?? null).toBeNull();
    expect(embryo['ifnet en0']).toContain('refio 0 []');
    expect(embryo['na nx0/dev']).toContain('PUBLISHED_EMBRYONIC');
    expect(ran).toEqual(built);
  });

  it.each([['attached', null], ['a kernel channel on port 0', PORT_DEV], ['a kernel channel on the host port', PORT_HOST]] as const)('the world built directly equals the model run: %s', (_n, port) => {
    const [ran, built] = builtVsRun(port);
    expect(Object.keys(ran).length).toBeGreaterThan(3);
    expect(ran).toEqual(built);
  });

  it('nx-double-detach (fixed): either detach wins; the loser sees EBUSY in the window or ESRCH after', () => {
    expect(outcomes('nx-double-detach', { fixDetachInprogress: true }, (g) => `T1=${g.results.get('T1')} T2=${g.results.get('T2')}`)).toEqual(['T1=0 T2=16', 'T1=0 T2=3', 'T1=16 T2=0', 'T1=3 T2=0']);
  });

  it('nx-open-during-detach (fixed): the open precedes the detach (EBUSY or after the close), falls in the window, or follows', () => {
    expect(outcomes('nx-open-during-detach', { fixDetachInprogress: true }, (g) => `detach=${g.results.get('T1')} open=${g.results.get('T2')}`)).toEqual(['detach=0 open=0', 'detach=0 open=6', 'detach=16 open=0']);
  });

  it('nx-close-vs-start: the doorbell finds the NA active (and refills or is refused) or inactive, or the start handler is already reset', () => {
    const seen = outcomes('nx-close-vs-start', {}, (g) => g.datapath.map((e) => e.what).join('+') || `none start=${g.ifnets[0]!.ifStart.current}`);
    expect(seen).toEqual(['doorbell sync', 'doorbell sync+tx refill', 'none start=driver_start']);
  });

  it('nx-stop-vs-rx-notify: the interrupt is delivered before the stop, or refused after it', () => {
    expect(outcomes('nx-stop-vs-rx-notify', {}, (g) => `rx=${g.results.get('T2')}`)).toEqual(['rx=0', 'rx=16', 'rx=19']);
  });

  it('nx-special-vs-user: each of the two host-port owners can win, and can be refused', () => {
    expect(outcomes('nx-special-vs-user', {}, (g) => `special=${g.results.get('T1')} regular=${g.results.get('T2')}`)).toEqual(['special=0 regular=0', 'special=0 regular=16', 'special=16 regular=0']);
  });

  it('nx-attach-mem-fail (fixed): every mix of mem_new failures and EBUSY, at most one attachment', () => {
    const seen = outcomes('nx-attach-mem-fail', { fixAttachIoref: true }, (g) => `T1=${g.results.get('T1')} T2=${g.results.get('T2')}`);
    expect(seen).toEqual(['T1=0 T2=12', 'T1=0 T2=16', 'T1=12 T2=0', 'T1=12 T2=12', 'T1=16 T2=0']);
  });

  it('nx-client-port-twice (fixed): the second open is EBUSY while the first holds the port, or both run one after the other', () => {
    expect(outcomes('nx-client-port-twice', { fixNaFindRelease: true }, (g) => `T1=${g.results.get('T1')} T2=${g.results.get('T2')}`)).toEqual(['T1=0 T2=0', 'T1=0 T2=16', 'T1=16 T2=0']);
  });

  it('nx-detach-vs-transmit: the transmit runs before the drain (deferred to the starter) or is refused while suspended', () => {
    expect(outcomes('nx-detach-vs-transmit', {}, (g) => `tx=${g.results.get('T1')}`)).toEqual(['tx=1', 'tx=6']);
  });

  it('nx-detach-vs-destroy (fixed): the detach wins, waits out the destructor (EBUSY) or finds the nexus gone', () => {
    expect(outcomes('nx-detach-vs-destroy', { fixDetachInprogress: true }, (g) => `detach=${g.results.get('T1')}`)).toEqual(['detach=0', 'detach=16', 'detach=2']);
  });
});
