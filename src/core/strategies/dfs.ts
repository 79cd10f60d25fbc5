/**
 * Exhaustive depth-first search, stateless: every execution re-runs the
 * scenario from the start along the stack of choices, then extends it.
 *
 * With `dpor` it is dynamic partial-order reduction (Flanagan & Godefroid,
 * POPL 2005) with sleep sets (Godefroid 1996). Two steps are dependent when
 * their footprints share an object and one of them writes it; a step that
 * touches an object watched by an invariant also writes that invariant's
 * pseudo-object, so the states between steps that the invariant can see are
 * not reduced away. After each execution, every race (two dependent steps of
 * different threads not ordered by happens-before) adds a backtrack point
 * before the earlier step: the later step's thread if it was enabled there,
 * else every enabled thread. The pending effects of threads still blocked at
 * the end take part as one-object steps, so blocked acquires are reordered
 * too (that is how ABBA deadlocks are reached).
 *
 * Data choices (cv_signal's wakee, KM_NOSLEEP failure) are explored
 * exhaustively, never reduced. A step that made one goes to sleep, once
 * all its alternatives are explored, with the union of their footprints:
 * it stays asleep only past steps independent of every alternative.
 *
 * Bounds: `preemptions` (switching away from a thread that could go on) and
 * `delays` (skipping threads in round-robin order, Emmi et al. 2011) prune
 * the tree; with a bound "complete" means complete within the bound. DPOR
 * takes preemption bounds only, as bounded POR (Coons et al. 2013): see
 * `bounded` and fromBlockStart.
 */
import type { Chooser, Execution, ExecResult } from '../execution.ts';
import type { OpenBranch, SearchProgress, Strategy } from '../strategy.ts';

interface Node {
  data: boolean;
  /** Thread nodes: enabled thread ids. Data nodes: unused. */
  enabled: readonly number[];
  /** Data nodes: number of values. */
  n: number;
  chosen: number;
  backtrack: Set<number>;
  done: Set<number>;
  /** Sleep set: thread -> footprint of its (explored) next step (the union over its data alternatives). */
  sleep: Map<number, number[] | null>;
  /** Footprints of the steps explored from here: thread -> fp (the union over its data alternatives). */
  doneFp: Map<number, number[] | null>;
  /** Footprint of the chosen step in the current execution. */
  fp: number[] | null;
  /**
   * Union of the chosen step's footprints over its data alternatives
   * explored so far (the step's footprint when it made no data choice).
   */
  fpAll: number[] | null;
  prevTid: number;
  preemptions: number;
  delays: number;
  /** Step index of the execution at which this choice is made. */
  step: number;
}

export interface DfsOptions {
  dpor: boolean;
  /**
   * Plain DFS only: prune a thread-choice point whose whole state
   * (Execution.stateKey) was seen before in this run. Sound for safety when
   * the scenario's stateHash is complete (see Scenario.stateHash); not
   * combined with DPOR (sleep sets and backtrack sets assume a tree).
   */
  stateCache?: boolean;
  preemptionBound?: number;
  delayBound?: number;
  /**
   * DPOR: commute critical sections of commuting mutexes (KMutex
   * `commutes`) whose contents do not conflict (default true). False orders
   * every critical section, as for any other mutex (for comparisons).
   */
  commute?: boolean;
}

const INV_BASE = 1 << 24;

export class DfsStrategy implements Strategy {
  readonly name: string;
  readonly exhaustive = true;
  complete = false;
  private stack: Node[] = [];
  private started = false;
  /** Executions that reached a verdict (not pruned). */
  terminal = 0;
  pruned = 0;
  /** Step index -> stack index of its thread node, for the current execution. */
  private stepNode: number[] = [];
  private stepFp: number[][] = [];
  private stepTid: number[] = [];
  /** Footprint of the pending effect of the stepping thread after each step (empty if none). */
  private stepPend: number[][] = [];
  /** Commuting mutexes the stepping thread held when each step began. */
  private stepHeld: number[][] = [];
  /** States seen, with stateCache. */
  private readonly visited = new Set<string>();
  /** Thread-choice points pruned because their state was seen before. */
  cacheHits = 0;
  /**
   * A preemption or delay bound is set. Sleep sets are then off: a thread
   * asleep after its step was explored first may have been explored only
   * within a budget that the reordered schedule does not need (A then B may
   * cost a preemption more than B then A), so sleeping would lose schedules
   * that are within the bound.
   */
  private readonly bounded: boolean;
  constructor(readonly opts: DfsOptions) {
    this.bounded = opts.preemptionBound !== undefined || opts.delayBound !== undefined;
    if (opts.dpor && opts.delayBound !== undefined) {
      // Bounded POR's argument covers preemption bounds; with a delay bound
      // generated programs show DPOR missing schedules within the bound.
      throw new Error('DPOR is not complete within a delay bound: use plain dfs with a delay bound');
    }
    if (opts.stateCache && opts.dpor) throw new Error('state caching is not sound with DPOR: use it with plain dfs');
    const b: string[] = [];
    if (opts.stateCache) b.push('state-cache');
    if (opts.preemptionBound !== undefined) b.push(`preemptions<=${opts.preemptionBound}`);
    if (opts.delayBound !== undefined) b.push(`delays<=${opts.delayBound}`);
    if (opts.dpor && opts.commute === false) b.push('no-commute');
    this.name = (opts.dpor ? 'dpor' : 'dfs') + (b.length ? `(${b.join(',')})` : '');
  }

  next(): Chooser | null {
    if (this.started && this.stack.length === 0) {
      this.complete = true;
      return null;
    }
    this.started = true;
    let depth = 0;
    this.stepNode = [];
    this.stepFp = [];
    this.stepTid = [];
    this.stepPend = [];
    this.stepHeld = [];
    let lastThreadNode = -1;
    /** The running step made a data choice. */
    let dataInStep = false;
    const stack = this.stack;
    const dpor = this.opts.dpor;
    return {
      pickThread: (ex: Execution, enabled: readonly number[]) => {
        let node: Node;
        if (depth < stack.length) {
          node = stack[depth]!;
        } else {
          if (this.opts.stateCache) {
            const key = ex.stateKey();
            if (key === null) throw new Error(`scenario ${ex.scenario.name} has no stateHash: state caching needs one`);
            if (this.visited.has(key)) {
              this.cacheHits++;
              return -1;
            }
            this.visited.add(key);
          }
          const parent = lastThreadNode >= 0 ? stack[lastThreadNode]! : null;
          const prevTid = parent ? parent.chosen : -1;
          const prevCost = parent ? this.cost(parent, parent.chosen) : [0, 0];
          node = {
            data: false,
            enabled: enabled.slice(),
            n: 0,
            chosen: -1,
            backtrack: new Set(),
            done: new Set(),
            sleep: parent && dpor && !this.bounded ? this.childSleep(parent) : new Map(),
            doneFp: new Map(),
            fp: null,
            fpAll: null,
            prevTid,
            preemptions: parent ? parent.preemptions + prevCost[0]! : 0,
            delays: parent ? parent.delays + prevCost[1]! : 0,
            step: ex.stepIndex,
          };
          // First choice: stay on the previous thread if possible, else the lowest id.
          const order = this.order(node);
          const first = order.find((t) => !node.sleep.has(t) && this.withinBounds(node, t));
          if (first === undefined) {
            return -1; // sleep-set blocked (or out of bounds): prune
          }
          node.chosen = first;
          if (dpor) node.backtrack.add(first);
          else for (const t of order) if (!node.sleep.has(t) && this.withinBounds(node, t)) node.backtrack.add(t);
          stack.push(node);
        }
        lastThreadNode = depth;
        this.stepNode[ex.stepIndex] = depth;
        this.stepTid[ex.stepIndex] = node.chosen;
        depth++;
        const i = enabled.indexOf(node.chosen);
        if (i < 0) throw new Error(`dfs: nondeterministic scenario: thread ${node.chosen} not enabled on re-execution at step ${ex.stepIndex}`);
        return i;
      },
      pickValue: (ex: Execution, n: number) => {
        dataInStep = true;
        if (depth < stack.length) return stack[depth++]!.chosen;
        stack.push({
          data: true,
          enabled: [],
          n,
          chosen: 0,
          backtrack: new Set(),
          done: new Set(),
          sleep: new Map(),
          doneFp: new Map(),
          fp: null,
          fpAll: null,
          prevTid: -1,
          preemptions: 0,
          delays: 0,
          step: ex.stepIndex,
        });
        depth++;
        return 0;
      },
      onStep: (ex: Execution, _tid: number, fpBuf: Int32Array, fpLen: number) => {
        const f = this.withInvariants(ex, fpBuf, fpLen);
        const commute = ex.hasCommuting && this.opts.commute !== false;
        const strict = ex.hasCommuting ? strictFp(ex, f) : f;
        this.stepFp[ex.stepIndex] = commute ? f : strict;
        const node = stack[this.stepNode[ex.stepIndex]!]!;
        node.fp = strict;
        // Without a data choice the step is the same in every execution through this node.
        node.fpAll = node.fpAll === null || !dataInStep ? strict : unionFp(node.fpAll, strict);
        dataInStep = false;
        this.stepPend[ex.stepIndex] = pendingFp(ex, _tid, !commute);
        if (commute) this.stepHeld[ex.stepIndex] = ex.heldAtStart.filter((id) => ex.isCommuting(id));
      },
    };
  }

  /** Footprint plus the pseudo-objects of invariants watching touched objects. */
  private withInvariants(ex: Execution, fp: Int32Array, n: number): number[] {
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
      if (w) for (const k of w) out.push((INV_BASE + k) * 2 + 1);
    }
    // A step inside a critical section writes what the lock protects.
    const hs = ex.heldAtStartBuf;
    for (let i = 0; i < ex.heldAtStartLen; i++) {
      const w = wb[hs[i]!];
      if (w) for (const k of w) out.push((INV_BASE + k) * 2 + 1);
    }
    return out;
  }

  /** Round-robin order starting from the previous thread. */
  private order(node: Node): number[] {
    const en = node.enabled;
    const start = en.findIndex((t) => t >= node.prevTid);
    if (start <= 0) return en.slice();
    return en.slice(start).concat(en.slice(0, start));
  }

  /** [preemptions, delays] that choosing t at node costs. */
  private cost(node: Node, t: number): [number, number] {
    const pre = node.prevTid >= 0 && t !== node.prevTid && node.enabled.includes(node.prevTid) ? 1 : 0;
    const delays = this.order(node).indexOf(t);
    return [pre, Math.max(0, delays)];
  }

  private withinBounds(node: Node, t: number): boolean {
    const { preemptionBound: pb, delayBound: db } = this.opts;
    if (pb === undefined && db === undefined) return true;
    const [p, d] = this.cost(node, t);
    if (pb !== undefined && node.preemptions + p > pb) return false;
    if (db !== undefined && node.delays + d > db) return false;
    return true;
  }

  private childSleep(parent: Node): Map<number, number[] | null> {
    const out = new Map<number, number[] | null>();
    // The step just taken, with the data values of this execution.
    const fp = parent.fp;
    const keep = (t: number, f: number[] | null) => {
      if (t === parent.chosen) return;
      if (f !== null && fp !== null && independent(f, fp)) out.set(t, f);
    };
    for (const [t, f] of parent.sleep) keep(t, f);
    for (const [t, f] of parent.doneFp) keep(t, f);
    return out;
  }

  finished(ex: Execution, res: ExecResult): void {
    if (res.pruned) this.pruned++;
    else this.terminal++;
    if (this.opts.dpor) this.analyseRaces(ex);
    this.backtrack();
  }

  /**
   * Add backtrack points for every race of the execution just finished, the
   * source-set way (Abdulla et al., POPL 2014): for a race between step i
   * and a later step j of thread q, let v be the steps after i that do not
   * happen after i, followed by j; unless the backtrack set before i already
   * holds an initial of v (a thread whose first step in v has no
   * happens-before predecessor in v), add one (q when it is one).
   */
  private analyseRaces(ex: Execution): void {
    const nthreads = ex.threads.length;
    const clocks: number[][] = [];
    for (let t = 0; t < nthreads; t++) clocks.push(new Array<number>(nthreads).fill(0));
    const local: number[] = [];
    const stepVC: number[][] = [];
    const lastW = new Map<number, number>();
    const reads = new Map<number, number[]>();
    const steps = this.stepFp.length;
    const tidOf = this.stepTid;
    const firstLocal = new Array<number>(nthreads);

    /** The last step of thread p before `before` that began without holding commuting mutex m: where p acquired it. */
    const acquireStep = (p: number, m: number, before: number) => {
      for (let k = before - 1; k >= 0; k--) if (tidOf[k] === p && !(this.stepHeld[k] ?? NONE).includes(m)) return k;
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
        const hs = this.stepHeld[i];
        if (!hs || hs.length === 0) return i;
        const ti = tidOf[i]!;
        const li = local[i]!;
        const end = j < 0 ? steps : j;
        let target = -1;
        for (const m of hs) {
          let used = usesObj(jFp, m);
          for (let k = i + 1; !used && k < end; k++) {
            const vc = stepVC[k];
            if (vc && vc[ti]! < li && local[k]! <= jVC[tidOf[k]!]! && usesObj(this.stepFp[k], m)) used = true;
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
    const bounded = this.bounded;
    const fromBlockStart = (i: number, ti: number, q: number) => {
      let b = i;
      while (b > 0 && tidOf[b - 1] === ti) b--;
      if (b === i) return;
      const nb = this.stack[this.stepNode[b]!];
      if (!nb || nb.data) return;
      if (nb.enabled.includes(q)) {
        if (!nb.sleep.has(q)) nb.backtrack.add(q);
      } else for (const t of nb.enabled) if (!nb.sleep.has(t)) nb.backtrack.add(t);
    };

    /** Race (i, j): j is a step of q (jVC its clock with its dependencies, j = -1 for a pending step with footprint jFp). */
    const race = (i0: number, j: number, q: number, jVC: readonly number[], jFp: readonly number[]) => {
      const i = this.stepHeld.length > 0 ? relocate(i0, j, jVC, jFp) : i0;
      const node = this.stack[this.stepNode[i]!];
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
    /** Races of a step (executed: j >= 0, or pending: j = -1) of thread p. */
    const check = (j: number, p: number, fp: readonly number[]) => {
      const cands = candidatesOf(fp);
      const cp = clocks[p]!;
      let vc: number[] | null = null;
      for (const i of cands) {
        const ti = tidOf[i]!;
        if (ti !== p && cp[ti]! < local[i]!) race(i, j, p, (vc ??= joined(p, cands)), fp);
      }
      return cands;
    };

    // A parked thread's next step takes part at every state it is parked in
    // (DPOR looks at next(s, p) for every p, enabled or not): check it when
    // it parks and whenever a step touches its object.
    const pend: number[][] = new Array<number[]>(nthreads).fill(NONE);
    for (let j = 0; j < steps; j++) {
      const fp = this.stepFp[j];
      if (!fp) continue;
      const p = tidOf[j]!;
      const cands = check(j, p, fp);
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
      pend[p] = this.stepPend[j] ?? NONE;
      if (pend[p]!.length > 0) check(-1, p, pend[p]!);
      for (let q = 0; q < nthreads; q++) {
        const pe = pend[q]!;
        if (q === p || pe.length === 0) continue;
        if (pe.some((e) => usesObj(fp, e >> 1))) check(-1, q, pe);
      }
    }
    // Threads still parked (or never run) at the end: a parked acquire of a
    // commuting mutex now counts as writing it, as without commuting.
    for (const t of ex.liveThreads) {
      if (t.id >= nthreads) continue;
      const pe = pendingFp(ex, t.id, true);
      if (pe.length > 0) check(-1, t.id, pe);
    }
  }

  progress(): SearchProgress {
    let open = 0;
    for (const node of this.stack) {
      if (node.data) open += node.n - node.chosen - 1;
      else for (const t of node.backtrack) if (t !== node.chosen && !node.done.has(t) && !node.sleep.has(t) && this.withinBounds(node, t)) open++;
    }
    return { depth: this.stack.length, open };
  }

  /**
   * Choice points of the current path with alternatives not finished (the
   * one being explored included), deepest first, at most `limit`. Between
   * executions the deepest one's chosen alternative is the next to run.
   */
  openBranches(limit = 10): OpenBranch[] {
    const out: OpenBranch[] = [];
    for (let d = this.stack.length - 1; d >= 0 && out.length < limit; d--) {
      const node = this.stack[d]!;
      let open = 0;
      if (node.data) open = node.n - node.chosen;
      else for (const t of node.backtrack) if (!node.done.has(t) && !node.sleep.has(t) && this.withinBounds(node, t)) open++;
      if (open > 0) out.push({ depth: d, step: node.step, open });
    }
    return out;
  }

  /** Move to the next unexplored branch, popping exhausted nodes. */
  private backtrack(): void {
    const stack = this.stack;
    while (stack.length > 0) {
      const node = stack[stack.length - 1]!;
      if (node.data) {
        if (node.chosen + 1 < node.n) {
          node.chosen++;
          return;
        }
        stack.pop();
        continue;
      }
      node.done.add(node.chosen);
      // Every data alternative of the step has been explored by now (its
      // data nodes are popped): it sleeps with the union of their footprints.
      node.doneFp.set(node.chosen, node.fpAll);
      let nextT: number | undefined;
      for (const t of this.order(node)) {
        if (node.backtrack.has(t) && !node.done.has(t) && !node.sleep.has(t) && this.withinBounds(node, t)) {
          nextT = t;
          break;
        }
      }
      if (nextT !== undefined) {
        node.chosen = nextT;
        node.fp = null;
        node.fpAll = null;
        return;
      }
      stack.pop();
    }
  }
}

const NONE: number[] = [];

/**
 * DPOR's view of thread tid's pending effect: its object (read when it is
 * the acquire of a commuting mutex, unless `strict`: at the end, or without commuting), plus a write of every
 * commuting mutex it holds if the effect is a wait (Effect.commuteBarrier).
 */
function pendingFp(ex: Execution, tid: number, strict: boolean): number[] {
  const pe = ex.pendingOf(tid);
  if (!pe || pe.obj < 0) return NONE;
  const commuting = ex.hasCommuting && ex.isCommuting(pe.obj) && !strict;
  const code = pe.obj * 2 + (pe.pendingWrite && !commuting ? 1 : 0);
  if (ex.hasCommuting && pe.commuteBarrier) {
    const out = [code];
    for (const h of ex.thread(tid).held) if (ex.isCommuting(h.id)) out.push(h.id * 2 + 1);
    return out;
  }
  // One-object footprints are shared (never mutated): this runs after every step.
  return (ONE[code] ??= [code]);
}
const ONE: number[][] = [];

/** Sleep sets stay strict: reads of commuting mutexes count as writes there. */
function strictFp(ex: Execution, f: number[]): number[] {
  let out: number[] | null = null;
  for (let i = 0; i < f.length; i++) {
    const e = f[i]!;
    if ((e & 1) === 0 && ex.isCommuting(e >> 1)) (out ??= f.slice())[i] = e | 1;
  }
  return out ?? f;
}

/** Footprint of either step: every access of a, then those of b not in a. */
function unionFp(a: number[], b: readonly number[]): number[] {
  let out: number[] | null = null;
  for (const e of b) if (!a.includes(e)) (out ??= a.slice()).push(e);
  return out ?? a;
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
