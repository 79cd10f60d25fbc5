/**
 * fb-bufring-mpsc (FB-BUFRING-MPSC, log L193-199): two producers (T1
 * enqueues a1 then a2, T2 enqueues b1, as two CPUs' if_transmit) and the
 * driver's single consumer C on one buf_ring of 4 slots. C dequeues once
 * while they run, then waits for them (join) and drains the ring. Fixed:
 * the ring as committed. Mutants fb-bufring-no-cas (Q-1),
 * fb-bufring-tail-before-slot (Q-2), fb-bufring-no-tail-wait (Q-2),
 * fb-bufring-slot-load-early (Q-2: the consumer's loads reordered).
 */
import type { KThread } from '../../core/effect.ts';
import type { Execution } from '../../core/execution.ts';
import { join } from '../../core/ops.ts';
import { defineScenario } from '../../core/scenario.ts';
import { BufRing, bufRingDequeueSc, bufRingEnqueue } from '../../actors/ifnet/bufring.ts';
import { ifqConservation, q1End, ringInvariants } from '../../specs/ifnet/bufring.ts';
import { Ifqueue, ifqEnqueue, ifQflush } from '../../actors/ifnet/qflush.ts';
import { Mtx } from '../../actors/ifnet/mtx.ts';
import { KMem } from '../../locks/kmem.ts';

interface S {
  br: BufRing;
}

function* producer(ex: Execution, br: BufRing, bufs: readonly string[]): KThread<void> {
  for (const b of bufs) yield* bufRingEnqueue(ex, br, b);
}

export const fbBufringMpsc = defineScenario<S>({
  name: 'fb-bufring-mpsc',
  description: 'two producers and one consumer on a lockless buf_ring (CAS on prod_head, slot store, ordered prod_tail)',
  system: 'freebsd',
  threads: 3,
  mutants: ['fb-bufring-no-cas', 'fb-bufring-tail-before-slot', 'fb-bufring-no-tail-wait', 'fb-bufring-slot-load-early'],
  granularity: 'every load and store of br_prod_head, br_prod_tail, br_cons_head/tail and a slot; the CAS is one step; the wait for br_prod_tail is a spin-wait; sequentially consistent (no store buffer)',
  setup(ex) {
    const br = new BufRing(ex, 'br', 4);
    const t1 = ex.spawn('T1', producer(ex, br, ['a1', 'a2']));
    const t2 = ex.spawn('T2', producer(ex, br, ['b1']));
    ex.spawn(
      'C',
      (function* (): KThread<void> {
        yield* bufRingDequeueSc(ex, br);
        yield* join(ex, t1.id);
        yield* join(ex, t2.id);
        while ((yield* bufRingDequeueSc(ex, br)) !== null);
      })(),
    );
    return { br };
  },
  snapshot: ({ br }) => ({
    ring: br.ring.map((s) => `${s.buf ?? '-'}${s.fresh ? '*' : ''}`).join(' '),
    words: `prod ${br.prodHead}/${br.prodTail} cons ${br.consHead}/${br.consTail}`,
  }),
  invariants: ringInvariants,
  endChecks: [q1End],
});

/**
 * fb-qflush-vs-transmit (FB-QFLUSH-vs-TRANSMIT, log L197-200): ed0's send
 * queue holds m0; T1 transmits m1 (IFQ_ENQUEUE under IFQ_LOCK), T2 flushes
 * the queue (if_qflush). Fixed (if.c as written): the flush holds IFQ_LOCK.
 * Mutant fb-qflush-unlocked: an enqueue between the flush's load of
 * ifq_head and its clearing store is lost (Q-1).
 */
export const fbQflushVsTransmit = defineScenario<{ q: Ifqueue }>({
  name: 'fb-qflush-vs-transmit',
  description: 'if_qflush of a send queue while a transmit enqueues on it',
  system: 'freebsd',
  threads: 2,
  mutants: ['fb-qflush-unlocked'],
  granularity: 'mtx_lock(ifq_mtx); in the mutant, each load and store of ifq_head/ifq_tail/ifq_len and of an m_nextpkt link',
  setup(ex) {
    const q = new Ifqueue(ex, 'ed0.if_snd', new Mtx(ex, 'ed0.if_snd.ifq_mtx', 'ifq_mtx', new KMem(ex, 'ifnet ed0')));
    q.mbufs = ['m0'];
    q.enqueued.push('m0');
    ex.spawn('T1', ifqEnqueue(ex, q, 'm1'));
    ex.spawn('T2', ifQflush(ex, q));
    return { q };
  },
  snapshot: ({ q }) => ({ queue: q.mbufs.join(' ') || '(empty)', flushed: q.flushed.join(' ') }),
  endChecks: [ifqConservation],
});
