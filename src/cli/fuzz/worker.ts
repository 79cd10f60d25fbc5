/**
 * Worker thread: runs fuzz batches posted by the campaign, posts results
 * back. It first loads the user's scenario modules (`--load`), if any, so
 * that it finds the same scenarios as the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadScenarioModules } from '../load.ts';
import { runBatch, type BatchJob } from './batch.ts';

const ready = loadScenarioModules((workerData as { load?: string[] } | null)?.load ?? []);

parentPort!.on('message', (job: BatchJob) => {
  ready.then(
    () => {
      try {
        parentPort!.postMessage({ ok: true, result: runBatch(job) });
      } catch (e) {
        parentPort!.postMessage({ ok: false, error: (e as Error).stack ?? String(e) });
      }
    },
    (e: unknown) => parentPort!.postMessage({ ok: false, error: (e as Error).message ?? String(e) }),
  );
});
