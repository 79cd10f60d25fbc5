/**
 * Footprints as DPOR sees them. A step's footprint (Execution.touch) is a
 * list of codes obj*2 + (write ? 1 : 0). DPOR adds pseudo-objects for the
 * invariants: a step that writes an object an invariant watches, or that
 * runs inside a critical section of a lock an invariant watches, writes the
 * invariant's pseudo-object (INV_BASE + its index), so that the states an
 * invariant can see between steps are all explored. Two steps are dependent
 * when they touch one object (or pseudo-object) and one of them writes it.
 */
import type { Execution } from './execution.ts';

/** Object ids at or above INV_BASE name invariants' pseudo-objects. */
export const INV_BASE = 1 << 24;

/** fp[0..n) plus the pseudo-objects of the invariants the step can change. */
export function dporFootprint(ex: Execution, fp: Int32Array, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(fp[i]!);
  const wb = ex.invariantWatchMap();
  if (wb.length === 0) return out;
  // Only writes change what an invariant sees: a step writing a watched
  // object writes the invariant's pseudo-object; a read leaves it alone.
  for (let i = 0; i < n; i++) {
    const e = fp[i]!;
    if ((e & 1) === 0) continue;
    const w = wb[e >> 1];
    if (w) for (const k of w) pushOnce(out, n, (INV_BASE + k) * 2 + 1);
  }
  // A step inside a critical section writes what the lock protects.
  const hs = ex.heldAtStartBuf;
  for (let i = 0; i < ex.heldAtStartLen; i++) {
    const w = wb[hs[i]!];
    if (w) for (const k of w) pushOnce(out, n, (INV_BASE + k) * 2 + 1);
  }
  return out;
}

/** Append a pseudo-object's code unless out[from..] has it (each invariant once per step). */
function pushOnce(out: number[], from: number, code: number): void {
  for (let i = from; i < out.length; i++) if (out[i] === code) return;
  out.push(code);
}

/** Footprints commute: no object shared with a write on either side. */
export function independent(a: readonly number[], b: readonly number[]): boolean {
  for (const x of a) {
    const ox = x >> 1;
    for (const y of b) {
      if (ox === y >> 1 && ((x | y) & 1) === 1) return false;
    }
  }
  return true;
}
