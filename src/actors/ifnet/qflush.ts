/**
 * if_qflush against a transmit (log L197-200: if_transmit lets drivers keep
 * their own queues, and if_qflush is exposed to flush them). The queue is
 * an ifqueue (ifq_head, ifq_tail, ifq_len) protected by its IFQ_LOCK; a
 * transmit appends under the lock (IFQ_ENQUEUE); if_qflush, as if.c writes
 * it, takes the lock, frees every mbuf from ifq_head on and empties the
 * queue.
 *
 * Mutant fb-qflush-unlocked (a regression guard for a driver-managed
 * queue flushed without its lock, the case log L200 opens; not a commit):
 * the walk, the frees and the final stores are unlocked accesses, so an
 * enqueue between the load of ifq_head and the clearing store is lost.
 */
import type { KThread } from '../../core/effect.ts';
import type { Execution } from '../../core/execution.ts';
import { access, localAccess } from '../../core/ops.ts';
import { type Mtx, mtxLock, mtxUnlock } from './mtx.ts';
import { L } from './ifindex.ts';
import { fbBug } from './mutants.ts';

/** struct ifqueue with its mbufs by name; ghost records of what was queued and flushed. */
export class Ifqueue {
  /** ifq_head .. ifq_tail (and ifq_len = length); protected by lock. */
  mbufs: string[] = [];
  /** One object for the words ifq_head, ifq_tail, ifq_len and the m_nextpkt links. */
  readonly obj: number;
  /** Ghost object the Q-* specs watch. */
  readonly ghostObj: number;
  /** Ghost: every mbuf ever enqueued, and every mbuf freed by a flush (in order, duplicates kept). */
  readonly enqueued: string[] = [];
  readonly flushed: string[] = [];
  constructor(
    ex: Execution,
    readonly name: string,
    /** IFQ_LOCK (ifq_mtx). */
    readonly lock: Mtx,
  ) {
    this.obj = ex.newObject(`${name} ifq_head/ifq_tail/ifq_len`, 'word');
    this.ghostObj = ex.newObject(`${name} ghost`, 'ghost');
  }
}

/** IFQ_ENQUEUE(ifq, m) under IFQ_LOCK: *ifq_tail's m_nextpkt = m, ifq_tail = m, ifq_len++. Entry and exit: no lock held. */
export function* ifqEnqueue(_ex: Execution, q: Ifqueue, m: string): KThread<void> {
  yield* mtxLock(q.lock);
  yield* localAccess(q.obj, 'w', `IFQ_ENQUEUE(${m})`);
  q.mbufs = [...q.mbufs, m];
  q.enqueued.push(m);
  yield* localAccess(q.ghostObj, 'w', `enqueued ${m}`);
  yield* mtxUnlock(q.lock);
}

/** if_qflush(ifq). Entry and exit: no lock held. */
export function* ifQflush(ex: Execution, q: Ifqueue): KThread<void> {
  const unlocked = fbBug(ex, 'fb-qflush-unlocked');
  const acc = unlocked ? access : localAccess;
  if (!unlocked) yield* mtxLock(q.lock, L(200));
  yield* acc(q.obj, 'r', 'n = ifq_head');
  let rest = q.mbufs; // the chain from ifq_head, followed through m_nextpkt
  while (rest.length > 0) {
    const m = rest[0]!;
    yield* acc(q.obj, 'r', `n = ${m}->m_nextpkt; m_freem(${m})`);
    rest = q.mbufs.slice(q.mbufs.indexOf(m) + 1);
    q.flushed.push(m);
    yield* localAccess(q.ghostObj, 'w', `flushed ${m}`);
  }
  yield* acc(q.obj, 'w', 'ifq_head = ifq_tail = NULL; ifq_len = 0');
  q.mbufs = [];
  if (!unlocked) yield* mtxUnlock(q.lock, L(200));
}
