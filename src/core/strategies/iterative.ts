/**
 * Iterative preemption bounding (Musuvathi and Qadeer 2007, as CHESS does):
 * exhaustive search within preemption bound 0, then 1, 2, ... up to a
 * maximum, stopping at the first failure. A failure is found with the
 * fewest preemptions it needs, and the report says which bound that was and
 * what each smaller bound explored. Each round is bounded DPOR (bounded POR:
 * complete within its bound, docs/engine.md) or bounded plain DFS; a round
 * re-explores the schedules of the rounds before it, as the technique does.
 *
 * Iterative delay bounding (Emmi, Qadeer and Rakamaric, POPL 2011) is the
 * same loop over delay bounds: a delay is a step given to another thread
 * than the round-robin scheduler's choice. Its rounds are plain DFS, since
 * DPOR is not complete within a delay bound.
 */
import type { Chooser, Execution, ExecResult } from '../execution.ts';
import type { OpenBranch, Strategy } from '../strategy.ts';
import { DfsStrategy } from './dfs.ts';

export interface BoundRound {
  bound: number;
  schedules: number;
  /** The round explored everything within its bound. */
  complete: boolean;
}

/** What the rounds bound: preemptions (ipb, DPOR or DFS rounds) or delays (idb, DFS rounds). */
export type BoundKind = 'preemptions' | 'delays';

export class IterativeBoundStrategy implements Strategy {
  readonly exhaustive = true;
  readonly name: string;
  private round: DfsStrategy;
  /** Rounds so far, the current one last. */
  readonly rounds: BoundRound[] = [];
  readonly dpor: boolean;
  constructor(
    /** Largest bound tried. */
    readonly maxBound: number,
    readonly kind: BoundKind = 'preemptions',
  ) {
    this.dpor = kind === 'preemptions';
    this.name = `${kind === 'preemptions' ? 'ipb' : 'idb'}(${this.dpor ? 'dpor' : 'dfs'}, ${kind} 0..${maxBound})`;
    this.round = this.start(0);
  }
  private start(bound: number): DfsStrategy {
    this.rounds.push({ bound, schedules: 0, complete: false });
    return this.kind === 'preemptions' ? new DfsStrategy({ dpor: true, preemptionBound: bound }) : new DfsStrategy({ dpor: false, delayBound: bound });
  }
  /** Complete within the largest bound. */
  get complete(): boolean {
    const last = this.rounds[this.rounds.length - 1]!;
    return last.bound === this.maxBound && last.complete;
  }
  /** The bound of the round running now (of the failure, when one stopped the search). */
  get bound(): number {
    return this.rounds[this.rounds.length - 1]!.bound;
  }
  next(): Chooser | null {
    for (;;) {
      const c = this.round.next();
      if (c) return c;
      const cur = this.rounds[this.rounds.length - 1]!;
      cur.complete = this.round.complete;
      if (cur.bound >= this.maxBound) return null;
      this.round = this.start(cur.bound + 1);
    }
  }
  finished(ex: Execution, res: ExecResult): void {
    this.round.finished(ex, res);
    this.rounds[this.rounds.length - 1]!.schedules++;
  }
  openBranches(limit?: number): OpenBranch[] {
    return this.round.openBranches(limit);
  }
  progress() {
    return this.round.progress();
  }
  /** One line: the bound reached and what each round explored (the CLI prefixes "preemption bounds:" or "delay bounds:"). */
  summary(): string {
    return this.rounds.map((r) => `bound ${r.bound}: ${r.schedules.toLocaleString('en-US')} schedule${r.schedules === 1 ? '' : 's'}${r.complete ? ' (complete)' : ''}`).join('; ');
  }
}
