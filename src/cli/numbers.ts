import { UsageError } from './errors.ts';

/** Parse a non-negative integer flag value or fail with a one-line message. */
export function intFlag(name: string, v: string | undefined, dflt: number, min = 0): number {
  if (v === undefined) return dflt;
  if (!/^\d+$/.test(v.trim())) throw new UsageError(`--${name} expects a whole number, got '${v}'`);
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`--${name} must be at least ${min}, got '${v}'`);
  return n;
}

/** Parse a duration in seconds (decimals allowed). */
export function secondsFlag(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (!/^\d+(\.\d+)?$/.test(v.trim())) throw new UsageError(`--${name} expects seconds, got '${v}'`);
  const n = Number(v);
  if (n <= 0) throw new UsageError(`--${name} must be positive, got '${v}'`);
  return n;
}
