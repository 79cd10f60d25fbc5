import type { FailureKind } from './errors.ts';

/** What went wrong in one execution: the verdict a strategy reports. */
export interface Failure {
  kind: FailureKind;
  /** Name of the violated spec ('kassert', 'deadlock', an invariant's name, ...). */
  spec: string;
  /** One line, C-style where it comes from an ASSERT. */
  message: string;
  /** Step index (0-based) at which it was detected. */
  step: number;
  /** Name of the thread that was running, if any. */
  thread: string | null;
  /** Extra lines: blocked threads and wait-for cycle, lock-order cycle, ... */
  details: string[];
  /**
   * A run-wide failure (a lock-order cycle) has no single schedule: these are
   * the executions that witness it, one per edge of the cycle.
   */
  witnesses?: { what: string; schedule: number[]; sigs: number[] }[];
}

export function formatFailure(f: Failure): string {
  const where = f.thread ? ` (step ${f.step}, ${f.thread})` : ` (step ${f.step})`;
  return `${f.spec}: ${f.message}${where}`;
}
