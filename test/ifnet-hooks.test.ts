/**
 * The FreeBSD scenarios whose other side is outside the seed (route.c,
 * if_llatbl.c, if_lagg.c, modelled from the ifnet analysis): each fixed
 * variant reaches every outcome it claims, so its passing DPOR run in the
 * catalogue is not vacuous.
 */
import { describe, expect, it } from 'vitest';
import type { LaggSoftc } from '../src/actors/ifnet/lagg.ts';
import type { IfnetGlobals } from '../src/actors/ifnet/types.ts';
import { explore } from '../src/core/runner.ts';
import { makeStrategy } from '../src/core/config.ts';
import { findScenario } from '../src/scenarios/registry.ts';

function outcomes(name: string, mutant: string | null, f: (g: IfnetGlobals) => string) {
  const seen = new Set<string>();
  const fails = new Set<string>();
  const r = explore(findScenario(name)!, makeStrategy('dpor', { seed: 1, depth: 3 }), {
    mutant,
    schedules: 10_000,
    keepGoing: true,
    onExecution: (ex, res) => {
      if (res.pruned) return;
      if (res.failure) fails.add(res.failure.spec);
      else seen.add(f((ex.state as { g: IfnetGlobals }).g));
    },
  });
  return { r, seen, fails };
}

describe('freebsd scenarios modelled from the analysis', () => {
  it('fb-fib-lookup-vs-detach (fixed): the send finds the route or not, and the last reference to ed0 is the sender\'s route or if_free', () => {
    const { r, seen, fails } = outcomes('fb-fib-lookup-vs-detach', null, (g) => `send=${g.results.get('send')} ed0FreedBy=${g.all[0]!.mem.freedBy}`);
    expect(r.complete).toBe(true);
    expect(fails).toEqual(new Set());
    expect([...seen].sort()).toEqual(['send=0 ed0FreedBy=T1', 'send=0 ed0FreedBy=T2', 'send=65 ed0FreedBy=T2']);
  });
});

describe('fb-lle-vs-detach', () => {
  it('fixed: the send keeps the entry or finds the table gone; the kept entry is freed by the sender\'s LLE_FREE or by lltable_free', () => {
    const { r, seen, fails } = outcomes('fb-lle-vs-detach', null, (g) => `send=${g.results.get('send')} lleFreedBy=${g.llt!.all[0]!.mem.freedBy} ed0FreedBy=${g.all[0]!.mem.freedBy}`);
    expect(r.complete).toBe(true);
    expect(fails).toEqual(new Set());
    expect([...seen].sort()).toEqual([
      'send=0 lleFreedBy=T1 ed0FreedBy=T1',
      'send=0 lleFreedBy=T1 ed0FreedBy=T2',
      'send=0 lleFreedBy=T2 ed0FreedBy=T1',
      'send=0 lleFreedBy=T2 ed0FreedBy=T2',
      'send=6 lleFreedBy=T2 ed0FreedBy=T1',
      'send=6 lleFreedBy=T2 ed0FreedBy=T2',
    ]);
  });
});

describe('fb-lagg-port-vs-linktask', () => {
  it('fixed: the link change reaches lagg0 (the task ran first) or not (the port was gone), and the port is always freed', () => {
    const seen = new Set<string>();
    const fails = new Set<string>();
    const r = explore(findScenario('fb-lagg-port-vs-linktask')!, makeStrategy('dpor', { seed: 1, depth: 3 }), {
      schedules: 10_000,
      keepGoing: true,
      onExecution: (ex, res) => {
        if (res.pruned) return;
        const { sc } = ex.state as { sc: LaggSoftc };
        if (res.failure) fails.add(res.failure.spec);
        else seen.add(`linkUpdates=${sc.linkUpdates} portFreed=${sc.all[0]!.mem.freed}`);
      },
    });
    expect(r.complete).toBe(true);
    expect(fails).toEqual(new Set());
    expect([...seen].sort()).toEqual(['linkUpdates=0 portFreed=true', 'linkUpdates=1 portFreed=true']);
  });
});
