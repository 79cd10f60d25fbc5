/**
 * PCT, probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi,
 * Nagarakatte, ASPLOS 2010). Each thread gets a random distinct priority
 * above d; the highest-priority enabled thread runs; at d-1 change points,
 * chosen uniformly among the first k steps (k learnt from the longest
 * execution so far), the running thread's priority drops to i (< every
 * initial priority). A bug of depth d is found with probability at least
 * 1/(n k^(d-1)) per execution.
 */
import type { Chooser, Execution } from '../execution.ts';
import { Prng } from '../prng.ts';
import type { Strategy } from '../strategy.ts';

export class PctStrategy implements Strategy {
  readonly name: string;
  readonly complete = false;
  readonly exhaustive = false;
  private readonly root: Prng;
  private k = 64;
  constructor(
    seed: number,
    readonly depth: number,
  ) {
    this.root = new Prng(seed);
    this.name = `pct(d=${depth})`;
  }
  next(): Chooser {
    const rng = this.root.split();
    const d = this.depth;
    const change: number[] = [];
    for (let i = 0; i < d - 1; i++) change.push(rng.below(this.k));
    const prio: number[] = [];
    const assign = (tid: number) => {
      // Distinct random priorities above d: random key, thread id breaks ties.
      while (prio.length <= tid) prio.push(d + 1 + rng.below(1 << 20) + prio.length / 1024);
    };
    let step = 0;
    return {
      pickThread: (_ex: Execution, enabled: readonly number[]) => {
        let best = 0;
        let bp = -Infinity;
        for (let i = 0; i < enabled.length; i++) {
          const t = enabled[i]!;
          assign(t);
          if (prio[t]! > bp) {
            bp = prio[t]!;
            best = i;
          }
        }
        for (let j = 0; j < change.length; j++) {
          if (change[j] === step) {
            prio[enabled[best]!] = j + 1;
            // Re-pick after the priority change.
            bp = -Infinity;
            for (let i = 0; i < enabled.length; i++) {
              const t = enabled[i]!;
              if (prio[t]! > bp) {
                bp = prio[t]!;
                best = i;
              }
            }
          }
        }
        step++;
        return best;
      },
      pickValue: (_ex: Execution, n: number) => rng.below(n),
    };
  }
  finished(_ex: Execution, res: { steps: number }): void {
    if (res.steps > this.k) this.k = res.steps;
  }
}
