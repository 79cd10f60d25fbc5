/** Worker thread: runs fuzz batches posted by the campaign, posts results back. */
import { parentPort } from 'node:worker_threads';
import { runBatch, type BatchJob } from './batch.ts';

parentPort!.on('message', (job: BatchJob) => {
  try {
    parentPort!.postMessage({ ok: true, result: runBatch(job) });
  } catch (e) {
    parentPort!.postMessage({ ok: false, error: (e as Error).stack ?? String(e) });
  }
});
