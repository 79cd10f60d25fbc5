import type { Execution } from './execution.ts';
import type { ParamType } from './params.ts';
import type { EndCheck, Invariant } from './spec.ts';

export type ParamValue = number | boolean | string;

/**
 * A named workload: which objects exist, which threads run, which specs are
 * checked. `setup` runs at the start of every execution and must be
 * deterministic: it builds fresh state and spawns the threads.
 */
export interface Scenario<S = unknown> {
  name: string;
  description: string;
  /** System modelled: 'textbook', 'netstack', 'ipmp', ... */
  system: string;
  /** Number of threads it spawns at start (for the 'small scenario' rule). */
  threads: number;
  /** Tunable parameters and their defaults (part of the replay options hash). */
  params?: Record<string, ParamValue>;
  /**
   * Optional: what each parameter accepts beyond the type of its default
   * (an integer's range, a string's values, a description). See params.ts.
   */
  paramTypes?: Record<string, ParamType>;
  /** Mutants (catalogued bugs) this scenario can be run with. */
  mutants?: readonly string[];
  /** Step limit per execution (livelock suspicion beyond). Default 5,000. */
  maxSteps?: number;
  /**
   * Allow spurious cv wake-ups (each a recorded choice): true allows one per
   * thread per execution, enough to expose an `if` around cv_wait; a number
   * allows that many per thread. Default false (none).
   */
  spurious?: boolean | number;
  /** Allow KM_NOSLEEP / TQ_NOSLEEP failures (a recorded choice). Default false. */
  allocFail?: boolean;
  /**
   * A thread that returns while holding a lock: 'fail' (default) reports a
   * lock-discipline failure at once; 'keep' does what the C code does, the
   * lock stays held (a later mutex_enter of it blocks forever: deadlock).
   */
  returnHoldingLocks?: 'fail' | 'keep';
  /**
   * The name of a thread spawned by setup whose return ends the execution,
   * as a C program ends when main returns: the threads still running are
   * abandoned (no deadlock is reported for them) and the end checks run.
   * For DPOR every step reads a "process exit" object that the returning
   * step writes, so every step that could run before the exit is explored
   * there (properties/dpor-soundness.test.ts). Mutexes and rwlocks made
   * with `commutes` do not commute in such a scenario (the two are not shown
   * sound together). Default: the execution ends when every non-daemon
   * thread has returned.
   */
  exitWith?: string;
  /** Where its scheduling points are, in one or two sentences. */
  granularity?: string;
  setup(ex: Execution): S;
  /**
   * Optional: the states of the scenario's objects, for reports (recorded
   * after every step of a recorded execution only), e.g.
   * { 'netstack 1': 'NSF_CLOSING', 'nm_state(1, ip)': 'NSS_CREATE_COMPLETED' }.
   */
  snapshot?(state: S, ex: Execution): Record<string, string>;
  /**
   * Optional: a string that determines the scenario's own state, for state
   * caching (`dfs` with `stateCache`). Sound only when this string, the
   * primitives' states and each thread's pending effect determine every
   * thread's future: a thread must not keep, in generator locals, anything
   * that this string does not reflect.
   */
  stateHash?(state: S, ex: Execution): string;
  /**
   * Optional: take the scenario's state for state caching by walking what
   * setup() returned (core/state-walk.ts), together with the frames its
   * threads declare (Execution.frame), instead of (or besides) a
   * stateHash. Sound only when every model function that keeps a local
   * across a scheduling point declares it in its frame.
   */
  stateWalk?: boolean;
  invariants?: Invariant<S>[];
  endChecks?: EndCheck<S>[];
}

/** Whether sc declares its state (a stateHash or the state walk), which state caching needs. */
export function declaresState(sc: Scenario<any>): boolean {
  return sc.stateHash !== undefined || sc.stateWalk === true;
}

/** Identity helper that keeps S inferred. */
export function defineScenario<S>(s: Scenario<S>): Scenario<S> {
  return s;
}
