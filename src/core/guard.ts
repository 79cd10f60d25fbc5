/**
 * The access guard: DPOR is only as sound as the footprints the model
 * declares. A step that writes scenario state without declaring it (a field
 * written after a bare `preempt()` instead of an `access()`) is, to DPOR,
 * independent of every other step, and the orders that matter may never be
 * explored: DPOR can then answer "pass, complete" on a buggy model.
 *
 * The guard watches what each step really changes and checks it against the
 * footprints. After every step it walks the scenario state (what setup()
 * returned: plain objects, arrays, Maps, Sets and class instances; kernel
 * primitives, machines and the engine are opaque) into locations, one per
 * field, element, key or member, and diffs them with the walk before the
 * step. It keeps a vector clock per step from the footprints, as DPOR's
 * dependency relation orders steps (dporFootprint, plus thread creation
 * and the virtual clock).
 * A location written by steps of two threads that the footprints leave
 * unordered is a race DPOR cannot see: the guard fails the execution with
 * kind `undeclared-access`, naming both steps, their threads and the field.
 *
 * What it cannot see: reads (a step that only reads undeclared state leaves
 * nothing to diff; cross-check such a model with plain `dfs` on a small
 * bound), and writes whose value is restored within the same step. A write
 * by two steps that are ordered by the footprints (a lock both hold, a
 * thread start) is not reported, even if neither declared it: DPOR explores
 * both orders of that pair through the ordering it does see.
 */
import type { Execution } from './execution.ts';
import type { Failure } from './failure.ts';
import { dporFootprint } from './footprint.ts';

/** Brand of objects the guard does not walk into (kernel primitives, compiled machines). */
export const OPAQUE_TO_GUARD: unique symbol = Symbol('nsm.opaque-to-guard');

/**
 * Prototypes branded so far (objects with an own `constructor`): the state
 * walk keeps what it does with an object per prototype, and starts again
 * when this changes (state-walk.ts kindOf).
 */
export let prototypesBranded = 0;

/** Mark a class's instances (or one object) as not part of the model's own state. */
export function opaqueToGuard<T extends object>(target: T): T {
  Object.defineProperty(target, OPAQUE_TO_GUARD, { value: true, enumerable: false });
  if (Object.prototype.hasOwnProperty.call(target, 'constructor')) prototypesBranded++;
  return target;
}

/** The virtual clock as a pseudo-object (below every object id). */
const CLOCK = -1;

/** One walk of the state: its locations (key -> value), and the ids of the objects it went through. */
interface Walk {
  locs: Map<string, string>;
  reached: Set<number>;
}

/** The last write of one location: the step, its thread, and the thread's clock then. */
interface LastWrite {
  step: number;
  tid: number;
  epoch: number;
}

export class AccessGuard {
  /** Vector clock of each thread after its last step (index: thread id). */
  private readonly clock: number[][] = [];
  /** Per object (or invariant pseudo-object): clock of its last write, and the join of the reads since. */
  private readonly objWrite = new Map<number, number[]>();
  private readonly objReads = new Map<number, number[]>();
  private readonly last = new Map<string, LastWrite>();
  /** A location's path from the state, as last walked (reports name fields by path). */
  private readonly paths = new Map<string, string>();
  private before: Walk | null = null;
  private readonly ids = new WeakMap<object, number>();
  private nextId = 1;
  private knownThreads = 0;
  private lastNow = 0;

  constructor(private readonly ex: Execution) {}

  /** Walk the state set up by the scenario (before the first step). */
  start(): void {
    this.lastNow = this.ex.now;
    this.before = this.walk();
    this.adoptNewThreads(-1);
  }

  /**
   * After a step of thread tid with footprint fp[0..n): order it, diff the
   * state, and return the failure for a write racing an earlier one.
   */
  afterStep(tid: number, fp: Int32Array, n: number): Failure | null {
    const ex = this.ex;
    const vc = (this.clock[tid] ?? []).slice();
    vc[tid] = (vc[tid] ?? 0) + 1;
    const codes = dporFootprint(ex, fp, n);
    // The virtual clock advances only when no thread can run but a timer:
    // a step in which it moved comes after everything before it, and every
    // step after it comes after it (a callout at 20 after one at 5).
    codes.push(ex.now !== this.lastNow ? CLOCK * 2 + 1 : CLOCK * 2);
    this.lastNow = ex.now;
    for (const c of codes) {
      const o = c >> 1;
      join(vc, this.objWrite.get(o));
      if (c & 1) join(vc, this.objReads.get(o));
    }
    for (const c of codes) {
      const o = c >> 1;
      if (c & 1) {
        this.objWrite.set(o, vc.slice());
        this.objReads.delete(o);
      } else {
        const r = this.objReads.get(o);
        if (r) join(r, vc);
        else this.objReads.set(o, vc.slice());
      }
    }
    this.clock[tid] = vc;
    this.adoptNewThreads(tid);
    const after = this.walk();
    const before = this.before!;
    this.before = after;
    // A location counts only if the object holding it was reachable before
    // and after the step: fields of an object just allocated, or reached
    // again through a new reference, were not written by this step (the
    // reference to it was, and that is a location of its holder).
    const both = (loc: string) => {
      if (loc.charCodeAt(0) !== 64 /* @ */) return true;
      const id = Number.parseInt(loc.slice(1), 10);
      return before.reached.has(id) && after.reached.has(id);
    };
    const step = ex.stepIndex;
    let failure: Failure | null = null;
    const visit = (loc: string) => {
      if (failure) return;
      const prev = this.last.get(loc);
      if (prev && prev.tid !== tid && (vc[prev.tid] ?? 0) < prev.epoch) failure = this.report(loc, prev, step, tid);
      this.last.set(loc, { step, tid, epoch: vc[tid]! });
    };
    for (const [loc, v] of after.locs) if (before.locs.get(loc) !== v && both(loc)) visit(loc);
    for (const loc of before.locs.keys()) if (!after.locs.has(loc) && both(loc)) visit(loc);
    return failure;
  }

  /** Threads spawned by the step just run start with its clock (setup's: with none). */
  private adoptNewThreads(parent: number): void {
    const threads = this.ex.threadCount;
    for (let t = this.knownThreads; t < threads; t++) this.clock[t] = parent >= 0 ? this.clock[parent]!.slice() : [];
    this.knownThreads = threads;
  }

  private report(loc: string, prev: LastWrite, step: number, tid: number): Failure {
    const ex = this.ex;
    const a = ex.thread(prev.tid).name;
    const b = ex.thread(tid).name;
    return {
      kind: 'undeclared-access',
      spec: 'declared-accesses',
      message: `${this.paths.get(loc) ?? loc} written by ${a} (step ${prev.step}) and by ${b} (step ${step}), steps whose footprints do not order them: declare the access (access()/localAccess()) or DPOR may miss orders`,
      step,
      thread: b,
      details: [
        `step ${prev.step} (${a}) and step ${step} (${b}) both change ${this.paths.get(loc) ?? loc}`,
        'neither footprint orders the two steps (no object touched by both with a write, no lock both hold that the footprints record)',
      ],
    };
  }

  /** A Map key or Set member as text: objects by identity. */
  private keyName(k: unknown): string {
    if (k === null || (typeof k !== 'object' && typeof k !== 'function')) return typeof k === 'string' ? JSON.stringify(k) : String(k);
    return `@${this.idOf(k as object)}`;
  }

  /**
   * Every location of the scenario state, keyed by the object that holds it
   * and its field (`@id.field`, `@id[i]`, `@id.get(key)`, `@id.has(key)`):
   * value (objects by identity). Keys by identity, not path, so an object
   * reached by another path after a step is still the same locations.
   * `paths` gets each key's path from the state (for reports).
   */
  private walk(): Walk {
    const out = new Map<string, string>();
    const reached = new Set<number>();
    const paths = new Map<string, string>();
    const ex = this.ex;
    const seen = new Set<object>();
    const visit = (v: unknown, key: string, path: string, depth: number): void => {
      paths.set(key, path);
      if (v === null || typeof v !== 'object') {
        if (typeof v !== 'function') out.set(key, typeof v === 'string' ? JSON.stringify(v) : String(v));
        return;
      }
      if ((v as { [OPAQUE_TO_GUARD]?: boolean })[OPAQUE_TO_GUARD] || v === ex || depth > 64) return;
      const id = this.idOf(v);
      out.set(key, `@${id}`);
      if (seen.has(v)) return;
      seen.add(v);
      reached.add(id);
      const at = `@${id}`;
      if (Array.isArray(v) || ArrayBuffer.isView(v)) {
        const a = v as ArrayLike<unknown>;
        out.set(`${at}.length`, String(a.length));
        paths.set(`${at}.length`, `${path}.length`);
        for (let i = 0; i < a.length; i++) visit(a[i], `${at}[${i}]`, `${path}[${i}]`, depth + 1);
      } else if (v instanceof Map) {
        for (const [k, x] of v) visit(x, `${at}.get(${this.keyName(k)})`, `${path}.get(${this.keyName(k)})`, depth + 1);
      } else if (v instanceof Set) {
        for (const k of v) {
          out.set(`${at}.has(${this.keyName(k)})`, 'true');
          paths.set(`${at}.has(${this.keyName(k)})`, `${path}.has(${this.keyName(k)})`);
        }
      } else if (Object.prototype.toString.call(v) !== '[object Generator]') {
        for (const k of Object.keys(v)) visit((v as Record<string, unknown>)[k], `${at}.${k}`, `${path}.${k}`, depth + 1);
      }
    };
    visit(ex.state, 'state', 'state', 0);
    for (const [k, p] of paths) this.paths.set(k, p);
    return { locs: out, reached };
  }

  private idOf(o: object): number {
    let id = this.ids.get(o);
    if (id === undefined) this.ids.set(o, (id = this.nextId++));
    return id;
  }
}

function join(into: number[], from: number[] | undefined): void {
  if (!from) return;
  for (let i = 0; i < from.length; i++) if ((from[i] ?? 0) > (into[i] ?? 0)) into[i] = from[i]!;
}

