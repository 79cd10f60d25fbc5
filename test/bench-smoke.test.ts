/**
 * Smoke test of the benchmark suite (bench/): the quick mode's functions
 * run in-process on tiny budgets and produce well-formed results. Asserts
 * structure only, never timings.
 */
import { describe, expect, it } from 'vitest';
import { mutants } from '../src/bugs/index.ts';
import { Execution, RunContext } from '../src/core/execution.ts';
import { execOptions, explore } from '../src/core/runner.ts';
import { makeStrategy } from '../src/core/config.ts';
import { choiceListChooser } from '../src/core/strategies/choices.ts';
import { findScenario } from '../src/scenarios/registry.ts';
import { fcDrive, runAsync } from '../bench/fc-baseline.ts';
import { exhaustiveRow, THREE_THREAD_NETSTACK } from '../bench/exhaustive.ts';
import { reductionRow } from '../bench/reduction.ts';
import { renderMarkdown } from '../bench/report.ts';
import { lockHeavy, small } from '../bench/scenarios.ts';
import { QUICK, runSuite, targets, type BenchConfig, type BenchResults } from '../bench/suite.ts';
import { timeToBug } from '../bench/time-to-bug.ts';
import { terminalStateKey } from '../bench/util.ts';

const TINY: BenchConfig = {
  ...QUICK,
  throughput: { reps: 1, ms: 20, warmupMs: 10 },
  reduction: { schedules: 200, capMs: 100, budgetMs: 1_000, counterThreads: [2, 3] },
  bugs: { seeds: 2, schedules: 100, capMs: 100, budgetMs: 2_000, portfolioBudgetMs: 200 },
  fc: { reps: 1, ms: 20, warmupMs: 10, seeds: 1, schedules: 50, capMs: 100, budgetMs: 500 },
  scaling: { threads: [2], rounds: [2], baseThreads: 2, baseRounds: 2, nlocks: 2, ms: 20, paramSteps: [0], paramMs: 20, paramBudgetMs: 100 },
  stepLoop: { schedules: 20, reps: 1 },
  exhaustive: { capMs: 100 },
  exhaustiveAll: { capMs: 100 },
};

describe('bench quick suite', () => {
  it('produces every section with the documented structure', async () => {
    const textbook = mutants.filter((m) => m.system === 'textbook').slice(0, 2);
    const scs = ['tb-counter', 'tb-abba'].map((n) => findScenario(n)!);
    const r = await runSuite(TINY, { scenarios: scs, mutants: textbook, workloads: [small] });
    expect(r.mode).toBe('quick');
    expect(r.machine.cores).toBeGreaterThan(0);
    expect(typeof r.machine.cpu).toBe('string');
    expect(r.machine.node).toBe(process.version);
    expect(r.throughput.map((t) => t.strategy)).toEqual(['random', 'pct(d=3)']);
    for (const t of r.throughput) {
      expect(t.scenario).toBe('bench-small');
      expect(t.stepsPerSec).toBeGreaterThan(0);
      expect(t.stepsPerSchedule).toBe(25);
      expect(t.allStepsPerSec).toHaveLength(1);
    }
    expect(r.fcThroughput).toHaveLength(1);
    expect(r.fcThroughput[0]!.schedulesPerSec).toBeGreaterThan(0);
    expect(r.reduction.map((x) => x.scenario)).toEqual(['tb-counter', 'tb-abba']);
    // Both declare a stateHash: stateful DPOR runs, completes, and reaches the same terminal states as DPOR.
    for (const x of r.reduction) {
      expect(x.dporCache).toMatchObject({ strategy: 'dpor(state-cache)', complete: true });
      expect(x.dporCache!.states).toBe(x.dpor.states);
      expect(x.dporCache!.cachedStates).toBeGreaterThan(0);
    }
    expect(r.traceClasses.map((x) => x.traceClasses)).toEqual([2, 6]);
    // 6 strategies per mutant; DPOR one run, the others one per seed.
    expect(r.bugs).toHaveLength(textbook.length * 6);
    for (const b of r.bugs) expect(b.runs).toHaveLength(b.strategy === 'dpor' ? 1 : 2);
    expect(r.portfolio.map((p) => p.mutant)).toEqual(textbook.map((m) => m.mutant));
    expect(r.fcBugs.map((f) => f.mutant)).toEqual(textbook.map((m) => m.mutant));
    expect(r.scaling).toHaveLength(2);
    expect(r.targets).toHaveLength(8);
    // Neither three-thread netstack scenario was given: the exhaustive section is empty and its target unknown.
    expect(r.exhaustive).toEqual([]);
    expect(r.targets.find((t) => t.name.startsWith('the three-thread netstack'))!.met).toBeNull();
    // Every other scenario given gets the same search: both textbook ones complete.
    expect(r.exhaustiveAll!.map((x) => [x.scenario, x.threads, x.strategy, x.complete])).toEqual([
      ['tb-counter', 2, 'dpor(state-cache)', true],
      ['tb-abba', 2, 'dpor(state-cache)', true],
    ]);
    expect(r.targets.find((t) => t.name.startsWith('every registered scenario'))!.met).toBe(true);
    expect(renderMarkdown(r)).toContain("DPOR + wakeup trees");
    // The DPOR step loop runs on the first workload when bench-medium is not given.
    expect(r.dporCpu.map((d) => [d.scenario, d.schedules])).toEqual([['bench-small', TINY.stepLoop.schedules]]);
    expect(r.dporCpu[0]!.cpuUsPerSchedule).toBeGreaterThan(0);
    for (const t of r.targets) expect([true, false, null]).toContain(t.met);
    const md = renderMarkdown(r);
    for (const h of ['## Machine', '## Targets', '## Throughput', '## Baseline', '## Reduction', '## Time to bug', '## Scaling']) expect(md).toContain(h);
    expect(JSON.parse(JSON.stringify(r)).bugs).toHaveLength(r.bugs.length);
  });
});

describe('exhaustive (three-thread netstack, stateful DPOR)', () => {
  it('runs the search with every fix on and reports a cap it hit as incomplete', () => {
    const row = exhaustiveRow(findScenario('ns-lifecycle-vs-load-unload')!, { capMs: 150 });
    expect(row).toMatchObject({ scenario: 'ns-lifecycle-vs-load-unload', strategy: 'dpor(state-cache)', complete: false, verdict: 'incomplete', capSeconds: 0.15 });
    expect(row.schedules).toBeGreaterThan(0);
    expect(row.states).toBeGreaterThan(row.schedules);
    expect(row.cpuSeconds).toBeGreaterThan(0);
  });
  it('the target is met only when all three complete, each under 60 s', () => {
    const row = (scenario: string, complete: boolean, seconds: number) => ({ scenario, strategy: 'dpor(state-cache)', complete, verdict: complete ? 'pass' : 'incomplete', schedules: 1, steps: 1, states: 1, hits: 0, seconds, cpuSeconds: seconds, capSeconds: 90 });
    const met = (rows: ReturnType<typeof row>[]) => {
      const r = { throughput: [], dporCpu: [], fcThroughput: [], reduction: [], traceClasses: [], exhaustive: rows, bugs: [], portfolio: [], fcBugs: [], scaling: [], paramScaling: [] } as unknown as BenchResults;
      return targets(r).find((t) => t.name.startsWith('the three-thread netstack'))!.met;
    };
    const [a, b, c] = THREE_THREAD_NETSTACK;
    expect(met([row(a, true, 30), row(b, true, 59), row(c, true, 1)])).toBe(true);
    expect(met([row(a, true, 30), row(b, true, 61), row(c, true, 1)])).toBe(false);
    expect(met([row(a, true, 30), row(b, false, 20), row(c, true, 1)])).toBe(false);
    expect(met([row(a, true, 30)])).toBeNull();
  });
  it('a scenario without a state declaration gets plain DPOR; the every-scenario target fails on any incomplete or slow search', () => {
    const plain = exhaustiveRow(findScenario('nx-close-vs-detach')!, { capMs: 5_000 });
    expect(plain).toMatchObject({ strategy: 'dpor', complete: true, verdict: 'pass', threads: 2 });
    const row = (scenario: string, complete: boolean, seconds: number) => ({ scenario, threads: 2, strategy: 'dpor', complete, verdict: complete ? 'pass' : 'incomplete', schedules: 1, steps: 1, states: 0, hits: 0, seconds, cpuSeconds: seconds, capSeconds: 60 });
    const met = (rows: ReturnType<typeof row>[]) => {
      const r = { throughput: [], dporCpu: [], fcThroughput: [], reduction: [], traceClasses: [], exhaustive: [], exhaustiveAll: rows, bugs: [], portfolio: [], fcBugs: [], scaling: [], paramScaling: [] } as unknown as BenchResults;
      return targets(r).find((t) => t.name.startsWith('every registered scenario'))!.met;
    };
    expect(met([row('a', true, 1), row('b', true, 59)])).toBe(true);
    expect(met([row('a', true, 1), row('b', false, 60)])).toBe(false);
    expect(met([row('a', true, 1), row('b', true, 61)])).toBe(false);
    expect(met([])).toBeNull();
  });
});

describe('reduction', () => {
  it('DPOR on tb-counter meets the n! trace classes and keeps every terminal state of plain DFS', () => {
    const row = reductionRow(findScenario('tb-counter')!, { schedules: 10_000, ms: 10_000, params: { threads: 3 } });
    expect(row.dfs.complete && row.dpor.complete).toBe(true);
    expect(row.dpor.terminal).toBe(6);
    expect(row.traceClasses).toBe(6);
    expect(row.sameStates).toBe(true);
    expect(row.ratio).toBeLessThan(1);
  });
  it('distinguishes terminal states (lost update vs correct count) and is stable across runs', () => {
    const sc = findScenario('tb-counter')!;
    const keys = (mutant: string | null) => {
      const s = new Set<string>();
      explore(sc, makeStrategy('dfs', { seed: 1, depth: 1 }), { mutant, keepGoing: true, onExecution: (ex, res) => s.add(terminalStateKey(ex, res)) });
      return s;
    };
    // Lost update (count 1) and correct count (2) at least: two verdicts, two states.
    expect(keys(null).size).toBeGreaterThanOrEqual(1);
    expect(keys('tb-unlocked-increment').size).toBeGreaterThanOrEqual(2);
    expect([...keys('tb-unlocked-increment')].sort()).toEqual([...keys('tb-unlocked-increment')].sort());
  });
});

describe('time to bug', () => {
  it('reports detection with schedules and budget, and "not found" as a result', () => {
    const m = mutants.find((x) => x.mutant === 'tb-unlocked-increment')!;
    const hit = timeToBug(m, 'dpor', 1, 100, 5_000);
    expect(hit.found).toBe(true);
    expect(hit.schedules).toBeGreaterThan(0);
    // PCT with d=1 never preempts: it cannot lose an update.
    const miss = timeToBug(m, 'pct1', 1, 30, 5_000);
    expect(miss.found).toBe(false);
    expect(miss.schedules).toBe(30);
    expect(miss.budgetSchedules).toBe(30);
  });
});

describe('fast-check baseline', () => {
  it('its async step loop is Execution.run: same schedule and trace hash on the same choices', async () => {
    const sc = lockHeavy('lh', 3, 4, 2);
    for (let seed = 0; seed < 5; seed++) {
      const list = Array.from({ length: 80 }, (_, i) => (i * 7 + seed * 13) % 5);
      const sync = new Execution(sc, execOptions(sc, {}, new RunContext(), false)).run(choiceListChooser(list));
      let pos = 0;
      const next = (n: number) => (pos < list.length ? list[pos++]! % n : 0);
      const res = await runAsync(sc, execOptions(sc, {}, new RunContext(), false), (en) => en[next(en.length)]!, next);
      expect(res.schedule).toEqual(sync.schedule);
      expect(res.traceHash).toBe(sync.traceHash);
      expect(res.failure).toEqual(sync.failure);
    }
  });
  it('fast-check picks the order (different seeds, different schedules) and finds the lost update', async () => {
    const sc = findScenario('tb-counter')!;
    const r = await fcDrive(sc, { mutant: 'tb-unlocked-increment', seed: 3, numRuns: 1_000, ms: 10_000, bugSpec: 'no-lost-update' });
    expect(r.foundAt).toBeGreaterThan(0);
    const schedules = new Set<string>();
    const a = await fcDrive(small, { seed: 1, numRuns: 20, ms: 10_000, onResult: (res) => schedules.add(res.schedule.join(',')) });
    expect(a.runs).toBe(20);
    expect(a.steps).toBe(20 * 25);
    expect(schedules.size).toBeGreaterThan(10);
  });
});
