/**
 * The incremental race analysis' state (DfsStrategy.analyseIncremental):
 * vector clocks and the access history over the steps of the last execution
 * analysed, kept as a stack so that an execution sharing a prefix with the
 * previous one analyses only its new steps.
 */
import { INV_BASE } from '../footprint.ts';

/**
 * The incremental race analysis' state: a stack over the steps of the last
 * execution analysed, steps [0, analysed). Vector clocks are rows of a flat
 * Int32Array (step j's clock at vcs[j*width ..]); the access history per
 * object (last write, reads since) changes only through record(), which
 * logs what it overwrites so that rollback() can pop steps off the top.
 */
export class RaceState {
  /** Clock width: at least the thread count of every execution analysed since the last reset. */
  width = 0;
  nthreads = 0;
  /** Steps whose analysis the state holds. */
  analysed = 0;
  /** The analysed steps ran with commuting mutexes (relocation on). */
  anyCommute = false;
  private cap = 0;
  vcs = new Int32Array(0);
  /** local[j]: step j's own component of its clock. */
  local = new Int32Array(0);
  /** Thread of each analysed step (the strategy's stepTid is overwritten by the next execution). */
  tidOf = new Int32Array(0);
  /** Previous analysed step of the same thread, or -1. */
  prevOf = new Int32Array(0);
  /** Per thread: its last analysed step, or -1 (its clock is that step's row). */
  lastOf = new Int32Array(0);
  /** Scratch: the clock of a step being checked (joined with its dependencies, not incremented). */
  jvc = new Int32Array(0);
  firstLocal = new Int32Array(0);
  initials = new Int32Array(0);
  /** Scratch: candidates of one step, cands[0..n) after candidatesOf. */
  cands = new Int32Array(64);
  // Access history by object slot (objects and invariant pseudo-objects interleaved).
  private lastW: number[] = [];
  private readBase: number[] = [];
  private reads: number[][] = [];
  /** Undo log: triples (slot, previous lastW, previous readBase) for a write, (slot, -2, 0) for a read. */
  private undo: number[] = [];
  private undoLen = 0;
  private undoStart = new Int32Array(0);

  reset(width: number): void {
    this.width = width;
    this.analysed = 0;
    this.cap = 0;
    this.vcs = new Int32Array(0);
    this.lastOf = new Int32Array(width).fill(-1);
    this.jvc = new Int32Array(width);
    this.firstLocal = new Int32Array(width);
    this.initials = new Int32Array(width + 1);
    this.lastW = [];
    this.readBase = [];
    this.reads = [];
    this.undoLen = 0;
  }

  /** Room for n steps. */
  ensure(n: number): void {
    if (n <= this.cap) return;
    let c = Math.max(64, this.cap);
    while (c < n) c *= 2;
    const grow = (a: Int32Array, size: number) => {
      const b = new Int32Array(size);
      b.set(a);
      return b;
    };
    this.vcs = grow(this.vcs, c * this.width);
    this.local = grow(this.local, c);
    this.tidOf = grow(this.tidOf, c);
    this.prevOf = grow(this.prevOf, c);
    this.undoStart = grow(this.undoStart, c);
    this.cap = c;
  }

  /** Pop analysed steps down to `to` (keep steps [0, to)). */
  rollback(to: number): void {
    for (let j = this.analysed - 1; j >= to; j--) {
      const start = this.undoStart[j]!;
      for (let u = this.undoLen - 3; u >= start; u -= 3) {
        const sl = this.undo[u]!;
        const prev = this.undo[u + 1]!;
        if (prev === -2) this.reads[sl]!.pop();
        else {
          this.lastW[sl] = prev;
          this.readBase[sl] = this.undo[u + 2]!;
        }
      }
      this.undoLen = start;
      this.lastOf[this.tidOf[j]!] = this.prevOf[j]!;
    }
    if (to < this.analysed) this.analysed = to;
  }

  private slot(o: number): number {
    const sl = o < INV_BASE ? o * 2 : (o - INV_BASE) * 2 + 1;
    while (this.lastW.length <= sl) {
      this.lastW.push(-1);
      this.readBase.push(0);
      this.reads.push([]);
    }
    return sl;
  }

  private pushUndo(a: number, b: number, c: number): void {
    const u = this.undo;
    u[this.undoLen] = a;
    u[this.undoLen + 1] = b;
    u[this.undoLen + 2] = c;
    this.undoLen += 3;
  }

  /** Step j's accesses: a write becomes the last write (reads since start afresh), a read joins the reads. */
  record(j: number, fp: readonly number[]): void {
    this.undoStart[j] = this.undoLen;
    for (let a = 0; a < fp.length; a++) {
      const e = fp[a]!;
      const sl = this.slot(e >> 1);
      if (e & 1) {
        this.pushUndo(sl, this.lastW[sl]!, this.readBase[sl]!);
        this.lastW[sl] = j;
        this.readBase[sl] = this.reads[sl]!.length;
      } else {
        this.pushUndo(sl, -2, 0);
        this.reads[sl]!.push(j);
      }
    }
  }

  /** Steps a step with footprint fp depends on: each object's last write, and for a write the reads since. Returns their count in cands. */
  candidatesOf(fp: readonly number[]): number {
    let n = 0;
    for (let a = 0; a < fp.length; a++) {
      const e = fp[a]!;
      const sl = this.slot(e >> 1);
      const w = this.lastW[sl]!;
      if (w >= 0) n = this.pushCand(n, w);
      if (e & 1) {
        const rs = this.reads[sl]!;
        for (let k = this.readBase[sl]!; k < rs.length; k++) n = this.pushCand(n, rs[k]!);
      }
    }
    this.ncands = n;
    return n;
  }
  private ncands = 0;
  private pushCand(n: number, v: number): number {
    if (n === this.cands.length) {
      const b = new Int32Array(n * 2);
      b.set(this.cands);
      this.cands = b;
    }
    this.cands[n] = v;
    return n + 1;
  }

  /** out[off..off+width) = thread p's clock joined with the clocks of the current candidates. */
  joinInto(p: number, out: Int32Array, off: number): void {
    const W = this.width;
    const vcs = this.vcs;
    const lp = this.lastOf[p]!;
    if (lp < 0) for (let k = 0; k < W; k++) out[off + k] = 0;
    else for (let k = 0, src = lp * W; k < W; k++) out[off + k] = vcs[src + k]!;
    for (let c = 0; c < this.ncands; c++) {
      const base = this.cands[c]! * W;
      for (let k = 0; k < W; k++) {
        const x = vcs[base + k]!;
        if (x > out[off + k]!) out[off + k] = x;
      }
    }
  }
}

/** No thread other than t has its first step of v (firstLocal) happening before the step whose clock is vc[off..]. */
export function isInitial(t: number, vc: Int32Array, off: number, firstLocal: Int32Array, nthreads: number): boolean {
  for (let u = 0; u < nthreads; u++) if (u !== t && firstLocal[u]! > 0 && vc[off + u]! >= firstLocal[u]!) return false;
  return true;
}

/**
 * Thread p holds lock m when its step `before` begins: the step where it
 * acquired m (stepAcq), scanning back past no release of it (stepRel); else -1.
 */
export function acquiredAt(stepTid: ArrayLike<number>, stepAcq: readonly (readonly number[])[], stepRel: readonly (readonly number[])[], p: number, m: number, before: number): number {
  for (let k = before - 1; k >= 0; k--) {
    if (stepTid[k] !== p) continue;
    if (stepRel[k]!.includes(m)) return -1;
    if (stepAcq[k]!.includes(m)) return k;
  }
  return -1;
}

export function usesObj(fp: readonly number[] | undefined, o: number): boolean {
  if (fp) for (let a = 0; a < fp.length; a++) if (fp[a]! >> 1 === o) return true;
  return false;
}
