/**
 * The race regression suite: every catalogued mutant and finding is proven
 * three ways — found by its search within budget, replayed from its pinned
 * token to the same spec, and absent from the clean (or fixed) model.
 */
import { describe, expect, it } from 'vitest';
import { findings, mutants, type SearchSpec } from '../src/bugs/index.ts';
import { knownFinding } from '../src/bugs/known.ts';
import { explore, runSchedule } from '../src/core/runner.ts';
import { makeStrategy } from '../src/core/config.ts';
import { replayToken } from '../src/core/trace/replay.ts';
import { lastSite } from '../src/core/trace/report.ts';
import { findScenario } from '../src/scenarios/registry.ts';

function search(scenario: string, s: SearchSpec, mutant: string | null, extra: Record<string, number | boolean | string> = {}) {
  const sc = findScenario(scenario);
  if (!sc) throw new Error(`no scenario ${scenario}`);
  const st = makeStrategy(s.strategy, { seed: s.seed ?? 1, depth: s.depth ?? 3, preemptions: s.preemptions });
  return explore(sc, st, { mutant, schedules: s.schedules, params: { ...(s.params ?? {}), ...extra } });
}

/** The C line of the step at which a schedule fails (Effect.site of its last step). */
function failingSite(scenario: string, schedule: number[], params: Record<string, number | boolean | string>): string | undefined {
  return lastSite(runSchedule(findScenario(scenario)!, schedule, { params }).res.trace);
}

describe.each(mutants.map((m) => [m.mutant, m] as const))('mutant %s', (_name, m) => {
  it(`is found by ${m.find.strategy} within ${m.find.schedules} schedules`, () => {
    const r = search(m.scenario, m.find, m.mutant);
    expect(r.verdict).toBe('fail');
    expect(r.failure!.failure.spec).toBe(m.expect.spec);
    if (m.expect.kind) expect(r.failure!.failure.kind).toBe(m.expect.kind);
  });
  it('replays from its pinned token', () => {
    const rep = replayToken(m.token, findScenario);
    expect(rep.target.mutant).toBe(m.mutant);
    expect(rep.scenario.name).toBe(m.scenario);
    expect(rep.res.failure?.spec).toBe(m.expect.spec);
  });
  it(`is absent from the clean model (${m.clean.strategy})`, () => {
    const r = search(m.scenario, m.clean, null);
    expect(r.failure?.failure ?? null).toBeNull();
    expect(r.verdict).toBe('pass');
    if (m.clean.strategy === 'dpor' || m.clean.strategy === 'dfs') expect(r.complete).toBe(true);
  });
});

describe.each(findings.map((f) => [f.id, f] as const))('finding %s', (_id, f) => {
  it(`is found in the unmodified model by ${f.find.strategy}`, () => {
    const r = search(f.scenario, f.find, null);
    expect(r.verdict).toBe('fail');
    expect(r.failure!.failure.spec).toBe(f.expect.spec);
  });
  it('replays from its pinned token', () => {
    const rep = replayToken(f.token, findScenario);
    expect(rep.target.mutant).toBeNull();
    expect(rep.res.failure?.spec).toBe(f.expect.spec);
  });
  for (const also of f.alsoSeenIn ?? []) {
    const how = also.find ?? { strategy: 'dpor', schedules: 5000 };
    it(`also shows in ${also.scenario} as ${also.spec}${also.sites ? ` at ${also.sites.join(', ')}` : ''} (${how.strategy})`, () => {
      const r = search(also.scenario, how, null, also.params ?? {});
      expect(r.verdict).toBe('fail');
      expect(r.failure!.failure.spec).toBe(also.spec);
      const site = failingSite(also.scenario, r.failure!.schedule, also.params ?? {});
      if (also.sites) expect(also.sites).toContain(site);
      // A first failure of the unmodified scenario: nsm start names it so.
      if (!also.params) expect(knownFinding(also.scenario, also.spec, site)?.id).toBe(f.id);
    });
  }
  it('is absent with the candidate fix', () => {
    const r = search(f.scenario, f.fix.verify, null, f.fix.params);
    expect(r.failure?.failure ?? null).toBeNull();
    expect(r.verdict).toBe('pass');
    if (f.fix.verify.strategy === 'dpor' || f.fix.verify.strategy === 'dfs') expect(r.complete).toBe(true);
  });
});

it('the catalogue has entries', () => {
  expect(mutants.length).toBeGreaterThan(0);
});
