/**
 * PCT, probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi,
 * Nagarakatte, ASPLOS 2010). Each thread gets a random distinct priority
 * above d; the highest-priority enabled thread runs; at d-1 change points,
 * chosen uniformly among the first k steps (k learnt from the longest
 * execution so far), the running thread's priority drops to i (< every
 * initial priority). A bug of depth d is found with probability at least
 * 1/(n k^(d-1)) per execution, n the number of threads.
 *
 * Steps are counted as the paper counts them: one per scheduling step of
 * any thread (every step asks pickThread, even with one thread enabled), so
 * k is the execution's length in steps, and a change point at step s lowers
 * the thread about to run step s. Initial priorities are random keys with
 * distinct values, which is a uniformly random permutation of the threads,
 * as the paper's d..d+n-1 assignment is; n needs no setting.
 *
 * k is given (`steps`, to reproduce a published setting) or learnt: the
 * first execution has no change points (a plain priority run, which measures
 * the length), and every later one draws its change points below the
 * longest length seen so far.
 */
import type { Chooser, Execution } from '../execution.ts';
import { Prng } from '../prng.ts';
import type { Strategy } from '../strategy.ts';

export class PctStrategy implements Strategy {
  readonly name: string;
  readonly complete = false;
  readonly exhaustive = false;
  private readonly root: Prng;
  /** The range of change points: given, or the longest execution so far (0 before the first). */
  private k: number;
  constructor(
    seed: number,
    readonly depth: number,
    /** k, the number of steps change points are drawn from; learnt when absent. */
    readonly steps?: number,
  ) {
    if (steps !== undefined && !(Number.isSafeInteger(steps) && steps >= 1)) throw new RangeError(`pct steps (k) must be a positive integer, got ${steps}`);
    this.root = new Prng(seed);
    this.k = steps ?? 0;
    this.name = steps === undefined ? `pct(d=${depth})` : `pct(d=${depth},k=${steps})`;
  }
  next(): Chooser {
    const rng = this.root.split();
    const d = this.depth;
    const change: number[] = [];
    if (this.k > 0) for (let i = 0; i < d - 1; i++) change.push(rng.below(this.k));
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
    if (this.steps === undefined && res.steps > this.k) this.k = res.steps;
  }
}
