/**
 * Benchmark helpers: wall clock, memory sampling, statistics, time budgets
 * and the terminal-state key used by the reduction table. Benchmarks report
 * numbers; nothing here asserts a timing.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Execution, RunContext, Thread, type ExecResult } from '../src/core/execution.ts';

export const now = (): number => performance.now();

/** A gc() handle even when node was not started with --expose-gc (null if unavailable). */
export const gc: (() => void) | null = (() => {
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === 'function') return g;
  try {
    setFlagsFromString('--expose-gc');
    const f = runInNewContext('gc') as () => void;
    return typeof f === 'function' ? f : null;
  } catch {
    return null;
  }
})();

/** Peak memory over a measurement: RSS high-water and heapUsed high-water above the post-gc baseline. */
export class MemSampler {
  readonly baseHeap: number;
  readonly baseRss: number;
  peakRss: number;
  peakHeap: number;
  private last = 0;
  constructor() {
    gc?.();
    const m = process.memoryUsage();
    this.baseHeap = m.heapUsed;
    this.baseRss = m.rss;
    this.peakRss = m.rss;
    this.peakHeap = m.heapUsed;
  }
  /** Sample at most every 5 ms of wall clock. */
  tick(): void {
    const t = now();
    if (t - this.last < 5) return;
    this.last = t;
    this.sample();
  }
  sample(): void {
    const m = process.memoryUsage();
    if (m.rss > this.peakRss) this.peakRss = m.rss;
    if (m.heapUsed > this.peakHeap) this.peakHeap = m.heapUsed;
  }
  result(): { peakRssMB: number; heapGrowthMB: number } {
    this.sample();
    return { peakRssMB: mb(this.peakRss), heapGrowthMB: mb(this.peakHeap - this.baseHeap) };
  }
}

export const mb = (b: number): number => Math.round((b / 1048576) * 10) / 10;

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * A wall-clock budget for a section of the benchmark: each run gets
 * min(cap, remaining / runs left), so a section never overruns by much
 * whatever the catalogue holds.
 */
export class Budget {
  private readonly end: number;
  constructor(readonly totalMs: number) {
    this.end = now() + totalMs;
  }
  remaining(): number {
    return Math.max(0, this.end - now());
  }
  share(capMs: number, runsLeft: number): number {
    return Math.max(50, Math.min(capMs, this.remaining() / Math.max(1, runsLeft)));
  }
}

// ---- terminal-state key --------------------------------------------------

function fnv(s: string, h: number): number {
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Canonical JSON of a scenario state: history fields (freedAt/freedBy), functions, generators, the Execution and the run-wide RunContext (execution counter, lock-order graph, coverage) dropped (as is every object in `runWide`: the values of RunContext.shared, e.g. machine coverage), threads by id, repeated references cut. */
export function stateJson(state: unknown, runWide: ReadonlySet<unknown> = new Set()): string {
  const seen = new WeakSet<object>();
  return (
    JSON.stringify(state, function (k, v: unknown) {
      if (typeof v === 'function' || typeof v === 'symbol') return undefined;
      // History, not state: when and by whom a ghost object was freed (step
      // numbers differ between equivalent interleavings).
      if (k === 'freedAt' || k === 'freedBy') return undefined;
      if (typeof v === 'bigint') return String(v);
      if (v === null || typeof v !== 'object') return v;
      if (v instanceof Execution || v instanceof RunContext || runWide.has(v)) return undefined;
      if (v instanceof Thread) return `T${v.id}`;
      if (seen.has(v)) return '[ref]';
      seen.add(v);
      if (v instanceof Map) return ['Map', ...v.entries()];
      if (v instanceof Set) return ['Set', ...v.values()];
      const o = v as { next?: unknown; [Symbol.iterator]?: unknown };
      if (typeof o.next === 'function' && typeof o[Symbol.iterator] === 'function') return undefined;
      return v;
    }) ?? 'undefined'
  );
}

/**
 * Key of a terminal state: verdict (failed spec or 'ok') + virtual time +
 * the scenario's snapshot() (if any) + canonical JSON of ex.state, hashed
 * to 64 bits (two FNV-1a 32-bit hashes with different offsets).
 */
export function terminalStateKey(ex: Execution, res: ExecResult): string {
  let snap = '';
  if (ex.scenario.snapshot && ex.state !== undefined) {
    try {
      snap = JSON.stringify(ex.scenario.snapshot(ex.state, ex));
    } catch {
      snap = '!';
    }
  }
  let json: string;
  try {
    json = stateJson(ex.state, new Set(ex.options.run.shared.values()));
  } catch {
    json = '!';
  }
  const s = `${res.failure ? res.failure.spec : 'ok'}|${ex.now}|${snap}|${json}`;
  return fnv(s, 0x811c9dc5).toString(16) + fnv(s, 0x2545f491).toString(16);
}

export const fmtInt = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : String(n));
export const fmtNum = (n: number, d = 1): string => (Number.isFinite(n) ? n.toFixed(d) : String(n));
