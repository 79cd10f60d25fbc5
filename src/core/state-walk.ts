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
 * Not per step: only state caching calls it, once per state reached.
 */
import { OPAQUE_TO_GUARD } from './guard.ts';

/** Brand of objects that never change during an execution (compiled machine tables): the walk names them by class only. */
export const STATE_WALK_CONSTANT: unique symbol = Symbol('nsm.state-walk-constant');

/** Mark one object (or a class's instances, on its prototype) as constant for the state walk. */
export function constantForStateWalk<T extends object>(target: T): T {
  Object.defineProperty(target, STATE_WALK_CONSTANT, { value: true, enumerable: false });
  return target;
}

export class StateWalk {
  private readonly ids = new Map<object, number>();
  private out = '';
  constructor(private readonly engine: object) {}

  /** Append the canonical text of v (objects met before, by number). */
  value(v: unknown): this {
    this.out += this.text(v, 0);
    return this;
  }
  /** Append raw text (a separator, a frame name). */
  raw(s: string): this {
    this.out += s;
    return this;
  }
  done(): string {
    return this.out;
  }

  private text(v: unknown, depth: number): string {
    switch (typeof v) {
      case 'string':
        return JSON.stringify(v);
      case 'number':
      case 'boolean':
      case 'undefined':
        return String(v);
      case 'bigint':
        return `${v}n`;
      case 'symbol':
        return v.toString();
      case 'function':
        return `fn:${v.name}`;
    }
    if (v === null) return 'null';
    const o = v as object;
    if (o === this.engine) return 'ex';
    if ((o as { [STATE_WALK_CONSTANT]?: boolean })[STATE_WALK_CONSTANT]) return `~${ctorName(o)}`;
    if ((o as { [OPAQUE_TO_GUARD]?: boolean })[OPAQUE_TO_GUARD] && !Object.prototype.hasOwnProperty.call(o, OPAQUE_TO_GUARD)) {
      // An instance of a class the guard does not walk: a primitive, a
      // machine, the engine's own. Its state is what its stateKey() says.
      const id = (o as { id?: unknown }).id;
      const sk = (o as { stateKey?: unknown }).stateKey;
      const name = typeof id === 'number' ? `${ctorName(o)}#${id}` : `~${ctorName(o)}`;
      return typeof sk === 'function' ? `${name}(${(sk as () => string).call(o)})` : name;
    }
    const seen = this.ids.get(o);
    if (seen !== undefined) return `@${seen}`;
    const id = this.ids.size;
    this.ids.set(o, id);
    if (depth > 64) throw new Error('state walk: the scenario state is nested more than 64 deep');
    const d = depth + 1;
    if (Array.isArray(o) || ArrayBuffer.isView(o)) {
      const a = o as unknown as ArrayLike<unknown>;
      let s = `${id}[`;
      for (let i = 0; i < a.length; i++) s += `${i > 0 ? ',' : ''}${this.text(a[i], d)}`;
      return `${s}]`;
    }
    if (o instanceof Map) {
      const entries = [...o.entries()];
      if (entries.every(([k]) => isPrimitive(k))) entries.sort(([a], [b]) => cmpPrimitive(a, b));
      let s = `${id}M{`;
      for (const [k, x] of entries) s += `${this.text(k, d)}=>${this.text(x, d)},`;
      return `${s}}`;
    }
    if (o instanceof Set) {
      const members = [...o];
      if (members.every(isPrimitive)) members.sort(cmpPrimitive);
      let s = `${id}S{`;
      for (const k of members) s += `${this.text(k, d)},`;
      return `${s}}`;
    }
    if (Object.prototype.toString.call(o) === '[object Generator]') {
      throw new Error('state walk: a generator object is part of the scenario state; its frame cannot be read (declare what it holds with ex.frame instead)');
    }
    let s = `${id}${ctorName(o)}{`;
    for (const k of Object.keys(o)) s += `${k}:${this.text((o as Record<string, unknown>)[k], d)},`;
    return `${s}}`;
  }
}

function ctorName(o: object): string {
  const c = (o as { constructor?: { name?: string } }).constructor;
  return c && c !== Object ? (c.name ?? '?') : '';
}

function isPrimitive(k: unknown): boolean {
  return k === null || (typeof k !== 'object' && typeof k !== 'function');
}

function cmpPrimitive(a: unknown, b: unknown): number {
  const x = `${typeof a}:${String(a)}`;
  const y = `${typeof b}:${String(b)}`;
  return x < y ? -1 : x > y ? 1 : 0;
}
