/** Build a strategy from its command-line name. */
import { DfsStrategy } from './strategies/dfs.ts';
import { IterativeBoundStrategy } from './strategies/iterative.ts';
import { PctStrategy } from './strategies/pct.ts';
import { PortfolioStrategy } from './strategies/portfolio.ts';
import { RandomStrategy } from './strategies/random.ts';
import type { Strategy } from './strategy.ts';

export const STRATEGY_NAMES = ['random', 'pct', 'dfs', 'dpor', 'ipb', 'idb', 'portfolio'] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];

export interface StrategyConfig {
  seed: number;
  /** PCT depth (bug depth d). */
  depth: number;
  /** PCT k: the steps change points are drawn from (default: learnt from the executions). */
  pctSteps?: number;
  preemptions?: number;
  /** Delay bound: plain dfs only (DPOR refuses it, so dpor and portfolio ignore it). */
  delays?: number;
  /** dfs or dpor with state caching (needs the scenario's stateHash and its threads' program points); no bounds. */
  stateCache?: boolean;
  /** dpor split into shards by prefix (DfsOptions.split). */
  split?: { depth: number; shard: number; shards: number };
}

export function makeStrategy(name: StrategyName, c: StrategyConfig): Strategy {
  switch (name) {
    case 'random':
      return new RandomStrategy(c.seed);
    case 'pct':
      return new PctStrategy(c.seed, c.depth, c.pctSteps);
    case 'dfs':
      return new DfsStrategy({ dpor: false, preemptionBound: c.preemptions, delayBound: c.delays, stateCache: c.stateCache });
    case 'dpor':
      return new DfsStrategy({ dpor: true, preemptionBound: c.preemptions, stateCache: c.stateCache, split: c.split });
    case 'ipb':
      // Iterative preemption bounding with bounded DPOR rounds, 0..preemptions (default 3).
      return new IterativeBoundStrategy(c.preemptions ?? 3, 'preemptions');
    case 'idb':
      // Iterative delay bounding with plain DFS rounds, 0..delays (default 3).
      return new IterativeBoundStrategy(c.delays ?? 3, 'delays');
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
