/**
 * Wakeup trees (Abdulla, Aronis, Jonsson, Sagonas: "Optimal dynamic partial
 * order reduction", POPL 2014): what a choice point of DPOR is still to
 * explore, as sequences of steps rather than single threads. A race found
 * after the point gives the sequence that reverses it (the steps that do not
 * happen after the earlier step, then the later step); the sequence is
 * inserted unless a branch already covers it, and exploring a branch
 * schedules its steps in order, so the reversal is reached without first
 * running into a sleep set (a sleep-set-blocked execution).
 *
 * Steps are named by thread, with the footprint they had in the execution
 * the sequence came from: the model is deterministic, so a thread's next
 * step from a given prefix is the same step. A step whose footprint is not
 * known exactly (a pending step that has not run, a step that made a data
 * choice) is never taken as independent of anything: it covers a sequence
 * only where the sequence holds the same thread's step. Sequences end at
 * their first step that made a data choice (what follows depends on the
 * value), so data choices stay explored exhaustively below a leaf.
 */
import { independent } from '../footprint.ts';

/** A branch of a wakeup tree: thread `tid`'s next step, then the branches below it, in order. */
export interface WakeupBranch {
  readonly tid: number;
  /** The step's footprint (obj*2 + write) where it came from. */
  readonly fp: readonly number[];
  /** The footprint is the step's in every execution through here (false: pending or made a data choice). */
  readonly exact: boolean;
  readonly kids: WakeupBranch[];
}

/**
 * A sequence to insert: steps 0..n-1 with their threads, footprints and
 * happens-before among them (hb(a, b): step a happens before step b, a < b).
 */
export interface WakeupSeq {
  readonly n: number;
  readonly tid: ArrayLike<number>;
  readonly fp: readonly (readonly number[])[];
  readonly exact: ArrayLike<boolean>;
  hb(a: number, b: number): boolean;
}

/**
 * Is thread t a weak initial of the steps of seq still in `rest` (indices,
 * ascending)? Yes if t's first step in rest has no happens-before
 * predecessor in rest (then its index), or if t has no step in rest and
 * its next step (fp, exact) is independent of every step in rest, all of
 * whose footprints are exact (then -1).
 * Otherwise undefined.
 */
export function weakInitial(seq: WakeupSeq, rest: readonly number[], t: number, fp: readonly number[] | null, exact: boolean): number | undefined {
  for (let x = 0; x < rest.length; x++) {
    const a = rest[x]!;
    if (seq.tid[a] !== t) continue;
    for (let y = 0; y < x; y++) if (seq.hb(rest[y]!, a)) return undefined;
    return a;
  }
  // Independence needs both footprints whole: a pending step's is only its effect's object.
  if (!exact || fp === null) return undefined;
  for (const a of rest) if (!seq.exact[a] || !independent(fp, seq.fp[a]!)) return undefined;
  return -1;
}

/**
 * insert[E](w, wut): walk down the leftmost branches whose step is a weak
 * initial of what is left of w, taking that step out of w; a leaf reached
 * (or nothing left of w) covers w. Where no branch matches, what is left of
 * w becomes the last branch there. Returns the thread of the root branch
 * that covers or now holds w.
 */
export function insertWakeup(roots: WakeupBranch[], seq: WakeupSeq): number {
  let rest: number[] = [];
  for (let a = 0; a < seq.n; a++) rest.push(a);
  let level = roots;
  let root = -1;
  for (;;) {
    let next: WakeupBranch | null = null;
    for (const b of level) {
      const at = weakInitial(seq, rest, b.tid, b.fp, b.exact);
      if (at === undefined) continue;
      if (at >= 0) rest = rest.filter((x) => x !== at);
      next = b;
      break;
    }
    if (next === null) {
      // No branch covers w here: the rest of w becomes the last branch.
      let kids = level;
      for (const a of rest) {
        const b: WakeupBranch = { tid: seq.tid[a]!, fp: seq.fp[a]!, exact: seq.exact[a]!, kids: [] };
        kids.push(b);
        if (root < 0) root = b.tid;
        kids = b.kids;
      }
      return root;
    }
    if (root < 0) root = next.tid;
    if (next.kids.length === 0 || rest.length === 0) return root; // covered
    level = next.kids;
  }
}
