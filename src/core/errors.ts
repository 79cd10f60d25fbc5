/**
 * Failures raised from inside model code. They carry a kind so that the
 * runtime can turn them into a Failure with the step and thread attached.
 */
export type FailureKind =
  | 'assert'
  | 'invariant'
  | 'end-state'
  | 'deadlock'
  | 'step-limit'
  | 'use-after-free'
  | 'lock-discipline'
  | 'lock-order'
  | 'model-error'
  | 'undeclared-access'
  | 'divergence';

export class ModelFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    readonly spec: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * What an assertion says when it fails: a string, or a function building it.
 * Hot paths pass a function (`() => \`MUTEX_HELD(${m.name})\``) so that the
 * message is built only on failure, never on the passing call.
 */
export type AssertMessage = string | (() => string);

/** The text of an AssertMessage (built now: call only on failure). */
export function messageOf(what: AssertMessage): string {
  return typeof what === 'function' ? what() : what;
}

/**
 * kassert(cond, 'MUTEX_HELD(netstack_g_lock)'): the ASSERT/VERIFY of the C
 * code. A false condition fails the execution at this step and thread.
 * `what` may be a function: it is called only when the assertion fails.
 */
export function kassert(cond: unknown, what: AssertMessage, spec = 'kassert'): asserts cond {
  // The failing half lives apart, so that this one stays small enough for
  // V8 to inline at every call site (and then allocate no message closure).
  if (!cond) assertionFailed(what, spec);
}

function assertionFailed(what: AssertMessage, spec: string): never {
  throw new ModelFailure('assert', spec, `assertion failed: ${messageOf(what)}`);
}

/** Raise a failure of a given kind from model or primitive code. */
export function kfail(kind: FailureKind, spec: string, message: string): never {
  throw new ModelFailure(kind, spec, message);
}

/**
 * A model that breaks a contract the engine relies on and cannot check
 * beforehand: a scenario that does not replay the same way (nondeterminism),
 * or a state key that merges two states with different futures (state
 * caching's checked hits). Not a failure of the modelled code: the search
 * stops, and nsm prints the message (exit 2).
 */
export class ModelError extends Error {
  override name = 'ModelError';
}
