/**
 * buf_ring(9), the lockless multi-producer ring added with if_transmit (log
 * L193-196): buf_ring_enqueue (many producers) and buf_ring_dequeue_sc (one
 * consumer), as sys/sys/buf_ring.h of that commit writes them.
 *
 * No lock: every load and store of br_prod_head, br_prod_tail,
 * br_cons_head, br_cons_tail and a ring slot is an unlocked access (a
 * scheduling point); atomic_cmpset_int on br_prod_head is one step. The
 * wait for earlier producers (`while (br_prod_tail != prod_head)
 * cpu_spinwait()`) is a spin-wait (src/locks/spin.ts).
 *
 * Memory model: the engine runs every access sequentially consistent; it
 * has no store buffer, so a store that the hardware would make visible late
 * (the missing wmb() before the prod_tail store) cannot happen by itself.
 * Mutant fb-bufring-tail-before-slot expresses it as the reordering the
 * barrier forbids: the prod_tail store before the slot store in program
 * order. That is what a compiler, or a CPU that reorders stores with
 * stores (PSO or weaker: arm, powerpc; not TSO, whose store buffer drains
 * in order), may show another CPU. The consumer's half of the protocol, a
 * load of the slot passing the earlier load of br_prod_tail, is written the
 * same way (mutant fb-bufring-slot-load-early). What no code order
 * produces (stores seen in different orders by different CPUs) is not
 * modelled; docs/coverage/ifnet.md, "Memory model", says what that means
 * for the fixed ring's pass.
 *
 * Mutants (regression guards for the three ways the notes list to break
 * the protocol; not commits of the log): fb-bufring-no-cas (prod_head read
 * and written with plain accesses), fb-bufring-tail-before-slot,
 * fb-bufring-no-tail-wait (prod_tail published without waiting for the
 * producers that claimed earlier slots), and fb-bufring-slot-load-early.
 */
import type { KThread } from '../../core/effect.ts';
import type { Execution } from '../../core/execution.ts';
import { access, localAccess } from '../../core/ops.ts';
import { spinUntil } from '../../locks/spin.ts';
import { L } from './ifindex.ts';
import { fbBug } from './mutants.ts';

/** A ring slot's ghost content: the buffer and whether it is published-and-unconsumed data. */
export interface Slot {
  buf: string | null;
  /** Ghost: written by the producer that claimed it and not yet consumed. */
  fresh: boolean;
}

/** struct buf_ring. */
export class BufRing {
  prodHead = 0;
  prodTail = 0;
  consHead = 0;
  consTail = 0;
  readonly ring: Slot[];
  readonly mask: number;
  /** Objects: one per word, one per slot (each access names the word it touches). */
  readonly prodHeadObj: number;
  readonly prodTailObj: number;
  readonly consObj: number;
  readonly slotObj: number[];
  /** Ghost object written at every change the Q-* specs read. */
  readonly ghostObj: number;
  /** Ghost: positions claimed by each enqueue (producer, buf, index). */
  readonly claims: { who: string; buf: string; idx: number }[] = [];
  /** Ghost: buffers enqueued (returned 0) and dequeued, in order. */
  readonly enqueued: { who: string; buf: string }[] = [];
  readonly dequeued: string[] = [];
  /** Ghost: consumer reads of a slot that held no fresh buffer. */
  readonly badReads: { idx: number; got: string | null }[] = [];
  constructor(
    ex: Execution,
    readonly name: string,
    size: number,
  ) {
    this.ring = Array.from({ length: size }, () => ({ buf: null, fresh: false }));
    this.mask = size - 1;
    this.prodHeadObj = ex.newObject(`${name}.br_prod_head`, 'word');
    this.prodTailObj = ex.newObject(`${name}.br_prod_tail`, 'word');
    this.consObj = ex.newObject(`${name}.br_cons_head/br_cons_tail`, 'word');
    this.slotObj = this.ring.map((_, i) => ex.newObject(`${name}.br_ring[${i}]`, 'word'));
    this.ghostObj = ex.newObject(`${name} ghost`, 'ghost');
  }
}

/** The slot store `br->br_ring[prod_head] = buf`. */
function* writeSlot(br: BufRing, idx: number, buf: string): KThread<void> {
  yield* access(br.slotObj[idx]!, 'w', `br_ring[${idx}] = ${buf}`);
  br.ring[idx] = { buf, fresh: true };
}

/** The prod_tail store `br->br_prod_tail = prod_next` (after wmb()). */
function* publishTail(br: BufRing, next: number): KThread<void> {
  yield* access(br.prodTailObj, 'w', `br_prod_tail = ${next}`, L(193));
  br.prodTail = next;
}

/**
 * buf_ring_enqueue(br, buf). Entry and exit: no lock (critical_enter: no
 * preemption of this CPU by its own threads, other CPUs still run). Claims
 * a slot by CAS on br_prod_head (ENOBUFS if the ring is full), writes it,
 * waits until the earlier producers have published, publishes.
 */
export function* bufRingEnqueue(ex: Execution, br: BufRing, buf: string): KThread<number> {
  const who = ex.currentThread().name;
  let prodHead: number;
  let prodNext: number;
  for (;;) {
    yield* access(br.prodHeadObj, 'r', 'prod_head = br_prod_head');
    prodHead = br.prodHead;
    yield* access(br.consObj, 'r', 'cons_tail = br_cons_tail');
    const consTail = br.consTail;
    prodNext = (prodHead + 1) & br.mask;
    if (prodNext === consTail) return 55; // ENOBUFS
    if (fbBug(ex, 'fb-bufring-no-cas')) {
      yield* access(br.prodHeadObj, 'w', `br_prod_head = ${prodNext} (no CAS)`);
      br.prodHead = prodNext;
      break;
    }
    yield* access(br.prodHeadObj, 'w', `atomic_cmpset_int(&br_prod_head, ${prodHead}, ${prodNext})`, L(193));
    if (br.prodHead === prodHead) {
      br.prodHead = prodNext;
      break;
    }
  }
  br.claims.push({ who, buf, idx: prodHead });
  yield* localAccess(br.ghostObj, 'w', `${who} claims ${prodHead}`);
  const early = fbBug(ex, 'fb-bufring-tail-before-slot');
  if (early) {
    if (!fbBug(ex, 'fb-bufring-no-tail-wait')) yield* spinUntil(br.prodTailObj, () => br.prodTail === prodHead, `br_prod_tail == ${prodHead}`);
    yield* publishTail(br, prodNext);
    yield* writeSlot(br, prodHead, buf);
  } else {
    yield* writeSlot(br, prodHead, buf);
    // wmb(): the slot store is visible before the prod_tail store.
    if (!fbBug(ex, 'fb-bufring-no-tail-wait')) yield* spinUntil(br.prodTailObj, () => br.prodTail === prodHead, `br_prod_tail == ${prodHead}`);
    yield* publishTail(br, prodNext);
  }
  br.enqueued.push({ who, buf });
  yield* localAccess(br.ghostObj, 'w', `${who} enqueued ${buf}`);
  return 0;
}

/** The slot load `buf = br->br_ring[cons_head]`: the slot's content at that step. */
function* loadSlot(br: BufRing, idx: number): KThread<Slot> {
  yield* access(br.slotObj[idx]!, 'r', `buf = br_ring[${idx}]`);
  return { ...br.ring[idx]! };
}

/**
 * buf_ring_dequeue_sc(br): the single consumer. Entry and exit: the caller
 * is the only consumer (the driver's transmit lock). NULL if cons_head
 * reached prod_tail; else takes the slot at cons_head.
 */
export function* bufRingDequeueSc(ex: Execution, br: BufRing): KThread<string | null> {
  yield* access(br.consObj, 'r', 'cons_head = br_cons_head');
  const consHead = br.consHead;
  // Mutant fb-bufring-slot-load-early: the slot load performed before the
  // br_prod_tail load, as a weakly ordered CPU may do with no read barrier
  // (or acquire load) between them: a load passing an earlier load, written
  // as the program order that shows it.
  const early = fbBug(ex, 'fb-bufring-slot-load-early') ? yield* loadSlot(br, consHead) : null;
  yield* access(br.prodTailObj, 'r', 'prod_tail = br_prod_tail');
  const prodTail = br.prodTail;
  const consNext = (consHead + 1) & br.mask;
  if (consHead === prodTail) return null;
  yield* access(br.consObj, 'w', `br_cons_head = ${consNext}`);
  br.consHead = consNext;
  const slot = early ?? (yield* loadSlot(br, consHead));
  const got = slot.buf;
  if (!slot.fresh) br.badReads.push({ idx: consHead, got });
  br.ring[consHead] = { buf: br.ring[consHead]!.buf, fresh: false }; // consumed (ghost); the slot keeps its pointer
  if (got !== null) br.dequeued.push(got);
  yield* localAccess(br.ghostObj, 'w', `dequeued ${got}`);
  yield* access(br.consObj, 'w', `br_cons_tail = ${consNext}`);
  br.consTail = consNext;
  return got;
}
