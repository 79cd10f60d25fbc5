/** nsm check. */
import { join } from 'node:path';
import { paramSpecs } from '../../core/params.ts';
import { declaresState, type ParamValue, type Scenario } from '../../core/scenario.ts';
import { allScenarios, findScenario } from '../../scenarios/registry.ts';
import { checkScenario, wasInterrupted } from '../check-scenario.ts';
import { UsageError } from '../errors.ts';
import { artefactDir, ensureWritableDir } from '../failure-report.ts';
import { table } from '../table.ts';
import { checkFlags, checkOptions, cliMutant, EXIT, parse, typedParams } from '../args.ts';
import { checkKnowing } from '../known-check.ts';
import { checkParallel } from '../check-parallel.ts';

export const help = `usage: nsm check <scenario> [options]
       nsm check --all [options]

options:
  --strategy S      random | pct | dfs | dpor | ipb | idb | portfolio   (default dpor);
                    ipb: iterative preemption bounding, bounded DPOR with bound 0, 1, ...
                    up to --preemptions (default 3), stopping at the first failure;
                    idb: iterative delay bounding, bounded DFS with delay bound 0, 1, ...
                    up to --delays (default 3)
  --seed N          seed for random and PCT (default 1)
  --schedules N     stop after N executions (default: unbounded for dfs/dpor, 1000 otherwise)
  --time S          stop after S seconds (default 60)
  --depth D         PCT bug depth (default 3)
  --pct-steps K     PCT k: change points are drawn from steps 0..K-1 (default: the
                    longest execution seen so far)
  --preemptions P   preemption bound for dfs/dpor
  --delays D        delay bound for dfs (the largest bound for idb)
  --mutant NAME     switch on a catalogued bug
  --param K=V       set a scenario parameter (repeatable)
  --guard N         run the access guard on the first N executions (default 100; 0: off):
                    a state write by two threads in steps their footprints leave
                    unordered fails with undeclared-access (DPOR would not see it)
  --no-shrink       report the failing schedule as found
  --no-write        write no artefact (by default each failure is written as JSON + HTML
                    under .nsm/failures/, or under $NSM_DIR/failures/ when NSM_DIR is set)
  --state-cache     with dfs or dpor: prune states seen before (scenarios that declare their
                    state: a stateHash, or stateWalk with frames; docs/engine.md). The
                    default dpor search (no --preemptions, no split) does this by
                    itself on every scenario that declares its state
  --no-state-cache  dpor without state caching (stateless DPOR) on any scenario
  --check-hits N    with state caching (--state-cache, or the default dpor search):
                    check the first N hits against their state's first visit
                    (default 100; 'all': every hit that has one recorded)
  --wakeup          dpor only: wakeup trees (optimal DPOR): a race schedules the whole
                    sequence that reverses it, so fewer executions end sleep-set-blocked
  --shard i/n       dpor only: search shard i of n of a split search (one per machine or CI
                    job); the first --split-depth choice points (default 4) are expanded
                    fully and their prefixes dealt out by index mod n. With --json the
                    output says which prefixes the shard closed: \`nsm merge\` them
  --workers N       dpor only: the shards of a split search (as --shard i/N, for every i)
                    in N worker threads on this machine, merged
  --split-depth D   the cut of a split search (default 4)
  --progress S      a progress line on stderr every S seconds: schedules, steps, rate, and
                    for dfs/dpor the depth of the current path and the branches still open
                    on it (DPOR adds branches as it finds races, so no completion estimate)
  --all             every registered scenario (with --mutant or --param: those that have
                    that mutant, or every parameter given); a failure that is a catalogued finding
                    (a race in the C code as written) is one line, then the model with
                    its candidate fixes is checked; ends with a summary table
  --timelines       with --all: the full timeline of known findings too
  --json            print one JSON object (one per line with --all)

exit codes: 0 pass, 1 failure found (with --all: one that is not a known finding,
            or a known finding whose fixes fail), 2 bad input, 3 incomplete

examples:
  nsm check tb-counter
  nsm check tb-counter --mutant tb-unlocked-increment --strategy pct --depth 2
  nsm check tb-counter --param threads=4 --strategy dpor --json
  nsm check tb-counter --param threads=6 --shard 0/2 --json > s0.json   # and 1/2 > s1.json
  nsm merge s0.json s1.json`;

export async function run(argv: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const { values, positionals } = parse(argv, checkFlags);
  if (values.help) return out(help), 0;
  const o = { ...checkOptions(values, 60), progressLine: err };
  let targets = allScenarios();
  if (values.all) {
    if (positionals.length > 0) throw new UsageError(`nsm check --all takes no scenario name (got '${positionals.join(' ')}'): use one or the other`);
  } else {
    if (positionals.length !== 1) throw new UsageError('nsm check needs one scenario name (or --all); see nsm list');
    const sc = findScenario(positionals[0]!);
    if (!sc) throw new UsageError(`unknown scenario '${positionals[0]}' (see nsm list)`);
    targets = [sc];
    // With --all, --check-hits applies where the search caches states; one scenario must.
    if (o.autoStateCache && o.checkHits !== undefined && !declaresState(sc)) throw new UsageError(`--check-hits: scenario '${sc.name}' declares no state (stateHash or stateWalk), so its search caches none`);
  }
  const paramsOf = new Map<Scenario<any>, Record<string, ParamValue>>();
  const given = Object.keys(o.rawParams);
  for (const sc of targets) {
    if (o.mutant !== null && !(sc.mutants ?? []).includes(o.mutant)) {
      if (values.all) continue;
      cliMutant(sc, o.mutant);
    }
    // With --all, a parameter selects the scenarios that declare it, as --mutant does.
    if (values.all && !given.every((k) => paramSpecs(sc).some((p) => p.name === k))) continue;
    paramsOf.set(sc, typedParams(sc, o.rawParams));
  }
  if (values.all) {
    targets = targets.filter((sc) => paramsOf.has(sc));
    if (targets.length === 0) {
      const what = [o.mutant !== null ? `mutant '${o.mutant}'` : '', given.length ? `parameter${given.length > 1 ? 's' : ''} ${given.map((k) => `'${k}'`).join(', ')}` : ''].filter(Boolean).join(' and ');
      throw new UsageError(`no scenario has ${what} (see nsm list --json)`);
    }
  }
  if (o.write) ensureWritableDir(join(artefactDir(), 'failures'));
  let worst = 0;
  const rows: string[][] = [['scenario', 'strategy', 'verdict', 'schedules', 'steps', 'seconds']];
  for (const sc of targets) {
    if (wasInterrupted()) {
      out(`interrupted: ${sc.name} and the scenarios after it were not checked`);
      worst = worst === 1 ? 1 : 3;
      break;
    }
    const so = { ...o, params: paramsOf.get(sc)! };
    let code: number;
    if (values.all && !values.json) {
      const r = await checkKnowing(sc, so, out, Boolean(values.timelines));
      rows.push(r.row);
      code = r.code;
    } else if (o.workers !== undefined) {
      const r = await checkParallel(sc, so, o.workers, o.splitDepth!);
      if (values.json) out(JSON.stringify(r.json));
      else for (const l of r.lines) out(l);
      code = EXIT[r.json.verdict];
    } else {
      const r = await checkScenario(sc, so);
      if (values.json) out(JSON.stringify(r.json));
      else for (const l of r.lines) out(l);
      code = EXIT[r.json.verdict];
    }
    if (code === 1 || (code === 3 && worst === 0)) worst = code;
  }
  if (values.all && !values.json) {
    out('');
    for (const l of table(rows)) out(l);
  }
  return worst;
}
