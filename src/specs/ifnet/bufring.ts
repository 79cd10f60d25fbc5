/**
 * Specs of buf_ring (Q-*): conservation, no read of an unpublished slot,
 * FIFO per producer. They read the ghost records of src/actors/ifnet/
 * bufring.ts and watch BufRing.ghostObj.
 */
import type { BufRing } from '../../actors/ifnet/bufring.ts';
import type { Ifqueue } from '../../actors/ifnet/qflush.ts';
import type { EndCheck, Invariant } from '../../core/spec.ts';

export interface HasRing {
  br: BufRing;
}

/**
 * Q-1 (while running): slots are claimed in ring order, each once per lap:
 * the k-th successful claim takes slot k mod size. A claim of any other slot
 * takes one another enqueue holds or the consumer already passed, and that
 * buffer or the other is lost.
 */
export const q1: Invariant<HasRing> = {
  name: 'Q-1',
  statement: 'every buffer enqueued is dequeued exactly once: the k-th enqueue claims slot k mod size (no slot claimed twice in one lap)',
  watches: ({ br }) => [br.ghostObj],
  check: ({ br }) => {
    for (let k = 0; k < br.claims.length; k++) {
      const c = br.claims[k]!;
      if (c.idx !== (k & br.mask)) return `${c.who}'s ${c.buf} claimed br_ring[${c.idx}], but the next free slot was ${k & br.mask}${k > 0 ? ` (${br.claims[k - 1]!.who} claimed ${br.claims[k - 1]!.idx} before it)` : ''}`;
    }
    return null;
  },
};

/** Q-1 at the end: the buffers dequeued are exactly the buffers enqueued, each once. */
export const q1End: EndCheck<HasRing> = {
  name: 'Q-1',
  statement: 'at the end every buffer enqueued was dequeued exactly once',
  check: ({ br }) => {
    const want = br.enqueued.map((e) => e.buf).sort().join(',');
    const got = [...br.dequeued].sort().join(',');
    return want === got ? null : `enqueued [${want}], dequeued [${got}]`;
  },
};

/** Q-2: the consumer never takes a slot no producer has written since it was last consumed. */
export const q2: Invariant<HasRing> = {
  name: 'Q-2',
  statement: 'the consumer never reads an unpublished slot',
  watches: ({ br }) => [br.ghostObj],
  check: ({ br }) => {
    const b = br.badReads[0];
    return b ? `the consumer took br_ring[${b.idx}] before it was written (got ${b.got ?? 'NULL'})` : null;
  },
};

/** Q-3: each producer's buffers are dequeued in the order it enqueued them. */
export const q3: Invariant<HasRing> = {
  name: 'Q-3',
  statement: "each producer's buffers are dequeued in the order it enqueued them",
  watches: ({ br }) => [br.ghostObj],
  check: ({ br }) => {
    const byWho = new Map<string, string[]>();
    for (const c of br.claims) byWho.set(c.who, [...(byWho.get(c.who) ?? []), c.buf]);
    for (const [who, bufs] of byWho) {
      const order = br.dequeued.filter((d) => bufs.includes(d));
      for (let i = 0; i < order.length; i++) if (order[i] !== bufs[i]) return `${who} enqueued ${bufs.join(', ')} but they came out ${order.join(', ')}`;
    }
    return null;
  },
};

export const ringInvariants: Invariant<HasRing>[] = [q1, q2, q3];

export interface HasIfq {
  q: Ifqueue;
}

/** Q-1 for an ifqueue: at the end every mbuf enqueued is still queued or was flushed, exactly once. */
export const ifqConservation: EndCheck<HasIfq> = {
  name: 'Q-1',
  statement: 'every mbuf enqueued is, at the end, either still on the queue or freed by the flush, exactly once',
  check: ({ q }) => {
    for (const m of q.enqueued) {
      const n = q.mbufs.filter((x) => x === m).length + q.flushed.filter((x) => x === m).length;
      if (n !== 1) return `${m}: ${n === 0 ? 'lost (neither queued nor freed: leaked)' : `queued or freed ${n} times`}`;
    }
    return null;
  },
};
