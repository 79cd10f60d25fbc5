/**
 * The state cache of stateful DPOR: the states whose subtree the search has
 * finished, each with the sleep set it was explored with and a summary of
 * what its subtree did.
 *
 * Why a summary: stateless DPOR adds backtrack points from the races between
 * the steps of one execution. A search that stops at a state it has seen
 * before does not run the steps after it, so the races between those steps
 * and the new way to the state would be lost (the unsoundness of naive state
 * caching with DPOR). The summary keeps, for a finished state, every step its
 * subtree ran and every pending step it saw, as (thread, footprint) pairs;
 * at a hit the search checks each of them against the steps that led to the
 * state, as if it had run them there (DfsStrategy.summaryRaces; the idea of
 * Yang, Chen, Gopalakrishnan and Kirby, "Efficient stateful dynamic partial
 * order reduction", SPIN 2008, with the summary kept per state instead of as
 * a graph).
 *
 * When a hit may prune: the state's subtree is finished (closed), and the
 * threads asleep at its visit are asleep now too. A thread asleep then and
 * awake now was not explored from the state, and now it must be. A state
 * still on the search stack (a cycle) is never a hit: its summary is not
 * complete yet.
 *
 * A partial hit: a finished visit whose sleepers are not all asleep now
 * still covers every schedule from the state except those that can start
 * with one of its sleepers. So the new visit explores only the sleepers
 * that woke (the first visit's other threads count as done there, without
 * putting them to sleep in the new branches: the first visit explored them
 * with the woken threads asleep), and the first visit's summary is checked
 * against the way to the state as a hit's is. When the new visit finishes,
 * the state is covered except for schedules that start with a thread asleep
 * now: each finished visit is kept with its own sleepers and summary
 * (closed), and a later visit is a hit if one of them sleeps within it.
 */

/** A step (or a pending step) of thread `tid` with footprint `fp`, as DPOR's races see it. */
export interface SubtreeEvent {
  readonly tid: number;
  readonly fp: readonly number[];
}

/**
 * The subtree events one search has met, each numbered once. A summary is a
 * set of these numbers, so that joining a child's summary into its parent's
 * (at every finished node) is a word-wise or, and a finished state keeps a
 * bit set rather than a copy of every event.
 */
export class EventTable {
  private readonly ids = new Map<string, number>();
  private readonly events: SubtreeEvent[] = [];
  /** The number of (tid, fp), numbering it if it is new. */
  id(tid: number, fp: readonly number[]): number {
    const k = `${tid}:${fp.join(',')}`;
    let i = this.ids.get(k);
    if (i === undefined) {
      i = this.events.length;
      this.ids.set(k, i);
      this.events.push({ tid, fp });
    }
    return i;
  }
  event(i: number): SubtreeEvent {
    return this.events[i]!;
  }
  get size(): number {
    return this.events.length;
  }
}

const NO_WORDS = new Uint32Array(0);

/** A set of subtree events (numbers of one EventTable), without repeats. */
export class Summary {
  private words: Uint32Array = NO_WORDS;
  constructor(private readonly table: EventTable) {}
  add(tid: number, fp: readonly number[]): void {
    if (fp.length === 0) return;
    const i = this.table.id(tid, fp);
    const w = i >>> 5;
    if (w >= this.words.length) this.grow(w + 1);
    this.words[w]! |= 1 << (i & 31);
  }
  addAll(o: Summary): void {
    const ow = o.words;
    if (ow.length > this.words.length) this.grow(ow.length);
    const mine = this.words;
    for (let w = 0; w < ow.length; w++) mine[w]! |= ow[w]!;
  }
  private grow(n: number): void {
    // Room for the events numbered so far: the table only grows.
    const next = new Uint32Array(Math.max(n, (this.table.size + 31) >>> 5));
    next.set(this.words);
    this.words = next;
  }
  get size(): number {
    let n = 0;
    for (let w = 0; w < this.words.length; w++) {
      let x = this.words[w]!;
      while (x !== 0) {
        x &= x - 1;
        n++;
      }
    }
    return n;
  }
  /** Call f on every event of the set, in numbering order. */
  forEach(f: (e: SubtreeEvent) => void): void {
    const words = this.words;
    for (let w = 0; w < words.length; w++) {
      let x = words[w]!;
      while (x !== 0) {
        const b = 31 - Math.clz32(x & -x);
        x &= x - 1;
        f(this.table.event((w << 5) | b));
      }
    }
  }
}

/** The choices (thread ids, data values) one terminal execution made after a state, and how it ended: what a checked hit must repeat. */
export interface Witness {
  readonly choices: readonly { kind: 'thread' | 'data'; value: number }[];
  readonly end: string;
  /** The whole execution's choices, for the error message. */
  readonly schedule: string;
}

/** A finished visit of a state: the threads asleep then (ascending) and what its subtree did. */
export interface ClosedVisit {
  readonly sleep: readonly number[];
  readonly summary: Summary;
}

/** What a visit of a state may do (StateCache.enter). */
export type Visit =
  /** Stop: a finished visit covers this one. */
  | { readonly hit: Summary }
  /** Explore only the threads in `wake` (asleep at the finished visit, awake now); the visit covers the rest. */
  | { readonly partial: ClosedVisit; readonly wake: readonly number[] };

interface Entry {
  /** Visits of the state now on the search stack. */
  open: number;
  /** The first terminal execution through the state, while hits are checked. */
  witness: Witness | null;
  /** The finished visits, none of whose sleepers include another's. */
  closed: ClosedVisit[] | null;
}

/** Every thread of a (ascending) is in b (ascending). */
function within(a: readonly number[], b: readonly number[]): boolean {
  let j = 0;
  for (const t of a) {
    while (j < b.length && b[j]! < t) j++;
    if (j === b.length || b[j] !== t) return false;
    j++;
  }
  return true;
}

/** Keep at most this many finished visits per state (the rest are dropped: fewer hits, still sound). */
const MAX_CLOSED = 4;

export class StateCache {
  private readonly entries = new Map<string, Entry>();
  /** The events of every summary of this search. */
  readonly events = new EventTable();
  /** Distinct states seen. */
  get states(): number {
    return this.entries.size;
  }
  /**
   * Whether a visit of `key` with these threads asleep may stop (a hit),
   * may explore only some threads (partial, when `partial` is allowed), or
   * must explore the state (null; the visit is then recorded as open).
   */
  enter(key: string, asleep: ReadonlySet<number> | ReadonlyMap<number, unknown>, partial = false): Visit | null {
    let e = this.entries.get(key);
    if (e === undefined) this.entries.set(key, (e = { open: 0, witness: null, closed: null }));
    const cs = e.closed;
    if (cs !== null) {
      let best: ClosedVisit | null = null;
      let bestAwake = Infinity;
      for (const c of cs) {
        let awake = 0;
        for (const t of c.sleep) if (!asleep.has(t)) awake++;
        if (awake === 0) return { hit: c.summary };
        if (awake < bestAwake) {
          best = c;
          bestAwake = awake;
        }
      }
      if (partial && best !== null) {
        e.open++;
        return { partial: best, wake: best.sleep.filter((t) => !asleep.has(t)) };
      }
    }
    e.open++;
    return null;
  }
  /** The state was entered before (plain DFS: any visit, open or finished, is a hit). */
  seen(key: string): boolean {
    return this.entries.has(key);
  }
  /** Keep w as the state's witness, unless it has one. */
  witness(key: string, w: Witness): void {
    const e = this.entries.get(key);
    if (e && e.witness === null) e.witness = w;
  }
  witnessOf(key: string): Witness | null {
    return this.entries.get(key)?.witness ?? null;
  }
  /**
   * A visit entered with enter() finished: its subtree is explored, except
   * for schedules that start with a thread of `sleep`. Kept unless a
   * finished visit with fewer sleepers (a subset) covers it.
   */
  close(key: string, sleep: readonly number[], summary: Summary): void {
    const e = this.entries.get(key)!;
    e.open--;
    if (e.closed === null) {
      e.closed = [{ sleep, summary }];
      return;
    }
    for (const c of e.closed) if (within(c.sleep, sleep)) return;
    // A visit whose sleepers include all of this one's is covered by it now.
    const kept = e.closed.filter((c) => !within(sleep, c.sleep));
    if (kept.length < MAX_CLOSED) kept.push({ sleep, summary });
    e.closed = kept;
  }
}
