/**
 * Workload property: a generated mix of nexus-controller attaches and
 * detaches of en0 on one nexus, flowswitch-like kernel channels on port 0
 * and on the host port (open, NXSPEC_CMD_START, close), regular kernel and
 * user channels (host port, client port 2), start-thread rounds, and the
 * flowswitch's own transmits (netif_transmit in a datamov section, while its
 * channel is open: the callers' guarantee of R9), under
 * generated random schedules, never violates a spec with the candidate
 * fixes of NX-1, NX-3, NX-4 and NX-5 on. Failures shrink both the workload
 * and the seed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KThread } from '../src/core/effect.ts';
import type { Execution } from '../src/core/execution.ts';
import { explore } from '../src/core/runner.ts';
import { defineScenario } from '../src/core/scenario.ts';
import { RandomStrategy } from '../src/core/strategies/random.ts';
import { mutexEnter, mutexExit } from '../src/locks/kmutex.ts';
import { nxNetifCtlAttach } from '../src/actors/netif/attach.ts';
import { chClose, chOpen, nxNetifNaSpecialCommon, type OpenReq } from '../src/actors/netif/channel.ts';
import { callStartHandler, netifTransmit } from '../src/actors/netif/datapath.ts';
import { nxctlDetach } from '../src/actors/netif/detach.ts';
import { ifnetDatamovBegin, ifnetDatamovEnd, ifnetStartThread } from '../src/actors/netif/dlil.ts';
import { type NetifGlobals, PORT_DEV, PORT_HOST } from '../src/actors/netif/types.ts';
import { netifEndChecks, netifInvariants } from '../src/specs/netif/index.ts';
import { netifFingerprint, netifWorld } from '../src/scenarios/netif/world.ts';

type Op = 'attach' | 'detach' | 'fsw-dev' | 'fsw-dev-tx' | 'fsw-host' | 'kernel-host' | 'user-client' | 'start';
const FIXES = { fixDetachInprogress: true, fixAttachIoref: true, fixNaFindRelease: true, fixAgentBindSkLock: true };

function* op(ex: Execution, g: NetifGlobals, o: Op, who: string): KThread<void> {
  const nx = g.nexuses[0]!;
  const ifp = g.ifnets[0]!;
  switch (o) {
    case 'attach':
      yield* mutexEnter(g.skLock);
      g.results.set(who, yield* nxNetifCtlAttach(ex, g, nx, { name: 'en0', byIfp: false, kernproc: true }));
      yield* mutexExit(g.skLock);
      return;
    case 'detach':
      yield* nxctlDetach(ex, g, nx, nx.nif!.uuid || 1, who);
      return;
    case 'fsw-dev':
    case 'fsw-dev-tx':
    case 'fsw-host': {
      const port = o === 'fsw-host' ? PORT_HOST : PORT_DEV;
      const ch = yield* chOpen(ex, g, nx, who, { port, hostMode: port === PORT_HOST }, true);
      if (ch === null) return;
      yield* mutexEnter(g.skLock);
      yield* nxNetifNaSpecialCommon(ex, g, ch.na!, ch, 'START');
      yield* mutexExit(g.skLock);
      // The flowswitch's own transmit, inside the lifetime of its channel (it
      // quiesces its data path before it closes): netif_transmit's callers hold
      // a channel on the netif, the guarantee R9 of the analysis names.
      if (o === 'fsw-dev-tx' && (yield* ifnetDatamovBegin(g, ifp, `${who} dlil_output`))) {
        yield* netifTransmit(ex, g, ifp, who);
        yield* ifnetDatamovEnd(g, ifp, `${who} dlil_output`);
      }
      yield* chClose(ex, g, ch);
      return;
    }
    case 'kernel-host':
    case 'user-client': {
      const req: OpenReq = o === 'kernel-host' ? { port: PORT_HOST, hostMode: true } : { port: 2 };
      const ch = yield* chOpen(ex, g, nx, who, req, false, o === 'kernel-host');
      if (ch !== null) yield* chClose(ex, g, ch);
      return;
    }
    case 'start':
      yield* ifnetStartThread(g, ifp, (fn) => callStartHandler(ex, g, ifp, fn));
  }
}

function workload(threads: Op[][], attached: boolean, params: Record<string, boolean> = FIXES) {
  return defineScenario<{ g: NetifGlobals }>({
    name: 'nx-workload',
    description: 'generated netif workload',
    system: 'xnu',
    threads: threads.length,
    params,
    maxSteps: 5000,
    setup(ex) {
      const g = netifWorld(ex, ['en0'], [{ name: 'nx0', attach: attached ? 'en0' : undefined }]);
      threads.forEach((ops, i) => {
        ex.spawn(
          `T${i + 1}`,
          (function* (): KThread<void> {
            for (const [n, o] of ops.entries()) yield* op(ex, g, o, `T${i + 1}.${n}`);
          })(),
        );
      });
      return { g };
    },
    snapshot: ({ g }) => netifFingerprint(g),
    invariants: netifInvariants,
    endChecks: netifEndChecks,
  });
}

const opArb = fc.constantFrom<Op>('attach', 'detach', 'fsw-dev', 'fsw-dev-tx', 'fsw-host', 'kernel-host', 'user-client', 'start');

describe('netif workload property', () => {
  it('no spec is violated by generated attach/detach/channel/data-path workloads (fixes on)', () => {
    fc.assert(
      fc.property(fc.array(fc.array(opArb, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 }), fc.boolean(), fc.integer({ min: 1, max: 1_000_000 }), (threads, attached, seed) => {
        const r = explore(workload(threads, attached), new RandomStrategy(seed), { schedules: 20 });
        expect(r.failure?.failure ?? null).toBeNull();
      }),
      { numRuns: 40, seed: 20261202 },
    );
  });

  it('the harness can fail: NX-1 shows in a fixed workload without its fix', () => {
    const r = explore(workload([['detach'], ['detach']], true, { ...FIXES, fixDetachInprogress: false }), new RandomStrategy(3), { schedules: 200 });
    expect(r.verdict).toBe('fail');
    expect(r.failure!.failure.spec).toBe('NULL-DEREF');
  });
});
