/**
 * What the state walk does with an object (state-walk.ts kindOf): the
 * brands are looked up once per prototype, so these are the cases where a
 * per-prototype answer could differ from asking the object itself.
 */
import { describe, expect, it } from 'vitest';
import { opaqueToGuard } from '../src/core/guard.ts';
import { constantForStateWalk, StateWalk, TextSink } from '../src/core/state-walk.ts';

function text(v: unknown): string {
  const sink = new TextSink();
  new StateWalk({}, sink).value(v);
  return sink.done();
}

class Opaque {
  v = 1;
  constructor(readonly id: number) {}
  stateKey(): string {
    return 'k';
  }
}
opaqueToGuard(Opaque.prototype);

describe('state walk: kinds of objects', () => {
  it('names an opaque class instance by id and stateKey, but walks one that carries the brand itself', () => {
    expect(text(new Opaque(3))).toBe('Opaque#3(k)');
    expect(text(opaqueToGuard(new Opaque(3)))).toBe('0Opaque{id:3,v:1,}');
  });
  it('names a constant by class, whether the brand is on the object (a Map too) or an opaque instance', () => {
    expect(text(constantForStateWalk(new Map([[1, 2]])))).toBe('~Map');
    expect(text(constantForStateWalk(new Opaque(3)))).toBe('~Opaque');
    expect(text(constantForStateWalk({ a: 1 }))).toBe('~');
    expect(text(new Map([[1, 2]]))).toBe('0M{1=>2,}');
  });
  it('sees a brand put on a prototype after the walk met its instances', () => {
    class Late {
      a = 1;
    }
    expect(text(new Late())).toBe('0Late{a:1,}');
    constantForStateWalk(Late.prototype);
    expect(text(new Late())).toBe('~Late');
    class Later {
      a = 1;
      readonly id = 7;
    }
    expect(text(new Later())).toBe('0Later{a:1,id:7,}');
    opaqueToGuard(Later.prototype);
    expect(text(new Later())).toBe('Later#7');
  });
  it('walks an object made from Array.prototype that is no array as an object, after real arrays', () => {
    const fake = Object.create(Array.prototype) as { q: number };
    fake.q = 5;
    expect(text([[1], fake])).toBe('0[1[1],2Array{q:5,}]');
  });
  it('refuses a generator in the state', () => {
    function* g(): Generator<number> {
      yield 1;
    }
    expect(() => text({ g: g() })).toThrow(/generator/);
  });
});
