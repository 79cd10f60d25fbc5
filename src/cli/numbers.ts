import { UsageError } from './errors.ts';

/** Parse a non-negative integer flag value or fail with a one-line message. */
export function intFlag(name: string, v: string | undefined, dflt: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (v === undefined) return dflt;
  if (!/^\d+$/.test(v.trim())) throw new UsageError(`--${name} expects a whole number${min > 0 ? ` of at least ${min}` : ' (0 or more)'}, got '${v}'`);
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n > max) throw new UsageError(`--${name} must be at most ${max.toLocaleString('en-US')}, got '${v}'`);
  if (n < min) throw new UsageError(`--${name} must be at least ${min}, got '${v}'`);
  return n;
}

/** Parse a duration in seconds (decimals allowed). */
export function secondsFlag(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (!/^\d+(\.\d+)?$/.test(v.trim())) throw new UsageError(`--${name} expects seconds, got '${v}'`);
  const n = Number(v);
  if (n <= 0) throw new UsageError(`--${name} must be positive, got '${v}'`);
  if (n > 31_536_000) throw new UsageError(`--${name} must be at most a year (31536000 s), got '${v}'`);
  return n;
}
