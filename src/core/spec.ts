import type { Execution } from './execution.ts';

/**
 * An invariant: a pure predicate over the scenario state, checked after
 * every step that touched one of the objects it watches (every step, if it
 * watches nothing) and at the end of the execution. Watch the locks that
 * protect the fields the predicate reads: a step that changes those fields
 * holds (and so touches) one of them.
 */
export interface Invariant<S> {
  name: string;
  /** One-line statement of the property, shown in reports and docs. */
  statement: string;
  watches?: (state: S, ex: Execution) => number[];
  /** null when it holds, else the violation message. */
  check(state: S, ex: Execution): string | null;
}

/** A check of the final state of an execution that ran to completion. */
export interface EndCheck<S> {
  name: string;
  statement: string;
  check(state: S, ex: Execution): string | null;
}

/**
 * One-line statements of specs that are checked inline by monitors (kfail
 * with a spec name) rather than declared as a scenario's invariants, so
 * that a failure report can say what the violated spec means. Filled once
 * at module load by each specs module; read only when a failure is reported.
 */
const specStatements = new Map<string, string>();

export function registerSpecStatements(statements: Readonly<Record<string, string>>): void {
  for (const [name, s] of Object.entries(statements)) specStatements.set(name, s);
}

export function specStatement(name: string): string | undefined {
  return specStatements.get(name);
}
