/**
 * Random walk: at every scheduling point pick an enabled thread uniformly;
 * data choices uniformly too. Execution i uses a PRNG split from the seed,
 * so a run is reproducible from (seed, options).
 */
import type { Chooser, Execution } from '../execution.ts';
import { Prng } from '../prng.ts';
import type { Strategy } from '../strategy.ts';

export class RandomStrategy implements Strategy {
  readonly name = 'random';
  readonly complete = false;
  readonly exhaustive = false;
  private readonly root: Prng;
  constructor(seed: number) {
    this.root = new Prng(seed);
  }
  next(): Chooser {
    const rng = this.root.split();
    return {
      pickThread: (_ex: Execution, enabled: readonly number[]) => rng.below(enabled.length),
      pickValue: (_ex: Execution, n: number) => rng.below(n),
    };
  }
  finished(): void {}
}
