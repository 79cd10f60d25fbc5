/**
 * A strategy drives a run: it hands out one Chooser per execution and learns
 * from each finished execution. Strategies choose; they never touch model
 * state.
 */
import type { Chooser, Execution, ExecResult } from './execution.ts';

export interface Strategy {
  readonly name: string;
  /** Chooser for the next execution, or null when the search is exhausted. */
  next(): Chooser | null;
  /** Called with each finished execution. */
  finished(ex: Execution, res: ExecResult): void;
  /** True when every schedule (within the bounds) has been explored. */
  readonly complete: boolean;
  /** Exhaustive strategies explore everything or report incomplete. */
  readonly exhaustive: boolean;
  /** Exhaustive strategies: how far the search is, for progress lines. */
  progress?(): SearchProgress;
}

/** Where a depth-first search is. */
export interface SearchProgress {
  /** Choice points on the current path. */
  depth: number;
  /** Branches known but not yet explored, over the whole path. */
  open: number;
}
