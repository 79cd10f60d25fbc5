/**
 * The state cache's compaction: the 128-bit digest of a state's text
 * (core/digest.ts), the digest walk that never builds the text
 * (Execution.stateDigest), and summaries as bit sets of numbered events
 * (strategies/state-cache.ts).
 */
import { describe, expect, it } from 'vitest';
import { Digest128, digest128, digestHex, StateDigest } from '../src/core/digest.ts';
import { Execution, RunContext } from '../src/core/execution.ts';
import { execOptions } from '../src/core/runner.ts';
import { EventTable, Summary } from '../src/core/strategies/state-cache.ts';
import { findScenario } from '../src/scenarios/registry.ts';

describe('digest128', () => {
  it('is 8 code units, and the same for the same text', () => {
    expect(digest128('netstack_g_lock').length).toBe(8);
    expect(digest128('netstack_g_lock')).toBe(digest128('netstack_' + 'g_lock'));
    expect(digestHex(digest128(''))).toMatch(/^[0-9a-f]{32}$/);
  });
  it('fed in pieces, gives the digest of the whole text, however it is split', () => {
    const text = 'TrackedNetstack{stackid:1,numzones:0,refcnt:0,flags:2}|0::36:3::taskq system_taskq takes a job::0';
    for (const cut of [[1], [2, 3], [5, 6, 7, 40], [text.length - 1]]) {
      const h = new Digest128();
      let from = 0;
      for (const c of cut) {
        h.put(text.slice(from, c));
        from = c;
      }
      h.put(text.slice(from));
      expect(h.done()).toBe(digest128(text));
    }
  });
  it('tells apart texts that differ in one character, in length, or by an odd last character', () => {
    const seen = new Set<string>();
    const texts: string[] = [];
    for (let n = 0; n < 200; n++) texts.push('x'.repeat(n));
    for (let c = 0; c < 2000; c++) texts.push(`ns${c}{refcnt:${c % 7}}`, `ns${c}{refcnt:${c % 7}} `);
    texts.push('a\u0000', 'a');
    for (const t of texts) seen.add(digest128(t));
    expect(seen.size).toBe(texts.length);
    // Every output lane moves when one input bit does.
    const a = digestHex(digest128('mutex_enter(ns1->netstack_lock)'));
    const b = digestHex(digest128('mutex_enter(ns1->netstack_lockl)'.slice(0, 30) + 'j)'));
    for (let lane = 0; lane < 4; lane++) expect(a.slice(lane * 8, lane * 8 + 8)).not.toBe(b.slice(lane * 8, lane * 8 + 8));
  });
});

describe('StateDigest (the tokens a state walk writes)', () => {
  type Tok = ['put' | 'str' | 'long', string] | ['num', number] | ['mark', number];
  function dig(toks: Tok[]): string {
    const h = new StateDigest();
    for (const [k, v] of toks) {
      if (k === 'num') h.num(v);
      else if (k === 'mark') h.mark(v);
      else h[k](v);
    }
    return h.done();
  }
  it('is the same for the same tokens and differs for tokens of another kind, value or order', () => {
    const streams: Tok[][] = [
      [],
      [['num', 12]],
      [['num', 1], ['num', 2]],
      [['put', '12']],
      [['str', '12']],
      [['put', '"12"']],
      [['mark', 0x31], ['mark', 0x32]],
      [['num', 1.5]],
      [['put', '1.5']],
      [['put', 'ab'], ['put', 'c']],
      [['put', 'abc']],
      [['put', 'c'], ['put', 'ab']],
      [['num', -1]],
      [['num', 2 ** 32]],
      [['num', 0]],
      [['long', '12']],
      [['put', 'x'.repeat(200)]],
      [['str', 'x'.repeat(200)]],
      [['put', 'x'.repeat(199)]],
    ];
    const seen = new Set(streams.map(dig));
    expect(seen.size).toBe(streams.length);
    for (const t of streams) expect(dig(t)).toBe(dig(t.map((x) => x.slice() as Tok)));
    // As String() renders them: 0 and -0 are one number.
    expect(dig([['num', -0]])).toBe(dig([['num', 0]]));
    expect(dig([['num', 12]])).toHaveLength(8);
  });
});

describe('Execution.stateDigest', () => {
  /** Run ns-lifecycle-vs-load-unload to step `at` on a fixed schedule, and give the execution there. */
  function at(step: number, pick: number): { digest: string | null; text: string | null } {
    const sc = findScenario('ns-lifecycle-vs-load-unload')!;
    let out: { digest: string | null; text: string | null } = { digest: null, text: null };
    const ex = new Execution(sc, execOptions(sc, {}, new RunContext(), false));
    ex.run({
      pickThread(e, enabled) {
        if (e.stepIndex === step) {
          out = { digest: e.stateDigest(), text: e.stateKey() };
          return -1;
        }
        return (e.stepIndex * pick) % enabled.length;
      },
      pickValue: () => 0,
    });
    return out;
  }
  it('is the same for the same state and differs where the text differs', () => {
    const states = [at(20, 7), at(20, 7), at(20, 3), at(35, 7), at(35, 5), at(50, 7)];
    for (const s of states) {
      expect(s.digest).not.toBeNull();
      expect(s.text!.length).toBeGreaterThan(1000);
    }
    for (const a of states) for (const b of states) expect(a.digest === b.digest).toBe(a.text === b.text);
    expect(new Set(states.map((s) => s.digest)).size).toBeGreaterThan(2);
  });
  it('is null where the scenario declares no state', () => {
    const sc = findScenario('nx-close-vs-detach')!;
    const ex = new Execution(sc, execOptions(sc, {}, new RunContext(), false));
    let d: string | null = 'unset';
    ex.run({
      pickThread(e) {
        d = e.stateDigest();
        return -1;
      },
      pickValue: () => 0,
    });
    expect(d).toBeNull();
  });
});

describe('Summary (bit set over an EventTable)', () => {
  it('keeps each (thread, footprint) once, joins by union, and lists what was added', () => {
    const table = new EventTable();
    const a = new Summary(table);
    const b = new Summary(table);
    a.add(0, [2, 4]);
    a.add(0, [2, 4]);
    a.add(1, [2, 4]);
    a.add(1, []); // an empty footprint is no event
    for (let i = 0; i < 70; i++) b.add(2, [i * 2 + 1]);
    expect(a.size).toBe(2);
    expect(b.size).toBe(70);
    a.addAll(b);
    expect(a.size).toBe(72);
    expect(b.size).toBe(70);
    const seen: string[] = [];
    a.forEach((e) => seen.push(`${e.tid}:${e.fp.join(',')}`));
    expect(seen.slice(0, 3)).toEqual(['0:2,4', '1:2,4', '2:1']);
    expect(new Set(seen).size).toBe(72);
    expect(table.size).toBe(72);
  });
});
