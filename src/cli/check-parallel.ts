/**
 * `nsm check --workers N`: one DPOR search split into N shards by prefix
 * (DfsOptions.split), each checked in its own worker thread, then merged:
 * the search is complete when the shards' reports prove it (mergeShards),
 * and fails with the first failure a shard reports. The other shards are
 * stopped once one fails. Ctrl-C stops every shard; each reports what it
 * did, and the merged search is incomplete.
 */
import { Worker } from 'node:worker_threads';
import type { Scenario } from '../core/scenario.ts';
import { mergeShards } from '../core/strategies/split.ts';
import type { CheckJson, CheckOptions } from './check-scenario.ts';
import type { CheckWorkerData } from './check-worker.ts';
import { loadedModules } from './load.ts';

interface ShardOutcome {
  json: CheckJson;
  lines: string[];
}

export async function checkParallel(sc: Scenario<any>, o: CheckOptions, workers: number, depth: number): Promise<{ json: CheckJson & { workers: number; why: string | null }; lines: string[] }> {
  const t0 = performance.now();
  const { progressLine: _omit, ...plain } = o;
  const pool: Worker[] = [];
  const onSigint = () => {
    for (const w of pool) w.postMessage('stop');
  };
  process.on('SIGINT', onSigint);
  let outcomes: ShardOutcome[];
  try {
    outcomes = await Promise.all(
      Array.from({ length: workers }, (_, shard) => {
        const data: CheckWorkerData = { load: [...loadedModules], scenario: sc.name, options: { ...plain, split: { depth, shard, shards: workers } } };
        const w = new Worker(new URL('../../bin/check-worker.js', import.meta.url), { workerData: data });
        pool.push(w);
        return new Promise<ShardOutcome>((resolve, reject) => {
          w.once('message', (m: { ok: true; json: CheckJson; lines: string[] } | { ok: false; error: string }) => {
            if (!m.ok) return reject(new Error(`shard ${shard}/${workers}: ${m.error}`));
            // A failure ends the search: the other shards stop and report.
            if (m.json.failure) for (const other of pool) if (other !== w) other.postMessage('stop');
            resolve({ json: m.json, lines: m.lines });
          });
          w.once('error', reject);
        });
      }),
    );
  } finally {
    process.off('SIGINT', onSigint);
    await Promise.all(pool.map((w) => w.terminate()));
  }
  const m = mergeShards(outcomes.map((x) => x.json.shard!));
  const failed = outcomes.find((x) => x.json.failure);
  const schedules = outcomes.reduce((a, x) => a + x.json.schedules, 0);
  const steps = outcomes.reduce((a, x) => a + x.json.steps, 0);
  const elapsedMs = Math.round(performance.now() - t0);
  const strategy = `dpor(${workers} workers, split at depth ${depth})`;
  const verdict = failed ? 'fail' : m.complete ? 'pass' : 'incomplete';
  const json = {
    ...outcomes[0]!.json,
    strategy,
    verdict,
    complete: m.complete,
    why: m.why,
    workers,
    stopped: failed ? null : (outcomes.find((x) => x.json.stopped)?.json.stopped ?? null),
    openBranches: outcomes.flatMap((x) => x.json.openBranches ?? []),
    schedules,
    steps,
    elapsedMs,
    failure: failed?.json.failure ?? null,
    shard: undefined,
  } as CheckJson & { workers: number; why: string | null };
  let lines: string[];
  if (failed) lines = [...failed.lines, `  found by shard ${failed.json.shard!.shard}/${workers} of ${strategy}`];
  else {
    const what = m.complete ? `complete: the ${workers} shards closed all ${m.prefixes} prefixes` : `not complete: ${m.why}`;
    lines = [`${verdict.padEnd(12)}${sc.name}${o.mutant ? ` (mutant ${o.mutant})` : ''}  ${schedules.toLocaleString('en-US')} schedules (${what})  ${steps.toLocaleString('en-US')} steps  ${(elapsedMs / 1000).toFixed(2)} s  [${strategy}]`];
    // What each unfinished shard did and left (its own report, less its verdict line).
    for (const x of outcomes) if (!x.json.complete) lines.push(...x.lines.slice(1).map((l) => (l.trim().startsWith('shard ') ? `  ${l.trim()}` : `  shard ${x.json.shard!.shard}: ${l.trim()}`)));
  }
  return { json, lines };
}
