/**
 * Worker thread of `nsm check --workers N`: checks one shard of a split
 * DPOR search and posts its outcome (the JSON and the printed lines) back.
 * It loads the user's scenario modules (`--load`) first, so that it finds
 * the same scenario as the main thread. A 'stop' message is Ctrl-C.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { findScenario } from '../scenarios/registry.ts';
import { checkScenario, requestStop, type CheckOptions } from './check-scenario.ts';
import { loadScenarioModules } from './load.ts';

export interface CheckWorkerData {
  load: string[];
  scenario: string;
  options: CheckOptions;
}

const data = workerData as CheckWorkerData;
parentPort!.on('message', (m: unknown) => {
  if (m === 'stop') requestStop();
});
loadScenarioModules(data.load)
  .then(async () => {
    const sc = findScenario(data.scenario);
    if (!sc) throw new Error(`worker: unknown scenario '${data.scenario}'`);
    const r = await checkScenario(sc, data.options);
    parentPort!.postMessage({ ok: true, json: r.json, lines: r.lines });
  })
  .catch((e: unknown) => parentPort!.postMessage({ ok: false, error: (e as Error).stack ?? String(e) }));
