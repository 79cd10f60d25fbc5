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
 * kassert(cond, 'MUTEX_HELD(netstack_g_lock)'): the ASSERT/VERIFY of the C
 * code. A false condition fails the execution at this step and thread.
 */
export function kassert(cond: unknown, what: string, spec = 'kassert'): asserts cond {
  if (!cond) throw new ModelFailure('assert', spec, `assertion failed: ${what}`);
}

/** Raise a failure of a given kind from model or primitive code. */
export function kfail(kind: FailureKind, spec: string, message: string): never {
  throw new ModelFailure(kind, spec, message);
}
