/**
 * The reference race analysis of DPOR: the whole execution analysed again
 * from its first step, with its clocks built afresh. It is what the
 * incremental analysis (dfs.ts analyseIncremental, on the flat RaceState of
 * races.ts) is checked against: DfsOptions.incremental = false runs this
 * instead, and the searches must be identical. Not on the hot path.
 */
import type { Execution } from '../execution.ts';
import { acquiredAt } from './races.ts';

/** A choice point, as the analysis sees it: it adds backtrack points where no sleeping thread covers them. */
export interface RaceNode {
  data: boolean;
  enabled: readonly number[];
  backtrack: Set<number>;
  sleep: ReadonlyMap<number, unknown>;
}

/** The execution just finished, as the search recorded it (index: step). */
export interface RaceTrace {
  /** The search stack: the choice points of this execution. */
  readonly stack: readonly RaceNode[];
  /** The stack index of the choice point each step was chosen at. */
  readonly stepNode: readonly number[];
  /** Each step's footprint (obj*2 + write), as DPOR reads it. */
  readonly stepFp: readonly (readonly number[] | undefined)[];
  /** The thread of each step. */
  readonly stepTid: readonly number[];
  /** The footprint of the step's thread's next (pending) step after it. */
  readonly stepPend: readonly (readonly number[] | undefined)[];
  /** The commuting mutexes the step's thread held when it began (empty without commuting). */
  readonly stepHeld: readonly (readonly number[] | undefined)[];
  /** The locks each step acquired and released. */
  readonly stepAcq: readonly (readonly number[])[];
  readonly stepRel: readonly (readonly number[])[];
  /** The mutex each step's effect waited to acquire, and the one its thread's next effect waits for (-1: none). */
  readonly stepWaits: readonly number[];
  readonly stepPendWaits: readonly number[];
  /** The mutex a thread's pending effect at the end waits to acquire, or -1. */
  waitsAtEnd(tid: number): number;
  /** A preemption bound is on (bounded POR adds the block-start backtrack points). */
  readonly bounded: boolean;
  /** The strict footprint of a thread's pending step at the end. */
  pendingAtEnd(tid: number): readonly number[];
}

const NONE: readonly number[] = [];

/**
 * Add backtrack points for every race of the execution just finished, the
 * source-set way (Abdulla et al., POPL 2014): for a race between step i
 * and a later step j of thread q, let v be the steps after i that do not
 * happen after i, followed by j; unless the backtrack set before i already
 * holds an initial of v (a thread whose first step in v has no
 * happens-before predecessor in v), add one (q when it is one).
 */
export function analyseRacesReference(ex: Execution, r: RaceTrace): void {
  const nthreads = ex.threads.length;
  const clocks: number[][] = [];
  for (let t = 0; t < nthreads; t++) clocks.push(new Array<number>(nthreads).fill(0));
  const local: number[] = [];
  const stepVC: number[][] = [];
  const lastW = new Map<number, number>();
  const reads = new Map<number, number[]>();
  const steps = r.stepFp.length;
  const tidOf = r.stepTid;
  const firstLocal = new Array<number>(nthreads);

  /** The last step of thread p before `before` that began without holding commuting mutex m: where p acquired it. */
  const acquireStep = (p: number, m: number, before: number) => {
    for (let k = before - 1; k >= 0; k--) if (tidOf[k] === p && !(r.stepHeld[k] ?? NONE).includes(m)) return k;
    return -1;
  };
  const usesObj = (fp: readonly number[] | undefined, o: number) => {
    if (fp) for (const e of fp) if (e >> 1 === o) return true;
    return false;
  };
  /**
   * Commuting mutexes: with their critical sections unordered by
   * happens-before, the race (i, j) can only be reversed from before the
   * acquire of every commuting mutex that i's thread holds at i and that j,
   * or a step that must run before j (one of v that happens before j), uses:
   * it would block there. Move i back to the outermost such acquire, until
   * no held mutex is needed. Only those steps count: relocating for a step
   * j does not need would leave the reversal to a node whose sleep set
   * then hands it back (the acquire sleeps, and nothing j needs wakes it).
   */
  const relocate = (i: number, j: number, jVC: readonly number[], jFp: readonly number[]) => {
    for (;;) {
      const hs = r.stepHeld[i];
      if (!hs || hs.length === 0) return i;
      const ti = tidOf[i]!;
      const li = local[i]!;
      const end = j < 0 ? steps : j;
      let target = -1;
      for (const m of hs) {
        let used = usesObj(jFp, m);
        for (let k = i + 1; !used && k < end; k++) {
          const vc = stepVC[k];
          if (vc && vc[ti]! < li && local[k]! <= jVC[tidOf[k]!]! && usesObj(r.stepFp[k], m)) used = true;
        }
        if (!used) continue;
        const a = acquireStep(ti, m, i);
        if (a >= 0 && (target < 0 || a < target)) target = a;
      }
      if (target < 0) return i;
      i = target;
    }
  };

  /**
   * With a preemption bound the reversal before i may be out of
   * bound while a switch at the start of ti's run of steps ending at i is
   * not (Coons, Musuvathi & McKinley, "Bounded partial-order reduction",
   * OOPSLA 2013): add q there too (every enabled thread if q is not), so
   * that the search stays complete within the bound.
   */
  const bounded = r.bounded;
  const fromBlockStart = (i: number, ti: number, q: number) => {
    let b = i;
    while (b > 0 && tidOf[b - 1] === ti) b--;
    if (b === i) return;
    const nb = r.stack[r.stepNode[b]!];
    if (!nb || nb.data) return;
    if (nb.enabled.includes(q)) {
      if (!nb.sleep.has(q)) nb.backtrack.add(q);
    } else for (const t of nb.enabled) if (!nb.sleep.has(t)) nb.backtrack.add(t);
  };

  /** Race (i, j): j is a step of q (jVC its clock with its dependencies, j = -1 for a pending step with footprint jFp). */
  const race = (i0: number, j: number, q: number, jVC: readonly number[], jFp: readonly number[]) => {
    const i = r.stepHeld.length > 0 ? relocate(i0, j, jVC, jFp) : i0;
    const node = r.stack[r.stepNode[i]!];
    if (!node || node.data) return;
    const ti = tidOf[i]!;
    if (bounded) fromBlockStart(i, ti, q);
    const li = local[i]!;
    firstLocal.fill(0);
    const initials: number[] = [];
    const end = j < 0 ? steps : j;
    const isInitial = (t: number, vc: readonly number[]) => {
      for (let u = 0; u < nthreads; u++) if (u !== t && firstLocal[u]! > 0 && vc[u]! >= firstLocal[u]!) return false;
      return true;
    };
    for (let k = i + 1; k < end; k++) {
      const vc = stepVC[k];
      if (!vc || vc[ti]! >= li) continue; // k happens after i: not in v
      const tk = tidOf[k]!;
      if (firstLocal[tk]! > 0) continue;
      if (isInitial(tk, vc)) initials.push(tk);
      firstLocal[tk] = local[k]!;
    }
    if (firstLocal[q]! === 0 && isInitial(q, jVC)) initials.push(q);
    for (const p of initials) if (node.backtrack.has(p)) return;
    const pick = initials.includes(q) && !node.sleep.has(q) ? q : initials.find((p) => !node.sleep.has(p));
    if (pick === undefined) return; // every initial sleeps: already covered
    if (node.enabled.includes(pick)) node.backtrack.add(pick);
    else for (const t of node.enabled) if (!node.sleep.has(t)) node.backtrack.add(t);
  };

  // Scratch: the candidates of one step, used before the next check.
  const cands: number[] = [];
  const candidatesOf = (fp: readonly number[]) => {
    cands.length = 0;
    for (const e of fp) {
      const o = e >> 1;
      const w = lastW.get(o);
      if (w !== undefined) cands.push(w);
      if (e & 1) {
        const rs = reads.get(o);
        if (rs) for (const r of rs) cands.push(r);
      }
    }
    return cands;
  };
  const joined = (p: number, cands: readonly number[]) => {
    const vc = clocks[p]!.slice();
    for (const i of cands) {
      const c = stepVC[i]!;
      for (let k = 0; k < nthreads; k++) if (c[k]! > vc[k]!) vc[k] = c[k]!;
    }
    return vc;
  };
  /**
   * Races of a step (executed: j >= 0, or pending: j = -1) of thread p,
   * whose effect waits to acquire mutex `waits` (-1: none). That acquire
   * cannot run while another thread holds the mutex: a step i run holding
   * it (up to its release) races it as the step where i's thread acquired
   * it does.
   */
  const check = (j: number, p: number, fp: readonly number[], waits: number) => {
    const cands = candidatesOf(fp);
    const cp = clocks[p]!;
    let vc: number[] | null = null;
    for (let i of cands) {
      const ti = tidOf[i]!;
      if (ti !== p && cp[ti]! < local[i]!) {
        if (waits >= 0 && !r.stepAcq[i]!.includes(waits)) {
          const a = acquiredAt(tidOf, r.stepAcq, r.stepRel, ti, waits, i);
          if (a >= 0) {
            if (cp[ti]! >= local[a]!) continue; // the acquire happens before: no race
            i = a;
          }
        }
        race(i, j, p, (vc ??= joined(p, cands)), fp);
      }
    }
    return cands;
  };

  // A parked thread's next step takes part at every state it is parked in
  // (DPOR looks at next(s, p) for every p, enabled or not): check it when
  // it parks and whenever a step touches its object.
  const pend: (readonly number[])[] = new Array<readonly number[]>(nthreads).fill(NONE);
  const pendWaits: number[] = new Array<number>(nthreads).fill(-1);
  for (let j = 0; j < steps; j++) {
    const fp = r.stepFp[j];
    if (!fp) continue;
    const p = tidOf[j]!;
    const cands = check(j, p, fp, r.stepWaits[j]!);
    const vc = joined(p, cands);
    vc[p] = vc[p]! + 1;
    clocks[p] = vc;
    local[j] = vc[p]!;
    stepVC[j] = vc;
    for (const e of fp) {
      const o = e >> 1;
      if (e & 1) {
        lastW.set(o, j);
        reads.delete(o);
      } else {
        let rs = reads.get(o);
        if (!rs) reads.set(o, (rs = []));
        rs.push(j);
      }
    }
    pend[p] = r.stepPend[j] ?? NONE;
    pendWaits[p] = r.stepPendWaits[j]!;
    if (pend[p]!.length > 0) check(-1, p, pend[p]!, pendWaits[p]!);
    for (let q = 0; q < nthreads; q++) {
      const pe = pend[q]!;
      if (q === p || pe.length === 0) continue;
      if (pe.some((e) => usesObj(fp, e >> 1))) check(-1, q, pe, pendWaits[q]!);
    }
  }
  // Threads still parked (or never run) at the end: a parked acquire of a
  // commuting mutex now counts as writing it, as without commuting.
  for (const t of ex.liveThreads) {
    if (t.id >= nthreads) continue;
    const pe = r.pendingAtEnd(t.id);
    if (pe.length > 0) check(-1, t.id, pe, r.waitsAtEnd(t.id));
  }
}
