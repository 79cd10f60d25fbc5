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
}
