/**
 * Options, one path. Every front end (the api's check(), nsm check, nsm
 * coverage, nsm fuzz, nsm regress, the catalogue tests) describes a run as
 *
 *   - a Target: which execution (scenario, mutant, params, maxSteps),
 *     resolved once against the scenario by resolveTarget; it is what a
 *     replay token's options hash is made from (runner.ts optionsKey), and
 *   - a SearchConfig: how to explore it (strategy, seed, depth, bounds,
 *     budgets), whose fields take their defaults from DEFAULTS and are
 *     checked by validateSearch, here and nowhere else.
 *
 * Loom's Builder is the model: one record of knobs, each with its default
 * beside it, and one place that says which combinations are refused.
 */
import { resolveParams } from './params.ts';
import type { ParamValue, Scenario } from './scenario.ts';
import { DfsStrategy } from './strategies/dfs.ts';
import { IterativeBoundStrategy } from './strategies/iterative.ts';
import { PctStrategy } from './strategies/pct.ts';
import { PortfolioStrategy } from './strategies/portfolio.ts';
import { RandomStrategy } from './strategies/random.ts';
import type { Strategy } from './strategy.ts';

export const STRATEGY_NAMES = ['random', 'pct', 'dfs', 'dpor', 'ipb', 'idb', 'portfolio'] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];

/** The sampling strategies a fuzz campaign runs in batches (no search tree to share between workers). */
export const FUZZ_STRATEGY_NAMES = ['random', 'pct', 'portfolio'] as const;
export type FuzzStrategy = (typeof FUZZ_STRATEGY_NAMES)[number];

/** Every default of a target or a search. */
export const DEFAULTS = {
  /** The api's and nsm check's strategy: every interleaving, with reduction. */
  strategy: 'dpor' as StrategyName,
  /** nsm fuzz's strategy. */
  fuzzStrategy: 'portfolio' as FuzzStrategy,
  /** Seed of random and PCT. */
  seed: 1,
  /** PCT bug depth d. */
  depth: 3,
  /** Executions the access guard watches at the start of every run (0: off). */
  guard: 100,
  /** Step limit of one execution when the scenario sets none. */
  maxSteps: 5000,
  /** Schedule budget of a sampling strategy (random, pct) when none is given; exhaustive ones are unbounded. */
  sampledSchedules: 1000,
  /** The largest bound of ipb and idb when none is given (rounds 0..3). */
  iterativeBound: 3,
  /** Schedules per fuzz batch. */
  fuzzBatch: 200,
  /** Choice points expanded fully above the cut of a split DPOR search. */
  splitDepth: 4,
} as const;

/** Which execution: resolved once against its scenario (resolveTarget). */
export interface Target {
  scenario: string;
  /** Catalogued bug switched on (one of the scenario's `mutants`), or null. */
  mutant: string | null;
  /** Every parameter, defaults filled in, checked against its declared type. */
  params: Record<string, ParamValue>;
  /** Step limit of one execution. */
  maxSteps: number;
}

/** A target as callers give it: every field optional (a replay token names one this way too). */
export type TargetInput = Partial<Pick<Target, 'mutant' | 'params' | 'maxSteps'>>;

/** A configuration refused: one line. The cli turns it into a usage error (exit 2). */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** The step limit of `sc` when the caller sets none. */
export function defaultMaxSteps(sc: Scenario<any>): number {
  return sc.maxSteps ?? DEFAULTS.maxSteps;
}

/** The mutant check, one message for every front end. */
export function checkMutant(sc: Scenario<any>, mutant: string | null | undefined): string | null {
  const m = mutant ?? null;
  if (m !== null && !(sc.mutants ?? []).includes(m)) {
    throw new ConfigError(`scenario '${sc.name}' has no mutant '${m}' (it has: ${(sc.mutants ?? []).join(', ') || 'none'})`);
  }
  return m;
}

/** Resolve a target against its scenario: validates the mutant and params (ParamError), fills defaults. */
export function resolveTarget(sc: Scenario<any>, t: TargetInput = {}): Target {
  return { scenario: sc.name, mutant: checkMutant(sc, t.mutant), params: resolveParams(sc, t.params), maxSteps: t.maxSteps ?? defaultMaxSteps(sc) };
}

/** How to explore. Optional fields have no default: absent means "none" (no bound, learnt k, ...). */
export interface SearchConfig {
  strategy: StrategyName;
  seed: number;
  /** PCT depth (bug depth d). */
  depth: number;
  /** PCT k: the steps change points are drawn from (absent: learnt from the executions). */
  pctSteps?: number;
  /** Preemption bound of dfs and dpor; the largest bound of ipb (default DEFAULTS.iterativeBound). */
  preemptions?: number;
  /** Delay bound of plain dfs; the largest bound of idb (DPOR refuses it, so dpor and portfolio ignore it). */
  delays?: number;
  /** dfs or dpor with state caching (needs the scenario's stateHash and its threads' program points); no bounds. */
  stateCache?: boolean;
  /** With stateCache: how many hits are checked against their state's first visit (default 100, DfsOptions.checkHits; Infinity: all). */
  checkHits?: number;
  /** dpor with wakeup trees (optimal DPOR, DfsOptions.wakeup); no bounds, no split. */
  wakeup?: boolean;
  /** dpor split into shards by prefix (DfsOptions.split); no bounds, no state caching. */
  split?: { depth: number; shard: number; shards: number };
  /** Executions the access guard watches. */
  guard: number;
  /** Maximum executions (absent: unbounded for exhaustive strategies, DEFAULTS.sampledSchedules otherwise). */
  schedules?: number;
}

export type SearchInput = Partial<SearchConfig>;

/**
 * The combinations refused, each with its message in both voices: `flag`
 * for nsm (options are --flags), `field` for the api (fields of a config).
 */
const RULES: { refused: (c: SearchInput, s: StrategyName) => boolean; flag: (s: StrategyName) => string; field: (s: StrategyName) => string }[] = [
  {
    refused: (c, s) => Boolean(c.stateCache) && s !== 'dfs' && s !== 'dpor',
    flag: () => '--state-cache works with --strategy dfs and dpor only (an exhaustive search)',
    field: () => "stateCache works with strategies 'dfs' and 'dpor' only (an exhaustive search)",
  },
  {
    refused: (c) => Boolean(c.stateCache) && (c.preemptions !== undefined || c.delays !== undefined),
    flag: () => '--state-cache takes no --preemptions or --delays: a state reached with less budget left explores less',
    field: () => 'stateCache takes no preemptions or delays bound: a state reached with less budget left explores less',
  },
  {
    refused: (c) => c.checkHits !== undefined && !c.stateCache,
    flag: () => '--check-hits goes with state caching (--state-cache, or the default dpor search on a scenario that declares its state): it says how many state-cache hits are checked',
    field: () => 'checkHits goes with stateCache (it says how many state-cache hits are checked)',
  },
  {
    refused: (c, s) => c.split !== undefined && (s !== 'dpor' || c.preemptions !== undefined || Boolean(c.stateCache)),
    flag: () => '--shard, --workers and --split-depth split an unbounded --strategy dpor search (no --preemptions, no --state-cache)',
    field: () => "split works with strategy 'dpor' only, without preemptions or stateCache",
  },
  {
    refused: (c, s) => Boolean(c.wakeup) && (s !== 'dpor' || c.preemptions !== undefined || c.split !== undefined),
    flag: () => '--wakeup goes with an unbounded, unsplit --strategy dpor (no --preemptions, --shard or --workers)',
    field: () => "wakeup works with strategy 'dpor' only, without preemptions or split",
  },
  {
    refused: (c, s) => c.delays !== undefined && s !== 'dfs' && s !== 'idb',
    flag: () => '--delays bounds --strategy dfs and idb only (DPOR is complete within a preemption bound, as bounded POR, but not within a delay bound; random and pct take no bound)',
    field: (s) => `delays bound strategies 'dfs' and 'idb' only, not '${s}' (DPOR is not complete within a delay bound)`,
  },
  {
    refused: (c, s) => c.preemptions !== undefined && s === 'idb',
    flag: () => '--strategy idb bounds delays (--delays), not preemptions',
    field: () => "strategy 'idb' bounds delays, not preemptions",
  },
  {
    refused: (c, s) => c.pctSteps !== undefined && s !== 'pct',
    flag: () => '--pct-steps is the k of --strategy pct only',
    field: () => "pctSteps is the k of strategy 'pct' only",
  },
];

/** Check a search configuration; throws ConfigError (one line) in the given voice. */
export function validateSearch(c: SearchInput, voice: 'flag' | 'field' = 'field'): void {
  const s = c.strategy ?? DEFAULTS.strategy;
  if (!(STRATEGY_NAMES as readonly string[]).includes(s)) throw new ConfigError(`unknown strategy '${s}' (use one of ${STRATEGY_NAMES.join(', ')})`);
  for (const r of RULES) if (r.refused(c, s)) throw new ConfigError(r[voice](s));
}

/** Validate, then fill every default: the search a run uses. */
export function resolveSearch(c: SearchInput = {}, voice: 'flag' | 'field' = 'field'): SearchConfig {
  validateSearch(c, voice);
  const out: SearchConfig = { strategy: c.strategy ?? DEFAULTS.strategy, seed: c.seed ?? DEFAULTS.seed, depth: c.depth ?? DEFAULTS.depth, guard: c.guard ?? DEFAULTS.guard };
  for (const k of ['pctSteps', 'preemptions', 'delays', 'stateCache', 'checkHits', 'wakeup', 'split', 'schedules'] as const) if (c[k] !== undefined) (out as any)[k] = c[k];
  return out;
}

/** The fields makeStrategy reads. */
export type StrategyConfig = Pick<SearchConfig, 'seed' | 'depth'> & Partial<Pick<SearchConfig, 'pctSteps' | 'preemptions' | 'delays' | 'stateCache' | 'checkHits' | 'wakeup' | 'split'>>;

/** Build a strategy from its name. */
export function makeStrategy(name: StrategyName, c: StrategyConfig): Strategy {
  switch (name) {
    case 'random':
      return new RandomStrategy(c.seed);
    case 'pct':
      return new PctStrategy(c.seed, c.depth, c.pctSteps);
    case 'dfs':
      return new DfsStrategy({ dpor: false, preemptionBound: c.preemptions, delayBound: c.delays, stateCache: c.stateCache, checkHits: c.checkHits });
    case 'dpor':
      return new DfsStrategy({ dpor: true, preemptionBound: c.preemptions, stateCache: c.stateCache, checkHits: c.checkHits, wakeup: c.wakeup, split: c.split });
    case 'ipb':
      // Iterative preemption bounding with bounded DPOR rounds, 0..preemptions.
      return new IterativeBoundStrategy(c.preemptions ?? DEFAULTS.iterativeBound, 'preemptions');
    case 'idb':
      // Iterative delay bounding with plain DFS rounds, 0..delays.
      return new IterativeBoundStrategy(c.delays ?? DEFAULTS.iterativeBound, 'delays');
    case 'portfolio':
      return new PortfolioStrategy([
        new DfsStrategy({ dpor: true, preemptionBound: c.preemptions }),
        new RandomStrategy(c.seed),
        new PctStrategy(c.seed + 1, 1),
        new PctStrategy(c.seed + 2, 2),
        new PctStrategy(c.seed + 3, 3),
      ]);
  }
}

/** The schedule budget of a run: the given one, else unbounded (exhaustive) or DEFAULTS.sampledSchedules. */
export function scheduleLimit(schedules: number | undefined, exhaustive: boolean): number {
  return schedules ?? (exhaustive ? Infinity : DEFAULTS.sampledSchedules);
}
