/**
 * The FreeBSD ifnet model: the fixed scenarios reach every outcome they
 * claim (so their passing DPOR runs are not vacuous), and the era if_alloc
 * opens a window where V_if_index is past the end of the table.
 */
import { describe, expect, it } from 'vitest';
import type { IfnetGlobals } from '../src/actors/ifnet/types.ts';
import { explore } from '../src/core/runner.ts';
import { makeStrategy } from '../src/core/config.ts';
import { findScenario } from '../src/scenarios/registry.ts';

function outcomes(name: string, mutant: string | null, f: (g: IfnetGlobals) => string) {
  const sc = findScenario(name)!;
  const seen = new Set<string>();
  const r = explore(sc, makeStrategy('dpor', { seed: 1, depth: 3 }), { mutant, schedules: 10_000, keepGoing: true, onExecution: (ex, res) => res.pruned || seen.add(f((ex.state as { g: IfnetGlobals }).g)) });
  return { r, seen };
}

describe('freebsd ifnet model', () => {
  it('fb-ifnet-disappear (fixed): the ioctl wins or loses the race, and the last if_rele is the ioctl or if_free', () => {
    const { r, seen } = outcomes('fb-ifnet-disappear', null, (g) => `ioctl=${g.results.get('ioctl')} freedBy=${g.all[0]!.mem.freedBy}`);
    expect(r.complete).toBe(true);
    expect([...seen].sort()).toEqual(['ioctl=0 freedBy=T1', 'ioctl=0 freedBy=T2', 'ioctl=6 freedBy=T2']);
  });
  it('fb-ifindex-aba (fixed): the held index resolves to ed0 or to NULL, never to ed1', () => {
    const { seen } = outcomes('fb-ifindex-aba', null, (g) => `${g.resolutions[0]!.got?.name ?? 'NULL'} ed1@${g.all[1]!.index}`);
    expect([...seen].sort()).toEqual(['NULL ed1@1', 'NULL ed1@2', 'ed0 ed1@1', 'ed0 ed1@2']);
  });
  it('fb-ifindex-grow-uaf: the era if_alloc raises V_if_index past the end of the table before if_grow runs (IDX-4), in every schedule', () => {
    const specs = new Set<string>();
    explore(findScenario('fb-ifindex-grow-uaf')!, makeStrategy('dpor', { seed: 1, depth: 3 }), {
      mutant: 'fb-pre-ifindex-alloc-locked',
      schedules: 1000,
      keepGoing: true,
      onExecution: (_ex, res) => res.failure && specs.add(res.failure.spec),
    });
    expect([...specs]).toEqual(['IDX-4']);
  });
});
