/**
 * The benchmark suite: runs every section under a configuration (full or
 * quick) and returns one results object (bench/results.json). Rendering is
 * bench/report.ts; the command line is bench/run.ts.
 */
import os from 'node:os';
import { mutants as catalogue } from '../src/bugs/index.ts';
import type { MutantEntry } from '../src/bugs/types.ts';
import type { Scenario } from '../src/core/scenario.ts';
import { scenarios as registry } from '../src/scenarios/registry.ts';
import { fcThroughput, fcTimeToBug, type FcBugRow, type FcThroughputRow } from './fc-baseline.ts';
import { exhaustiveRow, THREE_THREAD_NETSTACK, type ExhaustiveRow } from './exhaustive.ts';
import { reductionRow, type ReductionRow } from './reduction.ts';
import { lockHeavyScaling, paramScaling, type ScalingRow } from './scaling.ts';
import { large, medium, small } from './scenarios.ts';
import { measureDporCpu, type DporCpuRow } from './steploop.ts';
import { measureThroughput, type ThroughputRow } from './throughput.ts';
import { bugRows, portfolioCheck, type BugRow, type PortfolioCheck } from './time-to-bug.ts';
import { Budget, gc, now } from './util.ts';

export interface BenchConfig {
  mode: 'full' | 'quick';
  throughput: { reps: number; ms: number; warmupMs: number };
  reduction: { schedules: number; capMs: number; budgetMs: number; counterThreads: number[] };
  bugs: { seeds: number; schedules: number; capMs: number; budgetMs: number; portfolioBudgetMs: number };
  fc: { reps: number; ms: number; warmupMs: number; seeds: number; schedules: number; capMs: number; budgetMs: number };
  scaling: { threads: number[]; rounds: number[]; baseThreads: number; baseRounds: number; nlocks: number; ms: number; paramSteps: number[]; paramMs: number; paramBudgetMs: number };
  /** DPOR CPU per schedule on bench-medium: the first `schedules` of the search, best of `reps`. */
  stepLoop: { schedules: number; reps: number };
  /** Stateful DPOR on the three-thread netstack scenarios, all fixes: the cap of each search. */
  exhaustive: { capMs: number };
  /** Every other registered scenario, all fixes, stateful DPOR where it declares its state: the cap of each search. */
  exhaustiveAll: { capMs: number };
}

export const FULL: BenchConfig = {
  mode: 'full',
  throughput: { reps: 3, ms: 1500, warmupMs: 500 },
  reduction: { schedules: 200_000, capMs: 20_000, budgetMs: 240_000, counterThreads: [2, 3, 4, 5, 6] },
  bugs: { seeds: 10, schedules: 10_000, capMs: 10_000, budgetMs: 170_000, portfolioBudgetMs: 60_000 },
  fc: { reps: 3, ms: 1500, warmupMs: 500, seeds: 10, schedules: 10_000, capMs: 10_000, budgetMs: 60_000 },
  scaling: { threads: [2, 4, 8, 16], rounds: [10, 50, 200, 1000], baseThreads: 4, baseRounds: 50, nlocks: 4, ms: 1000, paramSteps: [0, 1, 2], paramMs: 700, paramBudgetMs: 45_000 },
  stepLoop: { schedules: 2000, reps: 3 },
  exhaustive: { capMs: 90_000 },
  exhaustiveAll: { capMs: 60_000 },
};

export const QUICK: BenchConfig = {
  mode: 'quick',
  throughput: { reps: 1, ms: 150, warmupMs: 50 },
  reduction: { schedules: 2_000, capMs: 300, budgetMs: 5_000, counterThreads: [2, 3] },
  bugs: { seeds: 2, schedules: 500, capMs: 200, budgetMs: 6_000, portfolioBudgetMs: 1_000 },
  fc: { reps: 1, ms: 150, warmupMs: 50, seeds: 2, schedules: 300, capMs: 200, budgetMs: 2_000 },
  scaling: { threads: [2, 4], rounds: [10], baseThreads: 2, baseRounds: 10, nlocks: 2, ms: 100, paramSteps: [0, 1], paramMs: 100, paramBudgetMs: 1_500 },
  stepLoop: { schedules: 100, reps: 1 },
  exhaustive: { capMs: 300 },
  exhaustiveAll: { capMs: 50 },
};

export interface Machine {
  cpu: string;
  cores: number;
  memoryGB: number;
  node: string;
  platform: string;
  date: string;
  loadavgStart: number[];
  loadavgEnd: number[];
  gcExposed: boolean;
  commands: string[];
}

export interface BenchResults {
  mode: 'full' | 'quick';
  machine: Machine;
  config: BenchConfig;
  seconds: number;
  throughput: ThroughputRow[];
  /** DPOR CPU per schedule (bench/steploop.ts), on the medium workload. */
  dporCpu: DporCpuRow[];
  fcThroughput: FcThroughputRow[];
  reduction: ReductionRow[];
  traceClasses: ReductionRow[];
  /** Stateful DPOR on the three-thread netstack scenarios (bench/exhaustive.ts); absent in results written before it. */
  exhaustive?: ExhaustiveRow[];
  /** The same search on every other registered scenario (plain DPOR where it declares no state); absent in results written before it. */
  exhaustiveAll?: ExhaustiveRow[];
  bugs: BugRow[];
  portfolio: PortfolioCheck[];
  fcBugs: FcBugRow[];
  scaling: ScalingRow[];
  paramScaling: ScalingRow[];
  targets: Target[];
}

export interface Target {
  name: string;
  met: boolean | null;
  detail: string;
}

export interface SuiteInput {
  scenarios?: readonly Scenario<any>[];
  mutants?: readonly MutantEntry[];
  workloads?: readonly Scenario<any>[];
  log?: (s: string) => void;
}

const r0 = (n: number) => Math.round(n).toLocaleString('en-US');

export async function runSuite(cfg: BenchConfig, input: SuiteInput = {}): Promise<BenchResults> {
  const log = input.log ?? (() => {});
  const scs = input.scenarios ?? registry;
  const ms = input.mutants ?? catalogue;
  const workloads = input.workloads ?? [small, medium, large];
  const t0 = now();
  const loadavgStart = os.loadavg();

  log('throughput');
  const throughput: ThroughputRow[] = [];
  for (const w of workloads) {
    for (const s of ['random', 'pct3'] as const) {
      const row = measureThroughput(w, s, cfg.throughput);
      log(`  ${w.name} ${row.strategy}: ${r0(row.stepsPerSec)} steps/s, ${r0(row.schedulesPerSec)} schedules/s`);
      throughput.push(row);
    }
  }
  log('dpor step loop');
  const dporCpu: DporCpuRow[] = [];
  const dw = workloads.find((w) => w.name === 'bench-medium') ?? workloads[0]!;
  if (dw) {
    const row = measureDporCpu(dw, cfg.stepLoop);
    log(`  ${row.scenario} dpor: ${row.cpuUsPerSchedule.toFixed(1)} us CPU per schedule over ${row.schedules} schedules`);
    dporCpu.push(row);
  }
  log('fast-check baseline throughput');
  const fcT: FcThroughputRow[] = [];
  for (const w of workloads) {
    const row = await fcThroughput(w, cfg.fc);
    log(`  ${w.name} fc.scheduler: ${r0(row.stepsPerSec)} steps/s, ${r0(row.schedulesPerSec)} schedules/s`);
    fcT.push(row);
  }

  log('reduction');
  const red = new Budget(cfg.reduction.budgetMs);
  const counter = scs.find((s) => s.name === 'tb-counter');
  const extra = counter ? cfg.reduction.counterThreads.length : 0;
  const reduction: ReductionRow[] = [];
  let left = (scs.length + extra) * 2;
  for (const sc of scs) {
    const capMs = red.share(cfg.reduction.capMs, left);
    left -= 2;
    const row = reductionRow(sc, { schedules: cfg.reduction.schedules, ms: capMs });
    log(`  ${sc.name}: dfs ${row.dfs.terminal} (${row.dfs.stoppedBy}), dpor ${row.dpor.terminal} (${row.dpor.stoppedBy})`);
    reduction.push(row);
    gc?.();
  }
  const traceClasses: ReductionRow[] = [];
  if (counter) {
    for (const n of cfg.reduction.counterThreads) {
      const capMs = red.share(cfg.reduction.capMs, left);
      left -= 2;
      const row = reductionRow(counter, { schedules: cfg.reduction.schedules, ms: capMs, params: { threads: n } });
      log(`  tb-counter threads=${n}: dpor ${row.dpor.terminal} vs ${row.traceClasses} classes`);
      traceClasses.push(row);
      gc?.();
    }
  }

  log('exhaustive: three-thread netstack scenarios, stateful DPOR, all fixes');
  const exhaustive: ExhaustiveRow[] = [];
  for (const name of THREE_THREAD_NETSTACK) {
    const sc = scs.find((x) => x.name === name);
    if (!sc) continue;
    const row = exhaustiveRow(sc, cfg.exhaustive);
    log(`  ${name}: ${row.verdict}, ${r0(row.schedules)} schedules, ${r0(row.states)} states, ${row.seconds.toFixed(1)} s`);
    exhaustive.push(row);
    gc?.();
  }
  log('exhaustive: every other registered scenario, all fixes');
  const exhaustiveAll: ExhaustiveRow[] = [];
  for (const sc of scs) {
    if ((THREE_THREAD_NETSTACK as readonly string[]).includes(sc.name)) continue;
    const row = exhaustiveRow(sc, cfg.exhaustiveAll);
    if (!row.complete) log(`  ${sc.name}: ${row.verdict}, ${r0(row.schedules)} schedules, ${row.seconds.toFixed(1)} s`);
    exhaustiveAll.push(row);
  }
  gc?.();

  log('time to bug');
  const bugs = bugRows(ms, { seeds: cfg.bugs.seeds, schedules: cfg.bugs.schedules, capMs: cfg.bugs.capMs, budget: new Budget(cfg.bugs.budgetMs) });
  for (const b of bugs) log(`  ${b.mutant} ${b.strategy}: ${b.found}/${b.runs.length}, median ${b.medianSchedules ?? '-'} schedules`);
  const portfolio = portfolioCheck(ms, bugs, new Budget(cfg.bugs.portfolioBudgetMs));

  log('fast-check baseline time to bug');
  const fcB = new Budget(cfg.fc.budgetMs);
  const tb = ms.filter((m) => m.system === 'textbook');
  const fcBugs: FcBugRow[] = [];
  for (let i = 0; i < tb.length; i++) {
    const per = fcB.share(cfg.fc.capMs, (tb.length - i) * cfg.fc.seeds);
    const row = await fcTimeToBug(tb[i]!, { seeds: cfg.fc.seeds, schedules: cfg.fc.schedules, ms: per });
    log(`  ${row.mutant} fc.scheduler: ${row.found}/${row.seeds}, median ${row.medianSchedules ?? '-'} schedules`);
    fcBugs.push(row);
  }

  log('scaling');
  const scaling = lockHeavyScaling(cfg.scaling);
  const pscs = scs.filter((s) => s.system !== 'textbook' && Object.values(s.params ?? {}).some((v) => typeof v === 'number'));
  const pScaling = paramScaling(pscs, { ms: cfg.scaling.paramMs, steps: cfg.scaling.paramSteps, budgetMs: cfg.scaling.paramBudgetMs });

  const res: BenchResults = {
    mode: cfg.mode,
    machine: {
      cpu: os.cpus()[0]?.model ?? 'unknown',
      cores: os.cpus().length,
      memoryGB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
      node: process.version,
      platform: `${os.platform()} ${os.release()} ${os.arch()}`,
      date: new Date().toISOString(),
      loadavgStart,
      loadavgEnd: os.loadavg(),
      gcExposed: gc !== null,
      commands: cfg.mode === 'full' ? ['npm run bench', 'node --import tsx bench/run.ts'] : ['node --import tsx bench/run.ts --quick'],
    },
    config: cfg,
    seconds: (now() - t0) / 1000,
    throughput,
    dporCpu,
    fcThroughput: fcT,
    reduction,
    traceClasses,
    exhaustive,
    exhaustiveAll,
    bugs,
    portfolio,
    fcBugs,
    scaling,
    paramScaling: pScaling,
    targets: [],
  };
  res.targets = targets(res);
  return res;
}

export function targets(r: BenchResults): Target[] {
  const out: Target[] = [];
  // 1. >= 1,000,000 steps/s, one core.
  const best = Math.max(0, ...r.throughput.map((t) => t.stepsPerSec));
  const perRow = r.throughput.map((t) => `${t.scenario} ${t.strategy} ${r0(t.stepsPerSec)}`).join('; ');
  const bestCpu = Math.max(0, ...r.throughput.map((t) => t.stepsPerCpuSec));
  out.push({ name: '>= 1,000,000 steps/s on one core (random, PCT d=3; bench-small/medium/large)', met: r.throughput.length ? r.throughput.every((t) => t.stepsPerSec >= 1e6) : null, detail: `best ${r0(best)} steps/s wall clock, best ${r0(bestCpu)} steps per CPU-second (${perRow})` });
  // 1b. >= 3M steps/s random on bench-medium (issue 14).
  const rm = r.throughput.find((t) => t.scenario === 'bench-medium' && t.strategy === 'random');
  out.push({
    name: '>= 3,000,000 steps/s random on bench-medium (one core)',
    met: rm ? rm.stepsPerSec >= 3e6 : null,
    detail: rm ? `${r0(rm.stepsPerSec)} steps/s wall clock, ${r0(rm.stepsPerCpuSec)} steps per CPU-second (load average at start ${r.machine.loadavgStart.map((x) => x.toFixed(2)).join(' / ')})` : 'bench-medium not measured',
  });
  // 2. DPOR within 1.1x of the Mazurkiewicz trace classes.
  const cls = r.traceClasses.filter((x) => x.classRatio !== null);
  out.push({
    name: 'DPOR terminal executions within 1.1x of the Mazurkiewicz trace classes (tb-counter, n!)',
    met: cls.length ? cls.every((x) => x.classRatio! <= 1.1) : null,
    detail: cls.length ? cls.map((x) => `n=${x.params.threads}: ${x.dpor.terminal}/${x.traceClasses} = ${x.classRatio!.toFixed(2)}x`).join('; ') : 'no complete DPOR run on tb-counter',
  });
  // 2b. With wakeup trees: every execution counted, sleep-set-blocked ones too (issue 14).
  const wk = r.traceClasses.filter((x) => x.traceClasses !== null && (x.dporWakeup ?? x.dpor).complete);
  const wkRatio = (x: (typeof wk)[number]) => {
    const s = x.dporWakeup ?? x.dpor;
    return (s.terminal + s.pruned) / x.traceClasses!;
  };
  out.push({
    name: 'DPOR with wakeup trees: executions, sleep-set-blocked ones counted, within 1.05x of the trace classes (tb-counter, n!)',
    met: wk.length ? wk.every((x) => wkRatio(x) <= 1.05) : null,
    detail: wk.length ? wk.map((x) => { const s = x.dporWakeup ?? x.dpor; return `n=${x.params.threads}: ${s.terminal}+${s.pruned}/${x.traceClasses} = ${wkRatio(x).toFixed(2)}x (without: ${x.dpor.terminal}+${x.dpor.pruned})`; }).join('; ') : 'no complete DPOR run on tb-counter',
  });
  // Issue 14: the three-thread netstack scenarios complete stateful DPOR with the fixes on.
  const ex = r.exhaustive ?? [];
  out.push({
    name: 'the three-thread netstack scenarios of issue 14, all fixes on, complete an exhaustive search (stateful DPOR) in under 60 s each (one core)',
    met: ex.length === THREE_THREAD_NETSTACK.length ? ex.every((x) => x.complete && x.seconds < 60) : null,
    detail: ex.length ? ex.map((x) => `${x.scenario} ${x.complete ? `complete in ${x.seconds.toFixed(1)} s` : `incomplete at ${x.seconds.toFixed(0)} s`} (${r0(x.states)} states)`).join('; ') : 'not run',
  });
  // Issue 14: every registered scenario (none has more than three threads), all fixes on, completes.
  const all = [...ex, ...(r.exhaustiveAll ?? [])].filter((x) => (x.threads ?? 3) <= 3);
  const slow = all.filter((x) => !x.complete || x.seconds >= 60);
  out.push({
    name: 'every registered scenario (three threads or fewer), all fixes on, completes an exhaustive search (stateful DPOR where it declares its state, else DPOR) in under 60 s (one core)',
    met: r.exhaustiveAll?.length ? slow.length === 0 : null,
    detail: r.exhaustiveAll?.length
      ? `${all.length - slow.length}/${all.length} complete in under 60 s (the slowest: ${[...all].sort((a, b) => b.seconds - a.seconds).slice(0, 3).map((x) => `${x.scenario} ${x.seconds.toFixed(1)} s`).join(', ')})` + (slow.length ? `; not: ${slow.map((x) => `${x.scenario} (${x.complete ? `${x.seconds.toFixed(1)} s` : `incomplete at ${x.seconds.toFixed(0)} s`})`).join(', ')}` : '')
      : 'not run',
  });
  // 3. Portfolio finds every catalogued bug within 10,000 schedules or 60 s.
  const missed = r.portfolio.filter((p) => p.found < p.seeds);
  const unknown = r.portfolio.some((p) => p.unknown > 0);
  out.push({
    name: 'every catalogued bug found by the default portfolio within 10,000 schedules or 60 s (every seed)',
    met: r.portfolio.length === 0 ? null : missed.length === 0 ? true : unknown && missed.every((p) => p.found + p.unknown === p.seeds) ? null : false,
    detail: `${r.portfolio.length - missed.length}/${r.portfolio.length} bugs found on every seed` + (missed.length ? `; missed: ${missed.map((p) => `${p.mutant} (${p.found}/${p.seeds}${p.unknown ? `, ${p.unknown} unknown` : ''})`).join(', ')}` : ''),
  });
  // 4. >= 20x fast-check's scheduler in schedules/s.
  const ratios = r.fcThroughput.map((f) => {
    const ours = r.throughput.find((t) => t.scenario === f.scenario && t.strategy === 'random');
    return { scenario: f.scenario, ratio: ours ? ours.schedulesPerSec / f.schedulesPerSec : NaN };
  });
  out.push({
    name: '>= 20x the schedules/s of fast-check fc.scheduler() (random vs fc, same workloads)',
    met: ratios.length ? ratios.every((x) => x.ratio >= 20) : null,
    detail: ratios.map((x) => `${x.scenario} ${x.ratio.toFixed(1)}x`).join('; '),
  });
  return out;
}
