import { describe, expect, it } from 'vitest';
import type { KThread } from '../src/core/effect.ts';
import { explore } from '../src/core/runner.ts';
import { defineScenario } from '../src/core/scenario.ts';
import { DfsStrategy } from '../src/core/strategies/dfs.ts';
import { ipmpIllgrpCastIll, ipmpIllgrpFindIll, ipmpIllgrpNextIll, ipmpIpifBoundIll, ipmpIpifIsDataaddr, ipmpIpifIsStubaddr, ipmpIpifIsUpDataaddr } from '../src/actors/ipmp/datapath.ts';
import { ipmpIllgrpAddIpif, ipmpIllgrpCreateArpent, ipmpIllgrpDelIpif, ipmpIllgrpDestroyArpent, ipmpIllgrpLookupArpent, ipmpIllgrpRefreshArpent } from '../src/actors/ipmp/illgrp.ts';
import { ipProcessIoctl } from '../src/actors/ipmp/ioctl.ts';
import { Errno, Ipif, type IpmpStack } from '../src/actors/ipmp/types.ts';
import { findScenario } from '../src/scenarios/registry.ts';
import { addDataAddr, makeGroup, makeIf, newStack, preActivate, preBind, preJoin } from '../src/scenarios/ipmp/world.ts';

interface W {
  st: IpmpStack;
  log: string[];
}

/**
 * The writer-only functions of ipmp.c, run as writer of the group xop (an
 * ioctl on ipmp0) on a group with e0 and e1 active, e0 nominated and one
 * data address bound to e0. Each result is logged and compared below.
 */
const writerOps = defineScenario<W>({
  name: 'test-ipmp-writer-ops',
  description: 'writer-side ipmp.c functions on a two-member group',
  system: 'ipmp',
  threads: 1,
  setup(ex) {
    const st = newStack(ex);
    const { grp, ipmpIll } = makeGroup(ex, st, 'ipmp0');
    const e0 = makeIf(st, 'e0').ill;
    const e1 = makeIf(st, 'e1').ill;
    preJoin(st, e0.phyint, grp);
    preJoin(st, e1.phyint, grp);
    preActivate(e0);
    preActivate(e1);
    preBind(addDataAddr(ipmpIll, '10.0.0.1'), e0);
    const log: string[] = [];
    const illg = ipmpIll.grp!;
    const body = function* (): KThread<number> {
      const name = (x: { name: string } | null) => x?.name ?? 'NULL';
      log.push(`next ${name(yield* ipmpIllgrpNextIll(ex, st, illg))} ${name(yield* ipmpIllgrpNextIll(ex, st, illg))} ${name(yield* ipmpIllgrpNextIll(ex, st, illg))}`);
      log.push(`cast ${name(ipmpIllgrpCastIll(ex, illg))}`);
      const a2 = new Ipif('ipmp0:2', ipmpIll, '10.0.0.2', true);
      log.push(`add ${name(yield* ipmpIllgrpAddIpif(ex, st, illg, a2))} bound ${name(ipmpIpifBoundIll(ex, a2))}`);
      const e1v = yield* ipmpIllgrpCreateArpent(ex, st, illg, '10.0.0.9', true);
      const e2v = yield* ipmpIllgrpCreateArpent(ex, st, illg, '10.0.0.9', true);
      log.push(`arpent replaced ${e1v!.mem.freed} n ${illg.arpent.length} head ${ipmpIllgrpLookupArpent(ex, illg, null) === e2v}`);
      yield* ipmpIllgrpRefreshArpent(ex, st, illg);
      log.push(`refresh notified ${e2v!.notified} hw ${e2v!.hwAddr}`);
      // An address with the same IP as an ARP entry drops the entry (L627-631).
      const a3 = new Ipif('ipmp0:3', ipmpIll, '10.0.0.9', true);
      log.push(`add ${name(yield* ipmpIllgrpAddIpif(ex, st, illg, a3))} arpent ${illg.arpent.length}`);
      yield* ipmpIllgrpDelIpif(ex, st, illg, a2);
      log.push(`del bound ${name(a2.boundIll)} counts ${e0.boundCnt},${e1.boundCnt}`);
      log.push(`find ${name(ipmpIllgrpFindIll(ex, st, illg, 'hw:e1'))} ${name(ipmpIllgrpFindIll(ex, st, illg, 'hw:zz'))}`);
      const e3v = yield* ipmpIllgrpCreateArpent(ex, st, illg, '10.0.0.10', false);
      yield* ipmpIllgrpDestroyArpent(ex, st, illg, e3v!);
      log.push(`destroyed ${e3v!.mem.freed} n ${illg.arpent.length}`);
      const stub = new Ipif('ipmp0:4', ipmpIll, '', false);
      const test = new Ipif('ipmp0:5', ipmpIll, '10.0.0.5', true);
      test.nofailover = true;
      log.push(`predicates ${ipmpIpifIsStubaddr(stub)} ${ipmpIpifIsDataaddr(stub)} ${ipmpIpifIsDataaddr(test)} ${ipmpIpifIsUpDataaddr(a3)}`);
      return Errno.OK;
    };
    ex.spawn('T1', ipProcessIoctl(ex, st, ipmpIll, 'writer ops', body));
    return { st, log };
  },
});

describe('ipmp writer-side functions', () => {
  it('rotor, cast, add/del ipif, ARP entries, find_ill and the address predicates behave as ipmp.c', () => {
    let log: string[] = [];
    const r = explore(writerOps, new DfsStrategy({ dpor: true }), { onExecution: (ex) => (log = (ex.state as W).log) });
    expect(r.failure?.failure ?? null).toBeNull();
    expect(log).toEqual([
      // preActivate(e1) left ig_next_ill = e1; the rotor wraps to the head.
      'next e1 e0 e1',
      'cast e0',
      // e0 has one bound address, e1 none: ipmp_illgrp_min_ill picks e1; Res_act_none still sets ipif_bound.
      'add e1 bound e1',
      'arpent replaced true n 1 head true',
      'refresh notified true hw hw:e0',
      'add e0 arpent 0',
      // a2 leaves e1 (0) while e0 has two: one moves over (L654-658).
      'del bound NULL counts 1,1',
      'find e1 NULL',
      'destroyed true n 0',
      'predicates true false false true',
    ]);
  });
});

function outcomes(name: string, pb: number | undefined, params: Record<string, boolean> = {}): { verdict: string; complete: boolean; seen: Set<string> } {
  const seen = new Set<string>();
  const r = explore(findScenario(name)!, new DfsStrategy({ dpor: true, preemptionBound: pb }), {
    params,
    onExecution: (ex, res) => {
      if (res.pruned) return;
      const s = ex.state as { got: string[]; st: IpmpStack };
      seen.add(`${s.st.results.get('punlink ipmp0') ?? ''}|${s.got.join(',')}`);
    },
  });
  return { verdict: r.verdict, complete: r.complete, seen };
}

describe('ipmp datapath scenarios reach their windows', () => {
  it('ipmp-transmit-leave: the rotor hands out e0 before it is CONDEMNED, and the bound-ill lookup sees e0, NULL (between unbind and rebind) and e1', () => {
    const { verdict, complete, seen } = outcomes('ipmp-transmit-leave', 1);
    expect(verdict).toBe('pass');
    expect(complete).toBe(true);
    const got = [...seen].map((s) => s.split('|')[1]!.split(','));
    expect(got.some((g) => g[0] === 'e0' || g[1] === 'e0')).toBe(true);
    expect(new Set(got.map((g) => g[2]))).toEqual(new Set(['e0', '-', 'e1']));
  });

  it('ipmp-arp-destroy: I_PUNLINK is EBUSY or succeeds, and the receive finds ipmp0 with e0, after e0 left (ifindex 0), or nothing', () => {
    const { verdict, complete, seen } = outcomes('ipmp-arp-destroy', 1);
    expect(verdict).toBe('pass');
    expect(complete).toBe(true);
    const all = [...seen];
    expect(all.some((s) => s.startsWith(`${Errno.EBUSY}|`))).toBe(true);
    expect(all.some((s) => s.startsWith(`${Errno.OK}|`))).toBe(true);
    expect(all.some((s) => s.endsWith('|ipmp0,ifindex ipmp0,e0'))).toBe(true);
    expect(all.some((s) => s.endsWith('|ipmp0,ifindex 0,not found'))).toBe(true);
    expect(all.some((s) => s.endsWith('|-'))).toBe(true);
  });

  it('ipmp-cast-deactivate with the IPMP-5 fix: multicast sees e0, e1 and NULL, never an unlisted ill', () => {
    const { verdict, complete, seen } = outcomes('ipmp-cast-deactivate', 1, { fixCastOrder: true });
    expect(verdict).toBe('pass');
    expect(complete).toBe(true);
    const got = new Set([...seen].flatMap((s) => s.split('|')[1]!.split(',')));
    expect(got).toEqual(new Set(['e0', 'e1', '-']));
  });
});
