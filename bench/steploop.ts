/**
 * Step-loop cost: DPOR CPU per schedule over a fixed number of schedules
 * (the first N of the search, so two versions of the engine run the same
 * executions), and random steps/s on the lock-heavy workloads. Used to
 * compare engine changes back to back (`node --import tsx bench/steploop.ts`).
 */
import { explore } from '../src/core/runner.ts';
import type { Scenario } from '../src/core/scenario.ts';
import { makeStrategy } from '../src/core/config.ts';
import { now } from './util.ts';

export interface DporCpuRow {
  scenario: string;
  schedules: number;
  steps: number;
  /** CPU (user+system) of this process per schedule, best repetition. */
  cpuUsPerSchedule: number;
  wallUsPerSchedule: number;
  allCpuUsPerSchedule: number[];
}

export function measureDporCpu(sc: Scenario<any>, o: { schedules: number; reps: number; params?: Record<string, unknown> }): DporCpuRow {
  const once = () => {
    const c0 = process.cpuUsage();
    const t0 = now();
    const r = explore(sc, makeStrategy('dpor', { seed: 1, depth: 1 }), { guard: 0, schedules: o.schedules, keepGoing: true, params: o.params as never });
    const c = process.cpuUsage(c0);
    return { r, cpu: c.user + c.system, wall: (now() - t0) * 1000 };
  };
  once(); // warm-up (JIT)
  const runs = Array.from({ length: o.reps }, once);
  const per = runs.map((x) => x.cpu / Math.max(1, x.r.schedules));
  const best = runs[per.indexOf(Math.min(...per))]!;
  return {
    scenario: sc.name,
    schedules: best.r.schedules,
    steps: best.r.steps,
    cpuUsPerSchedule: best.cpu / Math.max(1, best.r.schedules),
    wallUsPerSchedule: best.wall / Math.max(1, best.r.schedules),
    allCpuUsPerSchedule: per.map((x) => Math.round(x * 10) / 10),
  };
}

/** Both measurements, as `bench/ab.ts` reads them (--json). */
export interface StepLoopResult {
  dpor: DporCpuRow;
  random: { stepsPerSec: number; stepsPerCpuSec: number; allStepsPerSec: number[] };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { medium } = await import('./scenarios.ts');
  const { measureThroughput } = await import('./throughput.ts');
  const args = process.argv.slice(2);
  const opt = (name: string, d: number) => {
    const i = args.indexOf(name);
    return i >= 0 ? Number(args[i + 1]) || d : d;
  };
  const d = measureDporCpu(medium, { schedules: opt('--schedules', 2000), reps: opt('--reps', 3) });
  const t = measureThroughput(medium, 'random', { reps: opt('--reps', 3), ms: opt('--ms', 1500), warmupMs: 500 });
  const res: StepLoopResult = { dpor: d, random: { stepsPerSec: t.stepsPerSec, stepsPerCpuSec: t.stepsPerCpuSec, allStepsPerSec: t.allStepsPerSec } };
  if (args.includes('--json')) process.stdout.write(JSON.stringify(res) + '\n');
  else {
    process.stdout.write(`dpor ${d.scenario}: ${d.schedules} schedules, ${d.steps} steps, ${d.cpuUsPerSchedule.toFixed(1)} us CPU/schedule (reps ${d.allCpuUsPerSchedule.join(' / ')})\n`);
    process.stdout.write(`random ${t.scenario}: ${Math.round(t.stepsPerSec)} steps/s, ${Math.round(t.stepsPerCpuSec)} steps/CPU-s (reps ${t.allStepsPerSec.join(' / ')})\n`);
  }
}
