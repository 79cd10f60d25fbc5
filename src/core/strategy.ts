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
  /**
   * Exhaustive strategies: the choice points on the current path that
   * still have unexplored alternatives, deepest first, at most `limit`.
   */
  openBranches?(limit?: number): OpenBranch[];
}

/** A choice point of a depth-first search with alternatives left to explore. */
export interface OpenBranch {
  /** Index of the choice point on the current path (0 = the first choice). */
  depth: number;
  /** Step of the execution at which the choice is made. */
  step: number;
  /** Alternatives not yet explored there. */
  open: number;
}

/** Where a depth-first search is. */
export interface SearchProgress {
  /** Choice points on the current path. */
  depth: number;
  /** Branches known but not yet explored, over the whole path. */
  open: number;
}
