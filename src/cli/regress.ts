/**
 * nsm regress: the race regression suite from the command line. Replays
 * every pinned token of the catalogue (mutants and findings) and reruns every
 * catalogued search, checking that each still fails the expected spec.
 */
import { findings, mutants, type SearchSpec } from '../bugs/index.ts';
import { explore } from '../core/runner.ts';
import { makeStrategy, resolveSearch } from '../core/config.ts';
import { replayToken } from '../core/trace/replay.ts';
import { findScenario } from '../scenarios/registry.ts';

export interface RegressRow {
  kind: 'mutant' | 'finding';
  name: string;
  scenario: string;
  spec: string;
  replay: 'ok' | string;
  search: 'ok' | string;
  schedules: number;
}

function runSearch(scenario: string, s: SearchSpec, mutant: string | null): { found: boolean; spec: string | null; schedules: number } {
  const sc = findScenario(scenario);
  if (!sc) return { found: false, spec: null, schedules: 0 };
  const c = resolveSearch({ strategy: s.strategy, seed: s.seed, depth: s.depth, preemptions: s.preemptions });
  const r = explore(sc, makeStrategy(c.strategy, c), { mutant, schedules: s.schedules, params: s.params ?? {} });
  return { found: r.verdict === 'fail', spec: r.failure?.failure.spec ?? null, schedules: r.schedules };
}

function replayCheck(token: string, spec: string, mutant: string | null): 'ok' | string {
  try {
    const rep = replayToken(token, findScenario);
    if ((rep.target.mutant ?? null) !== mutant) return `token is for mutant ${rep.target.mutant ?? 'none'}`;
    const got = rep.res.failure;
    if (!got) return 'replay passed (expected a failure)';
    if (got.spec !== spec) return `replay failed ${got.spec}: ${got.message}`;
    return 'ok';
  } catch (e) {
    return (e as Error).message;
  }
}

export function regress(filter?: (name: string) => boolean): RegressRow[] {
  const rows: RegressRow[] = [];
  for (const m of mutants) {
    if (filter && !filter(m.mutant)) continue;
    const s = runSearch(m.scenario, m.find, m.mutant);
    rows.push({
      kind: 'mutant',
      name: m.mutant,
      scenario: m.scenario,
      spec: m.expect.spec,
      replay: replayCheck(m.token, m.expect.spec, m.mutant),
      search: s.found && s.spec === m.expect.spec ? 'ok' : s.found ? `found ${s.spec}` : `not found in ${m.find.schedules} schedules`,
      schedules: s.schedules,
    });
  }
  for (const f of findings) {
    if (filter && !filter(f.id)) continue;
    const s = runSearch(f.scenario, f.find, null);
    rows.push({
      kind: 'finding',
      name: f.id,
      scenario: f.scenario,
      spec: f.expect.spec,
      replay: replayCheck(f.token, f.expect.spec, null),
      search: s.found && s.spec === f.expect.spec ? 'ok' : s.found ? `found ${s.spec}` : `not found in ${f.find.schedules} schedules`,
      schedules: s.schedules,
    });
  }
  return rows;
}
