/**
 * The ifindex slot and multicast membership machines of the FreeBSD ifnet
 * model (src/actors/ifnet/machines.ts), driven by ifindex.ts, multicast.ts
 * and mcdetach.ts: the fixed scenarios take the transitions the code has,
 * the machine states agree with the C state they shadow at the end of every
 * execution, and an event the machine refuses fails the execution.
 */
import { describe, expect, it } from 'vitest';
import { ifnetSetbyindex } from '../src/actors/ifnet/ifindex.ts';
import type { IfnetGlobals } from '../src/actors/ifnet/types.ts';
import { explore, runSchedule } from '../src/core/runner.ts';
import { defineScenario } from '../src/core/scenario.ts';
import { makeStrategy } from '../src/core/config.ts';
import { rwEnter, rwExit } from '../src/locks/krwlock.ts';
import { findScenario } from '../src/scenarios/registry.ts';
import { ifnetWorld } from '../src/scenarios/ifnet/world.ts';

/** Exhaustive DPOR of a scenario; per execution `each` may return a complaint; returns the machine transitions taken. */
function dpor(name: string, params: Record<string, boolean>, mutant: string | null, each: (g: IfnetGlobals) => string | null) {
  const complaints = new Set<string>();
  const specs = new Set<string>();
  let transitions = new Map<string, Set<string>>();
  const r = explore(findScenario(name)!, makeStrategy('dpor', { seed: 1, depth: 3 }), {
    mutant,
    params,
    schedules: 10_000,
    keepGoing: true,
    onExecution: (ex, res) => {
      if (res.pruned) return;
      const g = (ex.state as { g: IfnetGlobals }).g;
      transitions = g.cov.transitions;
      if (res.failure) specs.add(`${res.failure.spec} ${res.failure.message}`);
      else {
        const c = each(g);
        if (c) complaints.add(c);
      }
    },
  });
  return { r, complaints, specs, slot: [...(transitions.get('ifindex-slot') ?? [])].sort(), ifma: [...(transitions.get('ifma') ?? [])].sort() };
}

/** Every slot's machine agrees with ifindex_table and the slot generation. */
function slotsAgree(g: IfnetGlobals): string | null {
  for (let i = 1; i < g.table.lim; i++) {
    const s = g.slot(i).state;
    const bound = g.table.ents[i] ?? null;
    if ((s === 'BOUND') !== (bound !== null)) return `slot ${i} ${s} but the table holds ${bound?.name ?? 'NULL'}`;
    if (bound && bound.idxgen !== g.slotGen[i]) return `slot ${i}: ${bound.name} has generation ${bound.idxgen}, the slot ${g.slotGen[i]}`;
    if (s === 'FREE' && g.slotGen[i] !== 0) return `slot ${i} FREE with generation ${g.slotGen[i]}`;
  }
  return null;
}

/** Every membership of ed0 ends FREED exactly when its memory is freed. */
function ifmasAgree(g: IfnetGlobals): string | null {
  const seen = g.all[0]!.everMulti;
  if (seen.length === 0) return 'no membership';
  for (const ifma of seen) if ((ifma.m.state === 'FREED') !== ifma.mem.freed) return `${ifma.mem.name} ${ifma.m.state}, freed ${ifma.mem.freed}`;
  return g.all[0]!.multiaddrs.length === 0 ? null : 'ed0 ends with memberships linked';
}

describe('ifindex slot machine', () => {
  it('fb-ifindex-aba (fixed): a slot is bound at boot, cleared by if_free, reserved and bound again by if_alloc; the machine follows the table', () => {
    const { r, complaints, specs, slot } = dpor('fb-ifindex-aba', {}, null, slotsAgree);
    expect(r.complete).toBe(true);
    expect(specs).toEqual(new Set());
    expect(complaints).toEqual(new Set());
    expect(slot).toEqual(['BOUND|CLEAR', 'CLEARED|RESERVE', 'FREE|BIND', 'FREE|RESERVE', 'RESERVED|BIND']);
  });
  it('fb-ifindex-dup-alloc, era if_alloc: the second BIND of one slot is refused, as IDX-2', () => {
    const { specs } = dpor('fb-ifindex-dup-alloc', {}, 'fb-pre-ifindex-alloc-locked', slotsAgree);
    expect(specs.size).toBeGreaterThan(0);
    for (const s of specs) expect(s).toMatch(/^IDX-2 ifnet_setbyindex\(\d\) of a slot bound \(generation 1\) to ed\d: two ifnets have index \d$/);
  });
  it('an event the slot machine does not accept fails the execution (CLEAR of a never-used slot)', () => {
    const sc = defineScenario<{ g: IfnetGlobals }>({
      name: 'slot-clear-free',
      description: 'ifnet_setbyindex(3, NULL) of a slot no ifnet ever had',
      system: 'freebsd',
      threads: 1,
      setup(ex) {
        const g = ifnetWorld(ex, 4, ['ed0']);
        ex.spawn(
          'T1',
          (function* () {
            yield* rwEnter(g.ifnetLock, 'RW_WRITER');
            yield* ifnetSetbyindex(ex, g, 3, null);
            yield* rwExit(g.ifnetLock);
          })(),
        );
        return { g };
      },
    });
    const { res } = runSchedule(sc, [0, 0, 0, 0], {});
    expect(res.failure?.spec).toBe('machine:ifindex-slot');
    expect(res.failure?.message).toMatch(/ifindex_table\[3\]: event CLEAR not accepted in state FREE/);
  });
});

describe('multicast membership machine', () => {
  it('fb-mcast-detach-leak with fixMcastOwnership: the purge orphans and unlinks, the leave frees; every ifma ends FREED with its memory', () => {
    const { r, complaints, specs, ifma } = dpor('fb-mcast-detach-leak', { fixMcastOwnership: true }, null, ifmasAgree);
    expect(r.complete).toBe(true);
    expect(specs).toEqual(new Set());
    expect(complaints).toEqual(new Set());
    expect(ifma).toEqual(['ALLOCATED|LINK', 'LINKED|ORPHAN', 'LINKED|UNLINK', 'ORPHANED|UNLINK', 'UNLINKED|FREE']);
  });
  it('fb-mcast-ll-ref (era code): the network-layer ifmas and their shared link-layer companion are linked, unlinked and freed', () => {
    const { r, complaints, specs, ifma } = dpor('fb-mcast-ll-ref', {}, null, ifmasAgree);
    expect(r.complete).toBe(true);
    expect(specs).toEqual(new Set());
    expect(complaints).toEqual(new Set());
    expect(ifma).toEqual(['ALLOCATED|LINK', 'LINKED|UNLINK', 'UNLINKED|FREE']);
  });
});

describe('DPOR against plain DFS', () => {
  /** Every machine transition taken by an exhaustive run of `strategy`, as 'machine:STATE|EVENT'. */
  function transitionsOf(name: string, params: Record<string, boolean>, strategy: 'dpor' | 'dfs'): Set<string> {
    let cov: IfnetGlobals['cov'] | null = null;
    const r = explore(findScenario(name)!, makeStrategy(strategy, { seed: 1, depth: 3 }), {
      params,
      schedules: 10_000,
      keepGoing: true,
      onExecution: (ex) => {
        const st = ex.state as { g?: IfnetGlobals; vg?: { cov: IfnetGlobals['cov'] } };
        cov = st.g?.cov ?? st.vg?.cov ?? cov;
      },
    });
    expect(r.complete).toBe(true);
    const out = new Set<string>();
    for (const [m, ts] of cov!.transitions) for (const t of ts) out.add(`${m}:${t}`);
    return out;
  }
  // fb-mcast-detach-leak is the case that had a gap: if_detach's look at an
  // empty if_multiaddrs was no recorded access, and DPOR never purged a
  // linked membership (no LINKED|ORPHAN) while DFS did.
  it.each([
    ['fb-mcast-detach-leak', { fixMcastOwnership: true }],
    ['fb-lle-vs-detach', {}],
    ['fb-lagg-port-vs-linktask', {}],
  ] as const)('%s: DPOR takes every machine transition DFS takes', (name, params) => {
    const dfs = transitionsOf(name, params, 'dfs');
    const dpor = transitionsOf(name, params, 'dpor');
    expect([...dfs].filter((t) => !dpor.has(t))).toEqual([]);
  });
});
