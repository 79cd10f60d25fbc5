/**
 * Fuzz campaigns: a budget (time or schedules) split into reproducible
 * batches, run by N workers (worker_threads, bounded by p-queue), with every
 * failure written as soon as it is found (async-mutex serializes the writers
 * of the failure corpus and the checkpoint), a checkpoint after every batch
 * so an interrupted campaign (Ctrl-C, kill -9) loses no finding and
 * `--resume` skips the batches already done, and `--shard i/n` to split a
 * campaign across machines deterministically (batch b belongs to shard
 * b mod n). `nsm merge` combines the result files of the shards.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Mutex } from 'async-mutex';
import PQueue from 'p-queue';
import type { ParamValue } from '../../core/scenario.ts';
import { emptyCoverage, mergeCoverage, transitionPercent, type CoverageData } from '../coverage.ts';
import { campaignResultSchema, firstIssue } from '../schema.ts';
import { UsageError } from '../errors.ts';
import { artefactDir, writeArtefact, writeJsonAtomic, type FailureSummary } from '../failure-report.ts';
import { runBatch, type BatchJob, type BatchResult, type FuzzStrategy } from './batch.ts';

export interface CampaignConfig {
  scenario: string;
  strategy: FuzzStrategy;
  depth: number;
  seed: number;
  mutant: string | null;
  params: Record<string, ParamValue>;
  /** Schedules per batch. */
  batch: number;
  /** Total schedules budget (over all shards), or 0 for time-bounded. */
  schedules: number;
  shard: { index: number; count: number };
}

export interface CampaignFailure {
  spec: string;
  message: string;
  token: string;
  steps: number;
  preemptions: number;
  artefact: string | null;
  batch: number;
}

export interface CampaignResult {
  version: 1;
  config: CampaignConfig;
  /** Batches finished (sorted). */
  doneBatches: number[];
  schedules: number;
  steps: number;
  elapsedMs: number;
  failures: CampaignFailure[];
  coverage: CoverageData;
  interrupted: boolean;
}

export function campaignDir(c: CampaignConfig): string {
  // Everything that changes the schedules is in the name, so a campaign with
  // other settings is a new campaign, not a refused resume.
  const shard = c.shard.count > 1 ? `-shard${c.shard.index}of${c.shard.count}` : '';
  const depth = c.strategy === 'pct' ? `-d${c.depth}` : '';
  const params = Object.keys(c.params).sort().map((k) => `--${k}=${String(c.params[k])}`).join('');
  return join(artefactDir(), 'campaigns', `${c.scenario}--${c.mutant ?? 'model'}--${c.strategy}${depth}-s${c.seed}${shard}${params}`);
}

function sameConfig(a: CampaignConfig, b: CampaignConfig): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function loadResult(path: string): CampaignResult {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new UsageError(`${path} is not valid JSON (corrupted?)`);
  }
  const r = campaignResultSchema.safeParse(data);
  if (!r.success) throw new UsageError(`${path} is not an nsm campaign result (version 1): ${firstIssue(r.error)}`);
  return r.data as CampaignResult;
}

/** Where batches run: in this thread, or in a pool of worker threads. */
interface Executor {
  run(job: BatchJob): Promise<BatchResult>;
  close(): Promise<void>;
}

function inProcess(): Executor {
  return {
    run: (job) =>
      new Promise((resolve, reject) =>
        setImmediate(() => {
          try {
            resolve(runBatch(job));
          } catch (e) {
            reject(e);
          }
        }),
      ),
    close: async () => {},
  };
}

function workerPool(n: number, load: readonly string[]): Executor {
  const idle: Worker[] = [];
  const all: Worker[] = [];
  for (let i = 0; i < n; i++) {
    const w = new Worker(new URL('../../../bin/fuzz-worker.js', import.meta.url), { workerData: { load: [...load] } });
    all.push(w);
    idle.push(w);
  }
  return {
    run: (job) =>
      new Promise((resolve, reject) => {
        const w = idle.pop();
        if (!w) return reject(new Error('no idle worker (p-queue concurrency exceeds the pool)'));
        w.once('message', (m: { ok: boolean; result?: BatchResult; error?: string }) => {
          idle.push(w);
          if (m.ok) resolve(m.result!);
          else reject(new Error(m.error));
        });
        w.postMessage(job);
      }),
    close: async () => {
      await Promise.all(all.map((w) => w.terminate()));
    },
  };
}

export interface CampaignOptions {
  workers: number;
  /** Modules of the user's scenarios (`--load`), which each worker thread loads too. */
  load?: readonly string[];
  /** Wall-clock budget in seconds (0: none). */
  timeSec: number;
  resume: boolean;
  /** Progress line sink, or null for silence. */
  progress: ((line: string, final: boolean) => void) | null;
  /** Seconds between plain progress lines (when not a terminal). */
  progressEvery: number;
  tty: boolean;
}

export async function runCampaign(cfg: CampaignConfig, o: CampaignOptions): Promise<{ result: CampaignResult; dir: string; newFailures: FailureSummary[] }> {
  const dir = campaignDir(cfg);
  const ckpt = join(dir, 'checkpoint.json');
  let prior: CampaignResult | null = null;
  if (o.resume && !existsSync(ckpt)) throw new UsageError(`--resume: no checkpoint at ${ckpt}, so there is nothing to resume (run without --resume to start this campaign)`);
  if (existsSync(ckpt)) {
    if (!o.resume) throw new UsageError(`a campaign already exists at ${dir}: use --resume to continue it, or remove the directory`);
    prior = loadResult(ckpt);
    if (!sameConfig(prior.config, cfg)) throw new UsageError(`the campaign at ${dir} was started with other options; resume it with the same options`);
  }
  mkdirSync(dir, { recursive: true });
  const done = new Set<number>(prior?.doneBatches ?? []);
  const state: CampaignResult = prior ?? { version: 1, config: cfg, doneBatches: [], schedules: 0, steps: 0, elapsedMs: 0, failures: [], coverage: emptyCoverage(), interrupted: false };
  state.interrupted = false;
  const seen = new Set(state.failures.map((f) => (f.artefact ? basename(f.artefact) : `${f.spec}|${f.message}`)));
  const newFailures: FailureSummary[] = [];
  const lock = new Mutex();
  const t0 = Date.now();
  const elapsed0 = state.elapsedMs;
  const deadline = o.timeSec > 0 ? t0 + o.timeSec * 1000 : 0;
  // Batches of this shard, in order; with a schedule budget the list is finite.
  const totalBatches = cfg.schedules > 0 ? Math.ceil(cfg.schedules / cfg.batch) : Infinity;
  let nextBatch = 0;
  const takeBatch = (): number | null => {
    while (nextBatch < totalBatches) {
      const b = nextBatch++;
      if (b % cfg.shard.count !== cfg.shard.index) continue;
      if (done.has(b)) continue;
      return b;
    }
    return null;
  };
  const myTotal = Number.isFinite(totalBatches) ? Math.ceil((totalBatches - cfg.shard.index) / cfg.shard.count) : Infinity;
  let stop = false;
  const onSigint = () => {
    stop = true;
    state.interrupted = true;
  };
  process.once('SIGINT', onSigint);
  const exec = o.workers > 1 ? workerPool(o.workers, o.load ?? []) : inProcess();
  const queue = new PQueue({ concurrency: Math.max(1, o.workers) });
  let lastPrint = 0;
  const progress = (final: boolean) => {
    if (!o.progress) return;
    const now = Date.now();
    if (!final && !o.tty && now - lastPrint < o.progressEvery * 1000) return;
    if (!final && o.tty && now - lastPrint < 200) return;
    lastPrint = now;
    const secs = Math.max(0.001, (now - t0) / 1000);
    const runSched = state.schedules - (prior?.schedules ?? 0);
    const runSteps = state.steps - (prior?.steps ?? 0);
    const frac = Number.isFinite(myTotal) ? done.size / Math.max(1, myTotal) : deadline ? Math.min(1, (now - t0) / (deadline - t0)) : 0;
    const eta = frac > 0 && frac < 1 ? `${Math.round((secs / frac) * (1 - frac))}s` : final ? 'done' : '?';
    const bar = o.tty ? `[${'#'.repeat(Math.round(frac * 20)).padEnd(20)}] ` : '';
    const line = `${bar}${(frac * 100).toFixed(0)}%  ${state.schedules.toLocaleString('en-US')} schedules  ${Math.round(runSched / secs).toLocaleString('en-US')} sched/s  ${Math.round(runSteps / secs).toLocaleString('en-US')} steps/s  failures ${state.failures.length}  transitions ${transitionPercent(state.coverage).toFixed(0)}%  ETA ${eta}`;
    o.progress(line, final);
  };
  const record = async (r: BatchResult) => {
    await lock.runExclusive(() => {
      for (const f of r.failures) {
        // Deduplicated by spec and shrunk-schedule signature (the file name).
        const key = f.fileName ?? `${f.summary.spec}|${f.summary.message}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const path = writeArtefact(f);
        state.failures.push({ spec: f.summary.spec, message: f.summary.message, token: f.summary.token, steps: f.summary.steps, preemptions: f.summary.preemptions, artefact: path, batch: r.batch });
        newFailures.push(f.summary);
      }
      state.schedules += r.schedules;
      state.steps += r.steps;
      state.coverage = mergeCoverage(state.coverage, r.coverage);
      if (r.complete) done.add(r.batch);
      state.doneBatches = [...done].sort((a, b) => a - b);
      state.elapsedMs = elapsed0 + (Date.now() - t0);
      writeJsonAtomic(ckpt, state);
    });
    progress(false);
  };
  try {
    const running = new Set<Promise<void>>();
    while (!stop && !(deadline && Date.now() > deadline)) {
      const b = takeBatch();
      if (b === null) break;
      const job: BatchJob = { scenario: cfg.scenario, strategy: cfg.strategy, depth: cfg.depth, seed: cfg.seed, batch: b, schedules: cfg.batch, mutant: cfg.mutant, params: cfg.params, deadline };
      const p: Promise<void> = queue.add(async () => record(await exec.run(job)));
      running.add(p);
      void p.finally(() => running.delete(p)).catch(() => {});
      // p-queue bounds what runs; this bounds what is queued.
      if (running.size >= queue.concurrency) await Promise.race(running);
    }
    await Promise.all(running);
    await queue.onIdle();
  } finally {
    process.removeListener('SIGINT', onSigint);
    await exec.close();
  }
  state.elapsedMs = elapsed0 + (Date.now() - t0);
  await lock.runExclusive(() => {
    writeJsonAtomic(ckpt, state);
    writeJsonAtomic(join(dir, 'result.json'), state);
  });
  progress(true);
  return { result: state, dir, newFailures };
}

/** Combine the result files of a sharded campaign. */
export function mergeResults(results: CampaignResult[]): CampaignResult {
  if (results.length === 0) throw new UsageError('nsm merge needs at least one result file');
  const base = results[0]!.config;
  for (const r of results) {
    const a = { ...r.config, shard: null };
    const b = { ...base, shard: null };
    if (JSON.stringify(a) !== JSON.stringify(b)) throw new UsageError('the result files come from different campaigns (scenario, strategy, seed or options differ)');
  }
  const failures: CampaignFailure[] = [];
  const seen = new Set<string>();
  for (const r of results)
    for (const f of r.failures) {
      const k = f.artefact ?? f.token;
      if (!seen.has(k)) {
        seen.add(k);
        failures.push(f);
      }
    }
  let coverage = emptyCoverage();
  for (const r of results) coverage = mergeCoverage(coverage, r.coverage);
  return {
    version: 1,
    config: { ...base, shard: { index: 0, count: 1 } },
    doneBatches: [...new Set(results.flatMap((r) => r.doneBatches))].sort((a, b) => a - b),
    schedules: results.reduce((a, r) => a + r.schedules, 0),
    steps: results.reduce((a, r) => a + r.steps, 0),
    elapsedMs: Math.max(...results.map((r) => r.elapsedMs)),
    failures,
    coverage,
    interrupted: results.some((r) => r.interrupted),
  };
}
