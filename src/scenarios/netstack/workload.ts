/**
 * Generated netstack workloads (properties/netstack-workload.test.ts): one
 * program per module (its register/unregister calls in alternation, in one
 * thread, as modload/modunload serialize them) and per zone (create,
 * shutdown, destroy in order, in one thread), plus lookups that release what
 * they get, placed on 2 to 4 threads. Step granularity: see world.ts.
 */
import type { KThread } from '../../core/effect.ts';
import { defineScenario } from '../../core/scenario.ts';
import { netstackSnapshot } from '../../specs/netstack/state.ts';
import { NETSTACK_MUTANTS } from './mutants.ts';
import { buildWorld, FIX_PARAMS, findByStackid, findByZoneid, loadModule, netstackEndChecks, netstackInvariants, type NetstackWorld, unloadModule, walkStacks, zoneLife } from './world.ts';

export type Task =
  | { t: 'module'; m: number; ops: number }
  | { t: 'zone'; id: number; excl: boolean; from: 'new' | 'running'; upto: 'create' | 'shutdown' | 'destroy' }
  | { t: 'lookup'; by: 'zoneid' | 'stackid' | 'walk'; id: number };

export interface Workload {
  modules: number;
  loaded: boolean[];
  /** Tasks per thread, run in order. */
  threads: Task[][];
}

export function workloadScenario(wl: Workload) {
  return defineScenario<NetstackWorld>({
    name: 'ns-workload',
    description: 'generated netstack workload',
    system: 'netstack',
    threads: wl.threads.length,
    params: { ...FIX_PARAMS },
    mutants: NETSTACK_MUTANTS,
    maxSteps: 4000,
    invariants: netstackInvariants,
    endChecks: netstackEndChecks,
    snapshot: netstackSnapshot,
    stateWalk: true,
    setup(ex) {
      const running: { id: number; excl: boolean }[] = [];
      for (const th of wl.threads) for (const k of th) if (k.t === 'zone' && k.from === 'running') running.push({ id: k.id, excl: k.excl });
      running.sort((a, b) => a.id - b.id);
      const loaded = wl.loaded.flatMap((l, m) => (l ? [m] : []));
      const w = buildWorld(ex, { modules: wl.modules, loaded, zones: running });
      wl.threads.forEach((tasks, i) => {
        ex.spawn(
          `T${i + 1}`,
          (function* (): KThread<void> {
            // Which task runs, and which of a module's calls.
            let task = 0;
            let n = 0;
            ex.frame('workload', () => [task, n]);
            for (task = 0; task < tasks.length; task++) {
              const k = tasks[task]!;
              if (k.t === 'module') {
                let isLoaded = wl.loaded[k.m]!;
                for (n = 0; n < k.ops; n++) {
                  if (isLoaded) yield* unloadModule(ex, w, k.m);
                  else yield* loadModule(ex, w, k.m);
                  isLoaded = !isLoaded;
                }
              } else if (k.t === 'zone') {
                yield* zoneLife(ex, w, k.id, k.excl, k.upto, k.from);
              } else if (k.by === 'zoneid') yield* findByZoneid(ex, w, k.id);
              else if (k.by === 'stackid') yield* findByStackid(ex, w, k.id);
              else yield* walkStacks(ex, w);
            }
          })(),
        );
      });
      return w;
    },
  });
}

