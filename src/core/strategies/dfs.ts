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
 * too (that is how ABBA deadlocks are reached). A blocking acquire
 * (Effect.acquires) is not reversed with a step its lock's holder ran
 * holding it, which it cannot precede: the race is the holder's acquire's.
 * With `wakeup`, a race adds the whole sequence that reverses it to a
 * wakeup tree (wakeup.ts) instead of one thread.
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
import { dporFootprint, independent } from '../footprint.ts';
import { ModelError } from '../errors.ts';
import { acquiredAt, isInitial, RaceState, usesObj } from './races.ts';
import { analyseRacesReference } from './races-reference.ts';
import type { ShardReport } from './split.ts';
import { EventTable, StateCache, Summary, type Visit, type Witness } from './state-cache.ts';
import { insertWakeup, weakInitial, type WakeupBranch, type WakeupSeq } from './wakeup.ts';

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
  /** Stateful DPOR: the state's key (thread nodes), null otherwise. */
  key: string | null;
  /** Stateful DPOR: what the subtree explored so far did (StateCache). */
  summary: Summary | null;
  /** Wakeup trees: the sequences still to explore from here (wakeup.ts), or null. */
  wut: WakeupBranch[] | null;
  /** Wakeup trees: what the child of the chosen step is to explore first (its branch's subtree). */
  nextWut: WakeupBranch[] | null;
}

export interface DfsOptions {
  dpor: boolean;
  /**
   * Prune a thread-choice point whose whole state (Execution.stateKey) was
   * seen before in this run. Sound for safety when the scenario's stateHash
   * and its threads' program points (Execution.programPoint) are complete.
   * Plain DFS prunes at any state seen before. DPOR prunes only at a state
   * whose subtree is finished and was explored with no thread asleep that
   * is awake now (with one awake: only it is explored, partialHits), and
   * first checks the steps that subtree ran against the way to the state
   * (state-cache.ts); commuting mutexes are then ordered
   * like any other. Not combined with preemption or delay bounds (a state
   * reached with less budget left explores less).
   */
  stateCache?: boolean;
  /**
   * Stateful DPOR: a visit of a finished state whose first visit slept on a
   * thread that is awake now explores only the threads that woke (a partial
   * hit, state-cache.ts) instead of the whole state again (default true;
   * off with wakeup trees).
   */
  partialHits?: boolean;
  /**
   * Stateful DPOR: check a hit state's summary against the way to it
   * (default true). False is naive state caching with DPOR, which is not
   * sound: it is kept only to show that the soundness property catches it
   * (properties/dpor-soundness.test.ts).
   */
  summaries?: boolean;
  /**
   * DPOR split into shards by prefix (a search one machine cannot finish):
   * the first `depth` choice points are expanded fully (every thread not
   * asleep), which makes the prefixes of that depth the same tree in every
   * shard; shard `shard` of `shards` explores, with DPOR, the subtrees of
   * the prefixes whose index (in the search's order) is `shard` mod
   * `shards`, and stops at the others. Races with steps above the cut need
   * no backtrack point there (the cut's nodes are full already), so each
   * subtree is searched as the unsplit search with full expansion above the
   * cut would search it. shardReport() says which prefixes were closed;
   * mergeShards() proves the union complete.
   */
  split?: { depth: number; shard: number; shards: number };
  /**
   * State caching: the first `checkHits` hits (default 100; 0: none) are
   * checked instead of pruned. The execution goes on along the choices the
   * state's first visit made after it, and must end in the same state with
   * the same outcome; otherwise the search stops with an error naming both
   * schedules: the two ways to one state key have different futures, so
   * the scenario's stateHash or a thread's programPoint misses something.
   */
  checkHits?: number;
  preemptionBound?: number;
  delayBound?: number;
  /**
   * DPOR: commute critical sections of commuting mutexes (KMutex
   * `commutes`) whose contents do not conflict (default true). False orders
   * every critical section, as for any other mutex (for comparisons).
   */
  commute?: boolean;
  /**
   * DPOR: analyse races incrementally (default true): an execution that
   * shares a prefix with the previous one keeps that prefix's vector clocks
   * and access history and analyses only the steps after it. False
   * re-analyses every execution from its first step (the reference the
   * incremental analysis is checked against: identical searches).
   */
  incremental?: boolean;
  /**
   * DPOR with wakeup trees (optimal DPOR, Abdulla et al. 2014; wakeup.ts):
   * a race adds the whole sequence that reverses it, not only its first
   * thread, so the reversal is explored without sleep-set-blocked
   * executions on the way. Default false. Needs the incremental analysis
   * and no preemption bound; races over commuting critical sections, and
   * those checked against a state's summary, still add threads.
   */
  wakeup?: boolean;
}

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
  /**
   * Lock ownership by step: the locks the step acquired and released
   * (Thread.held before and after it), the mutex its effect waited for
   * (Effect.acquires, -1 for none), and the one the thread's next effect
   * waits for. A blocking acquire does not race the steps another thread
   * ran holding its lock, only that thread's acquire (raceCheck).
   */
  private stepAcq: (readonly number[])[] = [];
  private stepRel: (readonly number[])[] = [];
  private stepWaits: number[] = [];
  private stepPendWaits: number[] = [];
  /** With stateCache: the states seen (for DPOR, finished ones with their summaries). */
  readonly cache: StateCache | null;
  /** Stateful DPOR: the summary of the state the last execution stopped at, if it stopped at a hit. */
  private hit: Summary | null = null;
  /** Stateful DPOR: partial hits of the running execution, by step: each finished visit's summary, to check against the way to its state. */
  private partials: { step: number; summary: Summary }[] = [];
  /** Stateful DPOR takes partial hits (DfsOptions.partialHits). */
  private readonly partialOn: boolean;
  /** States whose finished visit slept on a thread awake now, explored for those threads only. */
  partialHits = 0;
  /** State caching: hits still to check (DfsOptions.checkHits). */
  private checksLeft: number;
  /** Hits checked by following the first visit's choices. */
  hitsChecked = 0;
  /** Stack depth at the start of the running execution: nodes from here on are new in it. */
  private newFrom = 0;
  /** The running execution follows a hit state's witness from step `from` (a checked hit), or null. */
  private follow: { w: Witness; pos: number; from: number; schedule: string } | null = null;
  /** Commuting mutexes commute (DfsOptions.commute, off with stateful DPOR). */
  private readonly commuteOn: boolean;
  /** Thread-choice points pruned because their state was seen before. */
  cacheHits = 0;
  /** Split: prefixes at the cut seen so far (in every shard: the same tree). */
  private leaves = 0;
  /** Split: indices of the prefixes whose subtrees this shard finished. */
  private readonly closedLeaves: number[] = [];
  /** Split: the open prefix's root node index, or -1. */
  private leafRoot = -1;
  private leafIdx = -1;
  /** Split: a hash of every prefix at the cut, in order (shards of one search agree on it). */
  private treeHash = 0x811c9dc5;
  /**
   * A preemption or delay bound is set. Sleep sets are then off: a thread
   * asleep after its step was explored first may have been explored only
   * within a budget that the reordered schedule does not need (A then B may
   * cost a preemption more than B then A), so sleeping would lose schedules
   * that are within the bound.
   */
  private readonly bounded: boolean;
  /** DPOR with incremental race analysis (DfsOptions.incremental). */
  private readonly incremental: boolean;
  /** Incremental: the first step the next execution may change. */
  private validFrom = 0;
  /** Incremental: some step up to j (included) ran with commuting mutexes on. */
  private commuteUpTo: boolean[] = [];
  private readonly races = new RaceState();
  /** DPOR with wakeup trees (DfsOptions.wakeup). */
  private readonly wakeup: boolean;
  /** Wakeup trees: branches dropped because their thread was not enabled, or done or asleep, when their turn came. */
  wakeupDropped = 0;
  constructor(readonly opts: DfsOptions) {
    this.incremental = opts.dpor && opts.incremental !== false;
    this.bounded = opts.preemptionBound !== undefined || opts.delayBound !== undefined;
    this.wakeup = opts.dpor && opts.wakeup === true;
    if (this.wakeup && (this.bounded || !this.incremental)) throw new Error('wakeup trees need DPOR with the incremental race analysis and no bound');
    if (opts.dpor && opts.delayBound !== undefined) {
      // Bounded POR's argument covers preemption bounds; with a delay bound
      // generated programs show DPOR missing schedules within the bound.
      throw new Error('DPOR is not complete within a delay bound: use plain dfs with a delay bound');
    }
    if (opts.split) {
      const { depth, shard, shards } = opts.split;
      if (!opts.dpor || this.bounded || opts.stateCache) throw new Error('a split search is DPOR without bounds or state caching');
      if (!(Number.isInteger(depth) && depth >= 0 && Number.isInteger(shards) && shards >= 1 && Number.isInteger(shard) && shard >= 0 && shard < shards)) {
        throw new Error(`bad split: depth ${depth}, shard ${shard} of ${shards}`);
      }
    }
    if (opts.stateCache && this.bounded) throw new Error('state caching is not sound within a preemption or delay bound: a state reached with less budget left explores less');
    // A hit's summary is checked against the race state, which only the incremental analysis keeps.
    if (opts.stateCache && opts.dpor && !this.incremental) throw new Error('stateful DPOR needs the incremental race analysis (incremental: true)');
    this.cache = opts.stateCache ? new StateCache() : null;
    this.commuteOn = opts.commute !== false && !(opts.stateCache && opts.dpor);
    this.partialOn = opts.dpor && opts.stateCache === true && !this.wakeup && opts.partialHits !== false;
    this.checksLeft = this.cache !== null ? (opts.checkHits ?? 100) : 0;
    const b: string[] = [];
    if (opts.stateCache) b.push('state-cache');
    if (opts.preemptionBound !== undefined) b.push(`preemptions<=${opts.preemptionBound}`);
    if (opts.delayBound !== undefined) b.push(`delays<=${opts.delayBound}`);
    if (opts.dpor && opts.commute === false) b.push('no-commute');
    if (this.wakeup) b.push('wakeup');
    if (opts.split) b.push(`shard ${opts.split.shard}/${opts.split.shards} at depth ${opts.split.depth}`);
    this.name = (opts.dpor ? 'dpor' : 'dfs') + (b.length ? `(${b.join(',')})` : '');
  }

  next(): Chooser | null {
    if (this.started && this.stack.length === 0) {
      this.complete = true;
      return null;
    }
    this.started = true;
    let depth = 0;
    const incremental = this.incremental;
    if (!incremental) {
      this.stepNode = [];
      this.stepFp = [];
      this.stepTid = [];
      this.stepPend = [];
      this.stepHeld = [];
    }
    // Incremental: the steps before validFrom re-run the previous
    // execution's prefix, so what onStep recorded for them stands.
    const keepBelow = incremental ? this.validFrom : 0;
    let lastThreadNode = -1;
    /** The running step made a data choice. */
    let dataInStep = false;
    const stack = this.stack;
    const dpor = this.opts.dpor;
    this.newFrom = stack.length;
    this.follow = null;
    return {
      // The path up to the deepest node is the previous execution's, which
      // checked the invariants after each of its steps.
      replayedSteps: this.validFrom,
      pickThread: (ex: Execution, enabled: readonly number[]) => {
        let node: Node;
        if (this.follow !== null) return this.followChoice(ex, 'thread', enabled.length, enabled);
        if (depth < stack.length) {
          node = stack[depth]!;
        } else {
          const split = this.opts.split;
          if (split !== undefined && depth >= split.depth && this.leafRoot < 0) {
            // A prefix at the cut: this shard's, or another's.
            const idx = this.leaves++;
            let h = this.treeHash;
            for (let d = 0; d < depth; d++) h = Math.imul(h ^ (stack[d]!.chosen + 1), 0x01000193) >>> 0;
            this.treeHash = Math.imul(h ^ 0xff, 0x01000193) >>> 0;
            if (idx % split.shards !== split.shard) return -1;
            this.leafRoot = depth;
            this.leafIdx = idx;
          }
          let key: string | null = null;
          if (this.opts.stateCache) {
            // The cache keeps a 128-bit digest of the state's text (hash compaction, digest.ts).
            key = ex.stateDigest();
            if (key === null) throw new Error(`scenario ${ex.scenario.name} declares no state (stateHash or stateWalk): state caching needs one`);
          }
          const parent = lastThreadNode >= 0 ? stack[lastThreadNode]! : null;
          const sleep = parent && dpor && !this.bounded ? this.childSleep(parent) : new Map<number, number[] | null>();
          let partial: (Visit & { partial: unknown }) | null = null;
          if (this.cache !== null) {
            // Plain DFS stops at any state seen before; DPOR only at a finished one (state-cache.ts).
            const visit = dpor ? this.cache.enter(key!, sleep, this.partialOn) : this.cache.seen(key!) ? NO_SUMMARY_HIT : (this.cache.enter(key!, sleep), null);
            if (visit !== null && 'partial' in visit) {
              // Every thread the finished visit sleeps on is enabled here (the same state): if not, explore it all.
              if (visit.wake.every((t) => enabled.includes(t))) {
                partial = visit;
                this.partialHits++;
              }
            } else if (visit !== null) {
              const done = visit.hit;
              this.cacheHits++;
              if (dpor) this.hit = done;
              const w = this.checksLeft > 0 ? this.cache.witnessOf(key!) : null;
              if (w === null) return -1;
              // Check the hit: go on as the first visit went on.
              this.checksLeft--;
              this.hitsChecked++;
              this.follow = { w, pos: 0, from: ex.stepIndex, schedule: stack.slice(0, depth).map((n) => n.chosen).join(',') };
              return this.followChoice(ex, 'thread', enabled.length, enabled);
            }
          }
          const prevTid = parent ? parent.chosen : -1;
          const prevCost = parent ? this.cost(parent, parent.chosen) : [0, 0];
          node = {
            data: false,
            enabled: enabled.slice(),
            n: 0,
            chosen: -1,
            backtrack: new Set(),
            done: new Set(),
            sleep,
            doneFp: new Map(),
            fp: null,
            fpAll: null,
            prevTid,
            preemptions: parent ? parent.preemptions + prevCost[0]! : 0,
            delays: parent ? parent.delays + prevCost[1]! : 0,
            step: ex.stepIndex,
            key,
            summary: this.cache !== null && dpor ? new Summary(this.cache.events) : null,
            wut: parent !== null ? parent.nextWut : null,
            nextWut: null,
          };
          if (parent !== null) parent.nextWut = null;
          if (node.summary !== null) for (const [t, f] of sleep) if (f !== null) node.summary.add(t, f);
          // First choice: stay on the previous thread if possible, else the lowest id.
          // (With wakeup trees: the first branch of the tree the parent's branch left here.)
          const order = this.order(node);
          let first: number | undefined;
          if (partial !== null) {
            // A partial hit (state-cache.ts): the finished visit explored the
            // threads it did not sleep on, with these asleep; they count as
            // done here but do not sleep in the new branches.
            const wake = partial.wake;
            for (const t of enabled) if (!wake.includes(t)) node.done.add(t);
            for (const t of wake) node.backtrack.add(t);
            node.summary!.addAll(partial.partial.summary);
            this.partials.push({ step: ex.stepIndex, summary: partial.partial.summary });
            first = order.find((t) => wake.includes(t));
          } else first = this.takeWakeup(node) ?? order.find((t) => !node.sleep.has(t) && this.withinBounds(node, t));
          if (first === undefined) {
            // Sleep-set blocked (or out of bounds): prune. The sleepers'
            // steps count as the parent's subtree's (state-cache.ts).
            if (node.summary !== null) {
              this.cache!.close(key!, sortedKeys(sleep), node.summary);
              this.summaryOf(lastThreadNode)?.addAll(node.summary);
            }
            if (this.leafRoot === depth) this.closeLeaf();
            return -1;
          }
          node.chosen = first;
          if (dpor && (split === undefined || depth >= split.depth)) node.backtrack.add(first);
          else for (const t of order) if (!node.sleep.has(t) && this.withinBounds(node, t)) node.backtrack.add(t);
          stack.push(node);
        }
        lastThreadNode = depth;
        this.stepNode[ex.stepIndex] = depth;
        this.stepTid[ex.stepIndex] = node.chosen;
        depth++;
        const i = enabled.indexOf(node.chosen);
        if (i < 0) throw new ModelError(`dfs: nondeterministic scenario: thread ${node.chosen} not enabled on re-execution at step ${ex.stepIndex}`);
        return i;
      },
      pickValue: (ex: Execution, n: number) => {
        if (this.follow !== null) return this.followChoice(ex, 'data', n, null);
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
          key: null,
          summary: null,
          wut: null,
          nextWut: null,
        });
        depth++;
        return 0;
      },
      // Footprints serve DPOR only (races, sleep sets): plain DFS skips them.
      onStep: !dpor
        ? undefined
        : (ex: Execution, _tid: number, fpBuf: Int32Array, fpLen: number) => {
            if (this.follow !== null) return; // a checked hit: its steps are the first visit's
            const j = ex.stepIndex;
            if (j < keepBelow) {
              // The same step as in the previous execution: its footprints,
              // and its node's fp and fpAll, are already those.
              dataInStep = false;
              return;
            }
            const f = dporFootprint(ex, fpBuf, fpLen);
            const commute = ex.hasCommuting && this.commuteOn;
            const strict = ex.hasCommuting ? strictFp(ex, f) : f;
            this.stepFp[j] = commute ? f : strict;
            const node = stack[this.stepNode[j]!]!;
            node.fp = strict;
            // Without a data choice the step is the same in every execution through this node.
            node.fpAll = node.fpAll === null || !dataInStep ? strict : unionFp(node.fpAll, strict);
            dataInStep = false;
            this.stepPend[j] = pendingFp(ex, _tid, !commute);
            this.noteOwnership(ex, j, _tid);
            if (incremental) {
              this.stepHeld[j] = commute ? ex.heldAtStart.filter((id) => ex.isCommuting(id)) : NONE;
              this.commuteUpTo[j] = commute || (j > 0 && this.commuteUpTo[j - 1] === true);
            } else if (commute) this.stepHeld[j] = ex.heldAtStart.filter((id) => ex.isCommuting(id));
          },
    };
  }

  /**
   * Wakeup trees: the thread of node's first branch, which leaves (in
   * nextWut) the branch's subtree for the child; undefined when the tree is
   * empty. A branch whose thread is done or asleep here is dropped (a
   * thread a race added directly ran first, or the sleep set covers it), and
   * so is one whose thread is not enabled (the sequence did not run as it
   * did where it came from): the way to this node is then the sequence's
   * leaf, and the node is explored as any other. All are counted in
   * wakeupDropped.
   */
  private takeWakeup(node: Node): number | undefined {
    const wut = node.wut;
    if (wut === null) return undefined;
    while (wut.length > 0) {
      const b = wut.shift()!;
      const t = b.tid;
      if (!node.enabled.includes(t) || node.done.has(t) || node.sleep.has(t)) {
        this.wakeupDropped++;
        continue;
      }
      node.backtrack.add(t);
      node.nextWut = b.kids.length > 0 ? b.kids : null;
      return t;
    }
    node.wut = null;
    return undefined;
  }

  /** Step j of thread tid: what it acquired, released and waited for (stepAcq and the rest). */
  private noteOwnership(ex: Execution, j: number, tid: number): void {
    const held = ex.thread(tid).held;
    const before = ex.heldAtStartLen;
    const hs = ex.heldAtStartBuf;
    // Most steps hold nothing across them, or the same locks before and after.
    let same = held.length === before;
    for (let b = 0; b < held.length && same; b++) same = held[b]!.id === hs[b];
    if (same) {
      this.stepAcq[j] = NONE;
      this.stepRel[j] = NONE;
      this.stepWaits[j] = -1;
      this.stepPendWaits[j] = ex.pendingOf(tid)?.acquires ?? -1;
      return;
    }
    this.stepAcq[j] = lockDiff(held, hs, before, true);
    this.stepRel[j] = lockDiff(held, hs, before, false);
    const acq = this.stepAcq[j]!;
    const w = ex.stepEffect?.acquires ?? -1;
    this.stepWaits[j] = w >= 0 && acq.includes(w) ? w : -1;
    this.stepPendWaits[j] = ex.pendingOf(tid)?.acquires ?? -1;
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
    const follow = this.follow;
    if (follow !== null) this.checkFollow(ex, res, follow);
    else if (res.pruned) this.pruned++;
    else this.terminal++;
    // A checked hit is analysed as the hit it is: up to the state.
    const n = follow !== null ? follow.from : ex.stepIndex;
    if (this.opts.dpor) {
      if (this.incremental) {
        if (this.partials.length > 0) this.analyseWithPartials(ex, n, follow === null);
        else this.analyseIncremental(ex, n, follow === null);
      }
      else
        analyseRacesReference(ex, {
          stack: this.stack,
          stepNode: this.stepNode,
          stepFp: this.stepFp,
          stepTid: this.stepTid,
          stepPend: this.stepPend,
          stepHeld: this.stepHeld,
          stepAcq: this.stepAcq,
          stepRel: this.stepRel,
          stepWaits: this.stepWaits,
          stepPendWaits: this.stepPendWaits,
          waitsAtEnd: (tid) => ex.pendingOf(tid)?.acquires ?? -1,
          bounded: this.bounded,
          pendingAtEnd: (tid) => pendingFp(ex, tid, true),
        });
    }
    if (this.cache !== null) {
      if (follow === null && !res.pruned && this.checksLeft > 0) this.recordWitnesses(ex, res, this.newFrom);
      if (this.opts.dpor) this.summarise(ex, n, follow === null);
    }
    this.follow = null;
    this.backtrack();
    // The next execution re-runs the path up to the deepest node, whose
    // choice just changed: every step before that node's step stays the same.
    this.validFrom = this.stack.length > 0 ? this.stack[this.stack.length - 1]!.step : 0;
  }

  // ---- incremental race analysis ------------------------------------------

  /**
   * analyseRaces, incrementally. The analysis of step j depends only on
   * steps 0..j (their footprints, threads, vector clocks, the objects' last
   * writes and reads since), and the races it finds only add backtrack
   * points, idempotently: re-analysing a step of a prefix the previous
   * execution shared adds nothing. So the state after the previous
   * execution's steps is kept as a stack (RaceState: clocks in a flat
   * Int32Array, an undo log for the access history), rolled back to the
   * first step that changed (validFrom) and extended over the new steps.
   * Threads parked at the end depend on the whole execution: they are
   * checked every time, as in analyseRaces. DfsOptions.incremental=false
   * runs analyseRaces instead; properties/dpor-incremental.test.ts checks
   * that both give the same search.
   */
  private analyseIncremental(ex: Execution, n = ex.stepIndex, parkedAtEnd = true, start = this.validFrom): void {
    const r = this.races;
    const nthreads = ex.threads.length;
    const anyCommute = n > 0 && this.commuteUpTo[n - 1] === true;
    let from = Math.min(start, r.analysed, n);
    // The clock width covers every thread; relocation depends on whether any
    // step ran with commuting mutexes: either changing restarts the analysis.
    if (nthreads > r.width || anyCommute !== r.anyCommute) {
      r.reset(Math.max(r.width, nthreads, 4));
      from = 0;
    }
    r.anyCommute = anyCommute;
    r.rollback(from);
    r.ensure(n);
    r.nthreads = nthreads;
    const W = r.width;
    for (let j = from; j < n; j++) {
      const fp = this.stepFp[j]!;
      const p = this.stepTid[j]!;
      this.raceCheck(ex, j, p, fp, j, this.stepWaits[j]!);
      // The step's clock: its thread's, joined with its dependencies', plus one.
      const row = j * W;
      r.joinInto(p, r.vcs, row);
      r.vcs[row + p]!++;
      r.local[j] = r.vcs[row + p]!;
      r.tidOf[j] = p;
      r.prevOf[j] = r.lastOf[p]!;
      r.lastOf[p] = j;
      r.record(j, fp);
      r.analysed = j + 1;
      const pe = this.stepPend[j] ?? NONE;
      if (pe.length > 0) this.raceCheck(ex, -1, p, pe, j + 1, this.stepPendWaits[j]!);
      for (let q = 0; q < nthreads; q++) {
        if (q === p) continue;
        const lq = r.lastOf[q]!;
        if (lq < 0) continue;
        const pq = this.stepPend[lq] ?? NONE;
        if (pq.length === 0) continue;
        let uses = false;
        for (let a = 0; a < pq.length && !uses; a++) uses = usesObj(fp, pq[a]! >> 1);
        if (uses) this.raceCheck(ex, -1, q, pq, j + 1, this.stepPendWaits[lq]!);
      }
    }
    r.analysed = n;
    if (!parkedAtEnd) return;
    // Threads still parked (or never run) at the end: a parked acquire of a
    // commuting mutex now counts as writing it, as without commuting.
    for (const t of ex.liveThreads) {
      if (t.id >= nthreads) continue;
      const pe = pendingFp(ex, t.id, true);
      if (pe.length > 0) this.raceCheck(ex, -1, t.id, pe, n, ex.pendingOf(t.id)?.acquires ?? -1);
    }
  }

  /**
   * analyseIncremental with partial hits on the way: the analysis stops at
   * each partial hit's state, checks the finished visit's summary against
   * the steps that led there (as at a hit: summaryRaces), and goes on.
   */
  private analyseWithPartials(ex: Execution, n: number, parkedAtEnd: boolean): void {
    let start = this.validFrom;
    for (const p of this.partials) {
      if (p.step > n) break;
      this.analyseIncremental(ex, p.step, false, start);
      if (this.opts.summaries !== false) this.summaryRaces(p.summary);
      start = p.step;
    }
    this.partials.length = 0;
    this.analyseIncremental(ex, n, parkedAtEnd, start);
  }

  /**
   * Races of a step of thread p: executed step j (limit = j), or p's pending
   * step (j = -1) seen after the first `limit` steps.
   */
  private raceCheck(_ex: Execution, j: number, p: number, fp: readonly number[], limit: number, waits: number): void {
    const r = this.races;
    const nc = r.candidatesOf(fp);
    const W = r.width;
    const lp = r.lastOf[p]!;
    let joined = false;
    for (let c = 0; c < nc; c++) {
      let i = r.cands[c]!;
      const ti = r.tidOf[i]!;
      const cpti = lp < 0 ? 0 : r.vcs[lp * W + ti]!;
      if (ti !== p && cpti < r.local[i]!) {
        // A blocking acquire of m cannot run while another thread holds m:
        // for a step i run holding it (up to its release), the race to
        // reverse is with the step where that thread acquired m.
        if (waits >= 0 && !this.stepAcq[i]!.includes(waits)) {
          const a = acquiredAt(this.stepTid, this.stepAcq, this.stepRel, ti, waits, i);
          if (a >= 0) {
            if (cpti >= r.local[a]!) continue; // the acquire happens before: no race
            i = a;
          }
        }
        if (!joined) {
          r.joinInto(p, r.jvc, 0);
          joined = true;
        }
        this.raceIncr(i, j, p, fp, limit);
      }
    }
  }

  /** Race (i, j) with j's clock in races.jvc: analyseRaces' `race`, on the flat state. */
  private raceIncr(i0: number, j: number, q: number, jFp: readonly number[], limit: number): void {
    const r = this.races;
    const i = r.anyCommute ? this.relocateIncr(i0, j, jFp, limit) : i0;
    const node = this.stack[this.stepNode[i]!];
    if (!node || node.data) return;
    const W = r.width;
    const nthreads = r.nthreads;
    const ti = r.tidOf[i]!;
    if (this.bounded) this.fromBlockStart(i, ti, q);
    if (this.wakeup && !r.anyCommute) return this.wakeupRace(node, i, j, q, jFp, limit);
    const li = r.local[i]!;
    const firstLocal = r.firstLocal;
    firstLocal.fill(0);
    const initials = r.initials;
    let ni = 0;
    const end = j < 0 ? limit : j;
    const vcs = r.vcs;
    for (let k = i + 1; k < end; k++) {
      if (vcs[k * W + ti]! >= li) continue; // k happens after i: not in v
      const tk = r.tidOf[k]!;
      if (firstLocal[tk]! > 0) continue;
      if (isInitial(tk, vcs, k * W, firstLocal, nthreads)) initials[ni++] = tk;
      firstLocal[tk] = r.local[k]!;
    }
    if (firstLocal[q]! === 0 && isInitial(q, r.jvc, 0, firstLocal, nthreads)) initials[ni++] = q;
    let hasQ = false;
    for (let a = 0; a < ni; a++) {
      const p = initials[a]!;
      if (node.backtrack.has(p)) return;
      if (p === q) hasQ = true;
    }
    let pick = -1;
    if (hasQ && !node.sleep.has(q)) pick = q;
    else
      for (let a = 0; a < ni; a++)
        if (!node.sleep.has(initials[a]!)) {
          pick = initials[a]!;
          break;
        }
    if (pick < 0) return; // every initial sleeps: already covered
    if (node.enabled.includes(pick)) node.backtrack.add(pick);
    else for (const t of node.enabled) if (!node.sleep.has(t)) node.backtrack.add(t);
  }

  /**
   * Race (i, j) with wakeup trees: the sequence v (the steps after i that
   * do not happen after it, then j) is inserted into the tree of i's node
   * (wakeup.ts), unless a thread asleep there, or explored from there
   * already, is a weak initial of v. v ends at its first step that made a
   * data choice (a shorter sequence still starts the reversal, as a single
   * thread does without wakeup trees).
   */
  private wakeupRace(node: Node, i: number, j: number, q: number, jFp: readonly number[], limit: number): void {
    const r = this.races;
    const W = r.width;
    const ti = r.tidOf[i]!;
    const li = r.local[i]!;
    const end = j < 0 ? limit : j;
    const stack = this.stack;
    const madeData = (k: number) => stack[this.stepNode[k]! + 1]?.data === true;
    const ks: number[] = [];
    let cut = false;
    for (let k = i + 1; k < end && !cut; k++) {
      if (r.vcs[k * W + ti]! >= li) continue; // k happens after i: not in v
      ks.push(k);
      cut = madeData(k);
    }
    const n = ks.length + (cut ? 0 : 1);
    const tid: number[] = [];
    const fp: (readonly number[])[] = [];
    const exact: boolean[] = [];
    for (const k of ks) {
      tid.push(r.tidOf[k]!);
      fp.push(this.stepFp[k]!);
      exact.push(!madeData(k));
    }
    if (!cut) {
      tid.push(q);
      fp.push(jFp);
      exact.push(j >= 0 && !madeData(j));
    }
    const jvc = r.jvc;
    const seq: WakeupSeq = {
      n,
      tid,
      fp,
      exact,
      hb: (a, b) => {
        const ka = ks[a]!;
        const off = b < ks.length ? ks[b]! * W : -1;
        const c = off >= 0 ? r.vcs[off + r.tidOf[ka]!]! : jvc[r.tidOf[ka]!]!;
        return c >= r.local[ka]!;
      },
    };
    const all: number[] = [];
    for (let a = 0; a < n; a++) all.push(a);
    for (const [t, f] of node.sleep) if (weakInitial(seq, all, t, f, f !== null) !== undefined) return;
    for (const [t, f] of node.doneFp) if (weakInitial(seq, all, t, f, f !== null) !== undefined) return;
    if (!node.enabled.includes(tid[0]!)) {
      for (const t of node.enabled) if (!node.sleep.has(t)) node.backtrack.add(t);
      return;
    }
    node.backtrack.add(insertWakeup((node.wut ??= []), seq));
  }

  /** analyseRaces' `relocate`, on the flat state. */
  private relocateIncr(i: number, j: number, jFp: readonly number[], limit: number): number {
    const r = this.races;
    const W = r.width;
    for (;;) {
      const hs = this.stepHeld[i];
      if (!hs || hs.length === 0) return i;
      const ti = r.tidOf[i]!;
      const li = r.local[i]!;
      const end = j < 0 ? limit : j;
      let target = -1;
      for (const m of hs) {
        let used = usesObj(jFp, m);
        for (let k = i + 1; !used && k < end; k++) {
          if (r.vcs[k * W + ti]! < li && r.local[k]! <= r.jvc[r.tidOf[k]!]! && usesObj(this.stepFp[k], m)) used = true;
        }
        if (!used) continue;
        const a = this.acquireStep(ti, m, i);
        if (a >= 0 && (target < 0 || a < target)) target = a;
      }
      if (target < 0) return i;
      i = target;
    }
  }

  /** The last step of thread p before `before` that began without holding commuting mutex m: where p acquired it. */
  private acquireStep(p: number, m: number, before: number): number {
    for (let k = before - 1; k >= 0; k--) if (this.stepTid[k] === p && !(this.stepHeld[k] ?? NONE).includes(m)) return k;
    return -1;
  }

  /** Bounded POR: add q (or every enabled thread) at the start of ti's run of steps ending at i. */
  private fromBlockStart(i: number, ti: number, q: number): void {
    let b = i;
    while (b > 0 && this.stepTid[b - 1] === ti) b--;
    if (b === i) return;
    const nb = this.stack[this.stepNode[b]!];
    if (!nb || nb.data) return;
    if (nb.enabled.includes(q)) {
      if (!nb.sleep.has(q)) nb.backtrack.add(q);
    } else for (const t of nb.enabled) if (!nb.sleep.has(t)) nb.backtrack.add(t);
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
      node.nextWut = null;
      // Wakeup trees first, then the threads races added one by one.
      let nextT = this.takeWakeup(node);
      if (nextT === undefined) {
        for (const t of this.order(node)) {
          if (node.backtrack.has(t) && !node.done.has(t) && !node.sleep.has(t) && this.withinBounds(node, t)) {
            nextT = t;
            break;
          }
        }
      }
      if (nextT !== undefined) {
        node.chosen = nextT;
        node.fp = null;
        node.fpAll = null;
        return;
      }
      stack.pop();
      if (stack.length <= this.leafRoot) this.closeLeaf();
      if (node.summary !== null) {
        // The state's subtree is finished: later visits may stop here.
        this.cache!.close(node.key!, sortedKeys(node.sleep), node.summary);
        this.summaryOf(stack.length - 1)?.addAll(node.summary);
      }
    }
  }

  // ---- split search -----------------------------------------------------------

  private closeLeaf(): void {
    this.closedLeaves.push(this.leafIdx);
    this.leafRoot = -1;
    this.leafIdx = -1;
  }

  /** Split: the prefixes at the cut, which of them this shard closed, and the tree's hash; null unsplit. */
  shardReport(): ShardReport | null {
    const sp = this.opts.split;
    if (sp === undefined) return null;
    return { shard: sp.shard, shards: sp.shards, depth: sp.depth, prefixes: this.leaves, closed: this.closedLeaves.slice(), tree: this.treeHash.toString(16).padStart(8, '0'), complete: this.complete };
  }

  // ---- stateful DPOR --------------------------------------------------------

  /** A checked hit: the next choice of the first visit's witness, or an error when it cannot be made. */
  private followChoice(ex: Execution, kind: 'thread' | 'data', n: number, enabled: readonly number[] | null): number {
    const f = this.follow!;
    const c = f.w.choices[f.pos];
    const at = `the state reached at step ${f.from} by schedule [${f.schedule}]`;
    if (c === undefined) this.diverged(f, `${at} was left by ${f.w.choices.length} choices that ended its first visit; here the execution asks for more (a ${kind} choice at step ${ex.stepIndex})`);
    if (c!.kind !== kind) this.diverged(f, `after ${at}, choice ${f.pos} was a ${c!.kind} choice at the first visit, a ${kind} choice here (step ${ex.stepIndex})`);
    f.pos++;
    if (kind === 'data') {
      if (c!.value >= n) this.diverged(f, `after ${at}, data choice ${f.pos - 1} had more values at the first visit (step ${ex.stepIndex})`);
      return c!.value;
    }
    const i = enabled!.indexOf(c!.value);
    if (i < 0) this.diverged(f, `after ${at}, thread ${c!.value} ran at the first visit but is not enabled here (step ${ex.stepIndex}; enabled: ${enabled!.join(', ')})`);
    return i;
  }

  /** The end of a checked hit: the same end state and outcome as the first visit's. */
  private checkFollow(ex: Execution, res: ExecResult, f: { w: Witness; pos: number; from: number; schedule: string }): void {
    const at = `the state reached at step ${f.from} by schedule [${f.schedule}]`;
    if (f.pos !== f.w.choices.length) this.diverged(f, `after ${at}, the execution ended after ${f.pos} of the first visit's ${f.w.choices.length} choices`);
    const end = endKey(ex, res);
    if (end !== f.w.end) this.diverged(f, `after ${at}, the first visit's choices end in another state:\n    first visit: ${f.w.end}\n    here:        ${end}`);
  }

  private diverged(f: { w: Witness; from: number; schedule: string }, what: string): never {
    throw new ModelError(
      `state caching: two ways to one state key have different futures, so the key misses something (the scenario's stateHash, or a thread's ex.programPoint): ${what}\n  first visit: schedule [${f.w.schedule}]`,
    );
  }

  /** After a terminal execution: each state first entered in it keeps the choices made after it, and the end (while hits are still checked). */
  private recordWitnesses(ex: Execution, res: ExecResult, from: number): void {
    const stack = this.stack;
    const choices: { kind: 'thread' | 'data'; value: number }[] = stack.map((n) => ({ kind: n.data ? 'data' : 'thread', value: n.chosen }));
    const end = endKey(ex, res);
    const schedule = choices.map((c) => c.value).join(',');
    for (let d = from; d < stack.length; d++) {
      const node = stack[d]!;
      if (node.key !== null) this.cache!.witness(node.key, { choices: choices.slice(d), end, schedule });
    }
  }

  /** The summary of the nearest thread node at or below stack index d. */
  private summaryOf(d: number): Summary | null {
    for (; d >= 0; d--) {
      const n = this.stack[d]!;
      if (!n.data) return n.summary;
    }
    return null;
  }

  /**
   * After an execution: its new steps, and the pending steps they left, join
   * the summaries of the nodes they ran from; the threads still parked at
   * the end join the last node's. If the execution stopped at a finished
   * state, that state's summary is checked against the way here
   * (summaryRaces) and joins the last node's too.
   */
  private summarise(ex: Execution, n: number, parkedAtEnd: boolean): void {
    for (let j = this.validFrom; j < n; j++) {
      const node = this.stack[this.stepNode[j]!];
      if (!node || node.summary === null) continue;
      node.summary.add(this.stepTid[j]!, this.stepFp[j]!);
      const pe = this.stepPend[j];
      if (pe) node.summary.add(this.stepTid[j]!, pe);
    }
    const last = this.summaryOf(this.stack.length - 1);
    if (last !== null && parkedAtEnd) for (const t of ex.liveThreads) last.add(t.id, pendingFp(ex, t.id, true));
    const hit = this.hit;
    if (hit === null) return;
    this.hit = null;
    if (this.opts.summaries !== false) this.summaryRaces(hit);
    last?.addAll(hit);
  }

  /**
   * The steps of a finished state's subtree, checked against the execution
   * that stopped at the state (the race state holds its steps): each step
   * of thread q races every step i of another thread that it depends on
   * and that q's steps so far do not happen after. The subtree's own steps
   * before it are not known here, so this happens-before is weaker than
   * the real one (more races, never fewer), and the initials of v are
   * known only among the execution's steps: when none is, every thread
   * enabled at i is added.
   */
  private summaryRaces(sum: Summary): void {
    const r = this.races;
    const W = r.width;
    const n = r.analysed;
    sum.forEach(({ tid: q, fp }) => {
      const lq = q < r.nthreads ? r.lastOf[q]! : -1;
      const nc = r.candidatesOf(fp);
      for (let c = 0; c < nc; c++) {
        const i = r.cands[c]!;
        const ti = r.tidOf[i]!;
        const cq = lq < 0 ? 0 : r.vcs[lq * W + ti]!;
        if (ti !== q && cq < r.local[i]!) this.summaryRace(i, n);
      }
    });
  }

  /** A race between step i and a step after the first n steps whose own predecessors are unknown. */
  private summaryRace(i: number, n: number): void {
    const r = this.races;
    const node = this.stack[this.stepNode[i]!];
    if (!node || node.data) return;
    const W = r.width;
    const ti = r.tidOf[i]!;
    const li = r.local[i]!;
    const firstLocal = r.firstLocal;
    firstLocal.fill(0);
    const initials = r.initials;
    let ni = 0;
    for (let k = i + 1; k < n; k++) {
      if (r.vcs[k * W + ti]! >= li) continue; // k happens after i: not in v
      const tk = r.tidOf[k]!;
      if (firstLocal[tk]! > 0) continue;
      if (isInitial(tk, r.vcs, k * W, firstLocal, r.nthreads)) initials[ni++] = tk;
      firstLocal[tk] = r.local[k]!;
    }
    let pick = -1;
    for (let a = 0; a < ni; a++) {
      const p = initials[a]!;
      if (node.backtrack.has(p)) return;
      if (pick < 0 && !node.sleep.has(p)) pick = p;
    }
    if (ni > 0 && pick < 0) return; // every initial sleeps: already covered
    if (pick >= 0 && node.enabled.includes(pick)) node.backtrack.add(pick);
    else for (const t of node.enabled) if (!node.sleep.has(t)) node.backtrack.add(t);
  }
}

/** How an execution ended, for checked hits: its outcome and its end state. */
function endKey(ex: Execution, res: ExecResult): string {
  return `${res.failure ? `${res.failure.kind}:${res.failure.spec}` : 'ok'} ${ex.stateKey()}`;
}

function sortedKeys(m: ReadonlyMap<number, unknown>): number[] {
  return [...m.keys()].sort((a, b) => a - b);
}

const NONE: number[] = [];
/** Plain DFS's hits carry no summary (it has no races to check). */
const NO_SUMMARY_HIT: Visit = { hit: new Summary(new EventTable()) };

/**
 * DPOR's view of thread tid's pending effect: its object (read when it is
 * the acquire of a commuting mutex, unless `strict`: at the end, or without commuting), plus a write of every
 * commuting mutex it holds if the effect is a wait (Effect.commuteBarrier).
 */
function pendingFp(ex: Execution, tid: number, strict: boolean): number[] {
  const pe = ex.pendingOf(tid);
  // exitWith: every step reads the process exit, the pending ones too, so a
  // thread left pending at the exit races it (and runs before it elsewhere).
  if (ex.exitObject >= 0 && pe) return pe.obj < 0 ? [ex.exitObject * 2] : [...pendingFpOf(ex, tid, pe, strict), ex.exitObject * 2];
  if (!pe || pe.obj < 0) return NONE;
  return pendingFpOf(ex, tid, pe, strict);
}

function pendingFpOf(ex: Execution, tid: number, pe: NonNullable<ReturnType<Execution['pendingOf']>>, strict: boolean): number[] {
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
/** One-lock lists of stepAcq/stepRel, shared (never mutated): most steps take or drop one lock. */
const LOCK1: number[][] = [];

/**
 * The locks held after a step and not before it (`acquired`), or before and
 * not after; a shared one-element list when there is one, NONE for none.
 */
function lockDiff(after: readonly { id: number }[], before: Int32Array, nBefore: number, acquired: boolean): readonly number[] {
  let out: number[] | null = null;
  let one = -1;
  const n = acquired ? after.length : nBefore;
  for (let x = 0; x < n; x++) {
    const id = acquired ? after[x]!.id : before[x]!;
    let found = false;
    if (acquired) for (let y = 0; y < nBefore && !found; y++) found = before[y] === id;
    else for (let y = 0; y < after.length && !found; y++) found = after[y]!.id === id;
    if (found) continue;
    if (one < 0 && out === null) one = id;
    else (out ??= [one]).push(id);
  }
  if (out !== null) return out;
  return one < 0 ? NONE : (LOCK1[one] ??= [one]);
}

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

