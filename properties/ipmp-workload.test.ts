/**
 * Workload property: a generated mix of SIOCSLIFGROUPNAME joins, leaves and
 * moves of e0/e1 between ipmp0/ipmp1, addresses going up and down
 * (SIOCSLIFFLAGS IFF_UP), plus kstat reads and datapath calls (transmit:
 * ipmp_illgrp_hold_next_ill; multicast: hold_cast_ill; receive:
 * ipmp_ill_hold_ipmp_ill and get_ipmp_ifindex), under generated random
 * schedules with KM_NOSLEEP allocation failures, never violates a spec
 * (candidate fixes of the six findings on). Failures shrink both the
 * workload and the seed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KThread } from '../src/core/effect.ts';
import { kfail } from '../src/core/errors.ts';
import { explore } from '../src/core/runner.ts';
import { defineScenario } from '../src/core/scenario.ts';
import { RandomStrategy } from '../src/core/strategies/random.ts';
import { ipmpGrpUpdateKstats } from '../src/actors/ipmp/group.ts';
import { ipifDown, ipifUp, ipProcessIoctl, ipSioctlGroupname } from '../src/actors/ipmp/ioctl.ts';
import { datapathRele, datapathUse, ipmpIllGetIpmpIfindex, ipmpIllgrpHoldCastIll, ipmpIllgrpHoldNextIll, ipmpIllHoldIpmpIll } from '../src/actors/ipmp/datapath.ts';
import type { Ill, IpmpStack } from '../src/actors/ipmp/types.ts';
import { datapathEndChecks, datapathInvariants } from '../src/specs/ipmp/datapath.ts';
import { ipmpEndChecks, ipmpInvariants } from '../src/specs/ipmp/index.ts';
import { makeGroup, makeIf, newStack, preJoin } from '../src/scenarios/ipmp/world.ts';

type Op = { ifx: 0 | 1; to: '' | 'ipmp0' | 'ipmp1' } | { kstat: 0 | 1 } | { ifx: 0 | 1; up: boolean } | { dp: 'tx' | 'mcast'; grp: 0 | 1 } | { dp: 'rx'; ifx: 0 | 1 };

function workload(threads: Op[][], fixRefreshTid = true) {
  return defineScenario<{ st: IpmpStack }>({
    name: 'ipmp-workload',
    description: 'generated workload',
    system: 'ipmp',
    threads: threads.length,
    params: { fixMactype: true, fixKstats: true, fixTimer: true, fixRefreshTid, fixCastOrder: true, fixBoundOrder: true },
    allocFail: true,
    maxSteps: 5000,
    setup(ex) {
      const st = newStack(ex);
      const g = [makeGroup(ex, st, 'ipmp0').grp, makeGroup(ex, st, 'ipmp1').grp];
      const e = [makeIf(st, 'e0').ill, makeIf(st, 'e1').ill];
      preJoin(st, e[0]!.phyint, g[0]!);
      st.enableDatapath();
      const use = function* (ill: Ill | null): KThread<void> {
        if (ill === null) return;
        datapathUse(ex, ill, 'putnext');
        yield* datapathRele(ex, st, ill);
      };
      threads.forEach((ops, i) => {
        const body = function* (): KThread<void> {
          let n = 0;
          let last = -1;
          for (const op of ops) {
            if ('dp' in op) {
              if (op.dp === 'rx') {
                const ipmpIll = yield* ipmpIllHoldIpmpIll(ex, st, e[op.ifx]!);
                if (ipmpIll !== null) yield* ipmpIllGetIpmpIfindex(ex, st, e[op.ifx]!);
                yield* use(ipmpIll);
              } else {
                const illg = g[op.grp]!.phyint!.illv4!.grp!;
                yield* use(op.dp === 'tx' ? yield* ipmpIllgrpHoldNextIll(ex, st, illg) : yield* ipmpIllgrpHoldCastIll(ex, st, illg));
              }
            } else if ('kstat' in op) {
              const r = yield* ipmpGrpUpdateKstats(ex, st, g[op.kstat]!, 'read');
              if (op.kstat === 0 && r.value < last) kfail('invariant', 'kstat-monotone', `${last} -> ${r.value}`);
              if (op.kstat === 0) last = r.value;
            } else if ('up' in op) {
              // SIOCSLIFFLAGS setting or clearing IFF_UP of the ill's one address:
              // a no-op when it already is so (checked as writer, where the count is stable).
              const ill = e[op.ifx]!;
              const up = op.up;
              yield* ipProcessIoctl(ex, st, ill, `T${i} op${n++}`, function* () {
                if ((ill.ipifUpCount > 0) === up) return 0;
                return up ? yield* ipifUp(ex, st, ill) : yield* ipifDown(ex, st, ill);
              });
            } else {
              const ill = e[op.ifx]!;
              yield* ipProcessIoctl(ex, st, ill, `T${i} op${n++}`, () => ipSioctlGroupname(ex, st, ill, op.to));
            }
          }
        };
        ex.spawn(`T${i + 1}`, body());
      });
      return { st };
    },
    invariants: [...ipmpInvariants, ...datapathInvariants],
    endChecks: [...ipmpEndChecks, ...datapathEndChecks],
  });
}

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ ifx: fc.constantFrom(0 as const, 1 as const), to: fc.constantFrom('' as const, 'ipmp0' as const, 'ipmp1' as const) }),
  fc.record({ kstat: fc.constantFrom(0 as const, 1 as const) }),
  fc.record({ ifx: fc.constantFrom(0 as const, 1 as const), up: fc.boolean() }),
  fc.record({ dp: fc.constantFrom('tx' as const, 'mcast' as const), grp: fc.constantFrom(0 as const, 1 as const) }),
  fc.record({ dp: fc.constant('rx' as const), ifx: fc.constantFrom(0 as const, 1 as const) }),
);

describe('ipmp workload property', () => {
  it('no spec is violated by generated group-membership workloads', () => {
    fc.assert(
      fc.property(fc.array(fc.array(opArb, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 }), fc.integer({ min: 1, max: 1_000_000 }), (threads, seed) => {
        const r = explore(workload(threads), new RandomStrategy(seed), { schedules: 20 });
        expect(r.failure?.failure ?? null).toBeNull();
      }),
      { numRuns: 40, seed: 20240601 },
    );
  });

  it('the harness can fail: IPMP-4 shows in a fixed workload without its fix', () => {
    // up e0 (activation may fail: retry armed), leave, down, rejoin, up (fails again: no retry, notes R1).
    const seq: Op[] = [{ ifx: 0, up: true }, { ifx: 0, to: '' }, { ifx: 0, up: false }, { ifx: 0, to: 'ipmp0' }, { ifx: 0, up: true }];
    const r = explore(workload([seq], false), new RandomStrategy(7), { schedules: 500 });
    expect(r.verdict).toBe('fail');
    expect(r.failure!.failure.spec).toBe('active-list');
    const fixed = explore(workload([seq], true), new RandomStrategy(7), { schedules: 500 });
    expect(fixed.failure?.failure ?? null).toBeNull();
  });
});
