/**
 * The state walk: a canonical text of a scenario's state and its threads'
 * declared frames, for state caching of models that do not write a
 * stateHash by hand (Scenario.stateWalk).
 *
 * The walk starts at what setup() returned and follows every field,
 * element, Map entry and Set member, as the access guard's walk does.
 * Plain objects (the model's own kernel structures: netstack_t, the zone
 * table, the monitors' ghost maps) are numbered in the order the walk first
 * meets them and written out once, later meetings by number, so that two
 * states whose object graphs are the same up to which JavaScript object is
 * which give the same text, and two states that differ in any reachable
 * value do not. Instances of classes the guard does not walk
 * (opaqueToGuard on the prototype: kernel primitives, machines, the
 * engine's objects) are named by their engine object id (the id their
 * footprints use) and their stateKey(), or by their class; single objects
 * the guard skips (ghost lists) are walked like any other. Objects marked
 * constantForStateWalk (compiled machine tables) are named by their class.
 * A function is named by its name: a model that keeps
 * closures in its state (a taskq job) must give each one a name that says
 * what it captured.
 *
 * Map entries and Set members with primitive keys are written in key order
 * (a Map filled in another order is the same state); with object keys, in
 * insertion order (a finer key: sound, fewer hits).
 *
 * The walk writes into a sink: the text (Execution.stateKey, for reports
 * and checked hits), or its 128-bit digest (Execution.stateDigest, what the
 * state cache keeps; digest.ts), so that the text of a state is never built
 * for the cache.
 *
 * Not per step: only state caching calls it, once per state reached.
 */
import { OPAQUE_TO_GUARD, prototypesBranded } from './guard.ts';

/** Brand of objects that never change during an execution (compiled machine tables): the walk names them by class only. */
export const STATE_WALK_CONSTANT: unique symbol = Symbol('nsm.state-walk-constant');

/** Mark one object (or a class's instances, on its prototype) as constant for the state walk. */
export function constantForStateWalk<T extends object>(target: T): T {
  Object.defineProperty(target, STATE_WALK_CONSTANT, { value: true, enumerable: false });
  if (Object.prototype.hasOwnProperty.call(target, 'constructor')) KINDS.clear();
  return target;
}

/**
 * Where the walk writes: tokens (raw text, string values, numbers,
 * punctuation), rendered as the text itself by TextSink or mixed into a
 * digest by StateDigest (digest.ts).
 */
export interface StateSink {
  /** Raw text. */
  put(s: string): void;
  /** Raw text that is not repeated from state to state (a scenario's stateHash). */
  long(s: string): void;
  /** A string value (quoted in the text). */
  str(s: string): void;
  /** A number. */
  num(n: number): void;
  /** One punctuation character, by code. */
  mark(code: number): void;
  /** A literal of the walk (LITERALS), by number. */
  lit(n: number): void;
}

/** The walk's literals, by number: what the text writes for each. */
export const LITERALS = ['true', 'false', 'null', 'undefined', 'fn:', 'ex', '~'] as const;
const TRUE = 0;
const FALSE = 1;
const NULL = 2;
const UNDEFINED = 3;
const FN = 4;
const ENGINE = 5;
const TILDE = 6;

/** A sink that keeps the text. */
export class TextSink implements StateSink {
  private readonly parts: string[] = [];
  put(s: string): void {
    this.parts.push(s);
  }
  long(s: string): void {
    this.parts.push(s);
  }
  str(s: string): void {
    this.parts.push(JSON.stringify(s));
  }
  num(n: number): void {
    this.parts.push(String(n));
  }
  mark(code: number): void {
    this.parts.push(String.fromCharCode(code));
  }
  lit(n: number): void {
    this.parts.push(LITERALS[n]!);
  }
  done(): string {
    return this.parts.join('');
  }
}

/** Punctuation of the state text, by character code (the walk's, and Execution.writeState's). */
export const AT = 0x40; // @: an object met before, by number
export const LBRACKET = 0x5b;
export const RBRACKET = 0x5d;
export const LBRACE = 0x7b;
export const RBRACE = 0x7d;
export const COMMA = 0x2c;
export const COLON = 0x3a;
export const HASH = 0x23; // a shape number, or an engine object id
export const LPAREN = 0x28;
export const RPAREN = 0x29;
export const BAR = 0x7c; // | between the engine's parts
export const DOT = 0x2e;
const MAP = 0x4d; // M{ opens a Map
const SET = 0x53; // S{ opens a Set
const ARROW = 0x3e; // => (written as = and >)
const EQUALS = 0x3d;

export class StateWalk {
  private readonly ids = new Map<object, number>();
  /**
   * @param shapes write each object's shape by number instead of its class
   *   and field names (for a digest: the text is then not meant to be read)
   */
  constructor(
    private readonly engine: object,
    private readonly out: StateSink,
    private readonly shapes = false,
  ) {}

  /** Write the canonical text of v (objects met before, by number). */
  value(v: unknown): this {
    this.write(v, 0);
    return this;
  }
  /** Write raw text (a separator, a frame name). */
  raw(s: string): this {
    this.out.put(s);
    return this;
  }

  private write(v: unknown, depth: number): void {
    const out = this.out;
    switch (typeof v) {
      case 'string':
        out.str(v);
        return;
      case 'number':
        out.num(v);
        return;
      case 'boolean':
        out.lit(v ? TRUE : FALSE);
        return;
      case 'undefined':
        out.lit(UNDEFINED);
        return;
      case 'bigint':
        out.put(`${v}n`);
        return;
      case 'symbol':
        out.put(v.toString());
        return;
      case 'function':
        out.lit(FN);
        out.put(v.name);
        return;
    }
    if (v === null) {
      out.lit(NULL);
      return;
    }
    const o = v as object;
    if (o === this.engine) {
      out.lit(ENGINE);
      return;
    }
    const kind = kindOf(o);
    if (kind === CONSTANT) {
      out.lit(TILDE);
      out.put(ctorName(o));
      return;
    }
    if (kind === OPAQUE) {
      // An instance of a class the guard does not walk: a primitive, a
      // machine, the engine's own. Its state is what its stateKey() says.
      const id = (o as { id?: unknown }).id;
      const sk = (o as { stateKey?: unknown }).stateKey;
      if (typeof id === 'number') {
        out.put(ctorName(o));
        out.mark(HASH);
        out.num(id);
      } else {
        out.lit(TILDE);
        out.put(ctorName(o));
      }
      if (typeof sk === 'function') {
        out.mark(LPAREN);
        out.put((sk as () => string).call(o));
        out.mark(RPAREN);
      }
      return;
    }
    const seen = this.ids.get(o);
    if (seen !== undefined) {
      out.mark(AT);
      out.num(seen);
      return;
    }
    const id = this.ids.size;
    this.ids.set(o, id);
    if (depth > 64) throw new Error('state walk: the scenario state is nested more than 64 deep');
    const d = depth + 1;
    out.num(id);
    if (kind === ARRAY) {
      const a = o as unknown as ArrayLike<unknown>;
      out.mark(LBRACKET);
      for (let i = 0; i < a.length; i++) {
        if (i > 0) out.mark(COMMA);
        this.write(a[i], d);
      }
      out.mark(RBRACKET);
      return;
    }
    if (kind === MAP_KIND) {
      const m = o as Map<unknown, unknown>;
      out.mark(MAP);
      out.mark(LBRACE);
      if (m.size > 0) {
        const entries = [...m.entries()];
        if (entries.length > 1 && entries.every(([k]) => isPrimitive(k))) entries.sort(([a], [b]) => cmpPrimitive(a, b));
        for (const [k, x] of entries) {
          this.write(k, d);
          out.mark(EQUALS);
          out.mark(ARROW);
          this.write(x, d);
          out.mark(COMMA);
        }
      }
      out.mark(RBRACE);
      return;
    }
    if (kind === SET_KIND) {
      const st = o as Set<unknown>;
      out.mark(SET);
      out.mark(LBRACE);
      if (st.size > 0) {
        const members = [...st];
        if (members.length > 1 && members.every(isPrimitive)) members.sort(cmpPrimitive);
        for (const k of members) {
          this.write(k, d);
          out.mark(COMMA);
        }
      }
      out.mark(RBRACE);
      return;
    }
    const keys = Object.keys(o);
    if (this.shapes) {
      // A digest: the object's shape by number, then its values.
      out.mark(HASH);
      out.num(shapeOf(o, keys));
      out.mark(LBRACE);
      for (let i = 0; i < keys.length; i++) {
        this.write((o as Record<string, unknown>)[keys[i]!], d);
        out.mark(COMMA);
      }
    } else {
      out.put(ctorName(o));
      out.mark(LBRACE);
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i]!;
        out.put(k);
        out.mark(COLON);
        this.write((o as Record<string, unknown>)[k], d);
        out.mark(COMMA);
      }
    }
    out.mark(RBRACE);
  }
}

/**
 * What the walk does with an object: named as a constant, named by its
 * stateKey() (opaque), or walked as an array, a Map, a Set or a plain
 * object. The brands are asked of the object's prototype once per
 * prototype, not of every object (asking an object for a symbol it lacks
 * walks its prototype chain), and the cache starts again whenever a
 * prototype is branded. Brands on a single object are own properties
 * (constantForStateWalk(o); opaqueToGuard(o) on a ghost list, which the walk
 * walks as any other object), asked of each object with one hasOwnProperty.
 * The same answers as asking each object for both brands (test/state-walk-kinds.test.ts).
 */
const PLAIN = 0;
const CONSTANT = 1;
const OPAQUE = 2;
const ARRAY = 3;
const MAP_KIND = 4;
const SET_KIND = 5;
const KINDS = new Map<object | null, number>();
let kindsBranded = -1;

function kindOf(o: object): number {
  if (kindsBranded !== prototypesBranded) {
    KINDS.clear();
    kindsBranded = prototypesBranded;
  }
  const proto = Object.getPrototypeOf(o) as object | null;
  let k = KINDS.get(proto);
  if (k === undefined) {
    const branded = proto as { [STATE_WALK_CONSTANT]?: boolean; [OPAQUE_TO_GUARD]?: boolean } | null;
    if (branded !== null && branded[STATE_WALK_CONSTANT]) k = CONSTANT;
    else if (branded !== null && branded[OPAQUE_TO_GUARD]) k = OPAQUE;
    else k = structuralKind(o);
    KINDS.set(proto, k);
  }
  if (k === CONSTANT || Object.prototype.hasOwnProperty.call(o, STATE_WALK_CONSTANT)) return CONSTANT;
  // An opaque class's instance that carries the brand itself is walked (the old rule: inherited brands only).
  if (k === OPAQUE) return Object.prototype.hasOwnProperty.call(o, OPAQUE_TO_GUARD) ? structuralKind(o) : OPAQUE;
  // Array-ness is the object's own (Object.create(Array.prototype) is no array).
  if (k === ARRAY && !Array.isArray(o) && !ArrayBuffer.isView(o)) return structuralKind(o);
  return k;
}

function structuralKind(o: object): number {
  if (Array.isArray(o) || ArrayBuffer.isView(o)) return ARRAY;
  if (o instanceof Map) return MAP_KIND;
  if (o instanceof Set) return SET_KIND;
  if (Object.prototype.toString.call(o) === '[object Generator]') {
    throw new Error('state walk: a generator object is part of the scenario state; its frame cannot be read (declare what it holds with ex.frame instead)');
  }
  return PLAIN;
}

/**
 * Shapes: a class and the names of an object's own fields, in order,
 * numbered the first time any walk in this process meets them. A digest walk
 * writes the number instead of the names (the same text for the same shape,
 * another for any other), which is a third of a netstack state's text.
 * Each class keeps the shapes it was seen with, most recent first, so that
 * the common case is a comparison of a few interned names.
 */
const SHAPES = new Map<string, number>();
const SHAPES_OF = new Map<unknown, { keys: readonly string[]; id: number }[]>();

function shapeOf(o: object, keys: readonly string[]): number {
  const ctor = (o as { constructor?: unknown }).constructor;
  let seen = SHAPES_OF.get(ctor);
  if (seen === undefined) SHAPES_OF.set(ctor, (seen = []));
  for (let j = 0; j < seen.length; j++) {
    const sh = seen[j]!;
    if (sameKeys(sh.keys, keys)) return sh.id;
  }
  const name = `${ctorName(o)}{${keys.join(',')}`;
  let id = SHAPES.get(name);
  if (id === undefined) SHAPES.set(name, (id = SHAPES.size));
  seen.unshift({ keys: keys.slice(), id });
  if (seen.length > 16) seen.pop();
  return id;
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function ctorName(o: object): string {
  const c = (o as { constructor?: { name?: string } }).constructor;
  return c && c !== Object ? (c.name ?? '?') : '';
}

function isPrimitive(k: unknown): boolean {
  return k === null || (typeof k !== 'object' && typeof k !== 'function');
}

/** Primitive keys in one order whatever the insertion order: by type, then numbers by value, others by their text. */
function cmpPrimitive(a: unknown, b: unknown): number {
  const ta = typeof a;
  const tb = typeof b;
  if (ta !== tb) return ta < tb ? -1 : 1;
  if (ta === 'number') return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : Object.is(a, b) ? 0 : String(a) < String(b) ? -1 : 1;
  const x = ta === 'string' ? (a as string) : String(a);
  const y = tb === 'string' ? (b as string) : String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
