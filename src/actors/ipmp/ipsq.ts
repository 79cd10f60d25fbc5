/**
 * IPSQ and xop (ipsq_t, ipxop_t): writer exclusivity per xop, the queues,
 * and the xop switch that moves an IPSQ into or out of an IPMP group's xop.
 * ip_if.c is not among the references: every function below follows
 * ../../../../shared/notes/illumos-ipsq.md (cited as "ipsq notes §x").
 *
 * Lock order (ipsq notes §3.1): ill_g_lock -> ill_lock -> ipsq_lock -> ipx_lock.
 * Rules (§3.3): never wait for an IPSQ, nor call ipsq_exit, with a lock held;
 * a writer never blocks on a second IPSQ.
 */
import type { KThread } from '../../core/effect.ts';
import { kassert } from '../../core/errors.ts';
import type { Execution } from '../../core/execution.ts';
import { cvBroadcast, cvWait } from '../../locks/kcondvar.ts';
import { kmemFree } from '../../locks/kmem.ts';
import { mutexEnter, mutexExit } from '../../locks/kmutex.ts';
import { RW_LOCK_HELD, RW_WRITE_HELD, rwEnter, rwExit } from '../../locks/krwlock.ts';
import { CUR_OP, Errno, IAM_WRITER_IPSQ, type Ill, type IpmpStack, type Ipsq, type Msg, NEW_OP, type OpType, type Phyint, phyintIlls, ringOf, SWITCH_OP, type Xop } from './types.ts';
import { ipmpBug } from './mutants.ts';

/** Spec 'no-lock-across-ipsq' (ipsq notes §3.3, K2/K3): nothing held when entering, waiting for or exiting an IPSQ. */
export function assertNoLocks(ex: Execution, what: string): void {
  const t = ex.currentThread();
  kassert(t.held.length === 0, `${what} called holding ${t.held.map((h) => h.name).join(', ')}`, 'no-lock-across-ipsq');
}

/** The running thread becomes writer of x (ipx_lock held, or x's ipsq_lock held by the dq switch). */
function becomeWriter(ex: Execution, st: IpmpStack, x: Xop): void {
  const me = ex.currentThread();
  st.monitors.becomeWriter(me, x);
  x.reentry++;
  if (x.writer === null) {
    x.writer = ex.currentThread();
    x.m.send('ENTER');
  } else x.m.send('REENTER');
}
function releaseWriter(ex: Execution, st: IpmpStack, x: Xop): void {
  st.monitors.releaseWriter(ex.currentThread(), x);
  x.writer = null;
  x.m.send('EXIT');
}

/**
 * ipsq_dlpi_done (ipsq notes §2.7): DLPI exchanges are not modelled, so no
 * ill of the ring has one outstanding. Requires ill_g_lock (ASSERT).
 */
export function ipsqDlpiDone(ex: Execution, st: IpmpStack, _ipsq: Ipsq): boolean {
  kassert(RW_LOCK_HELD(ex, st.illGLock), 'RW_LOCK_HELD(&ips_ill_g_lock) in ipsq_dlpi_done');
  return true;
}

/**
 * ipsq_enq (ipsq notes §2.2): queue mp on ipsq by type. Entry and exit:
 * ipsq_lock and ipx_lock held (ASSERTed).
 */
export function ipsqEnq(ex: Execution, st: IpmpStack, ipsq: Ipsq, mp: Msg): void {
  const ipx = ipsq.xop;
  kassert(ipsq.lock.held(ex) && ipx.lock.held(ex), 'MUTEX_HELD(&ipsq->ipsq_lock) && MUTEX_HELD(&ipx->ipx_lock) in ipsq_enq');
  mp.from = null;
  switch (mp.type) {
    case CUR_OP:
      ipx.mphead.push(mp);
      break;
    case NEW_OP:
      ipsq.xopq.push(mp);
      ipx.ipsqQueued = true;
      break;
    case SWITCH_OP:
      kassert(ipsq.swxop !== null, 'ipsq->ipsq_swxop != NULL in ipsq_enq(SWITCH_OP)');
      kassert(ipsq.switchMp === null, 'ipsq->ipsq_switch_mp == NULL in ipsq_enq(SWITCH_OP)');
      ipsq.switchMp = mp;
      ipx.ipsqQueued = true;
      break;
  }
  // Q2 (ipsq notes §5): work is queued only where a writer or an operation in progress will drain it.
  st.monitors.enqueued(mp, ipsq, ipx);
}

/**
 * ipsq_try_enter / ipsq_try_enter_internal (ipsq notes §2.1): become writer
 * of the xop of ill's IPSQ without blocking, or queue mp (if given) and
 * return null. Entry/exit: no locks held (takes ill_g_lock R -> ill_lock ->
 * ipsq_lock -> ipx_lock and drops them all).
 */
export function* ipsqTryEnter(ex: Execution, st: IpmpStack, ill: Ill, mp: Msg | null, type: OpType, reentryOk: boolean, site = 'ip_if.c ipsq_try_enter'): KThread<Ipsq | null> {
  assertNoLocks(ex, 'ipsq_try_enter');
  const me = ex.currentThread();
  const ipsq = ill.phyint.ipsq;
  let ipx: Xop | null = null;
  let ok = false;
  const fr = ex.frame('ipsq_try_enter', () => [ill, mp, type, reentryOk, site, ipx, ok]);
  yield* rwEnter(st.illGLock, 'RW_READER', site);
  yield* mutexEnter(ill.lock, site);
  yield* mutexEnter(ipsq.lock, site);
  ipx = ipsq.xop;
  yield* mutexEnter(ipx.lock, site);
  const reenter = ipx.writer === me && (reentryOk || ipmpBug(ex, 'ipmp-tryenter-ignore-reentry-ok'));
  ok =
    reenter ||
    (ipx.writer === null && (type === CUR_OP || (type === NEW_OP && !ipx.ipsqQueued && ipx.currentIpif === null && ipsqDlpiDone(ex, st, ipsq))));
  if (ok) becomeWriter(ex, st, ipx);
  else if (mp !== null) ipsqEnq(ex, st, ipsq, mp);
  yield* mutexExit(ipx.lock);
  yield* mutexExit(ipsq.lock);
  yield* mutexExit(ill.lock);
  yield* rwExit(st.illGLock);
  return ex.leaving(fr, ok ? ipsq : null);
}

/**
 * ipsq_enter(ill, B_FALSE, type) (ipsq notes §2.4), the blocking variant.
 * Sleeps on the ill's own ill_cv (the xop may change meanwhile); returns
 * false if the ill is CONDEMNED. Entry/exit: no locks held. The forced
 * variant (conn_ioctl_cleanup) is not modelled.
 */
export function* ipsqEnter(ex: Execution, st: IpmpStack, ill: Ill, type: OpType): KThread<boolean> {
  assertNoLocks(ex, 'ipsq_enter');
  const ipsq = ill.phyint.ipsq;
  let ipx: Xop | null = null;
  const fr = ex.frame('ipsq_enter', () => [ill, type, ipx]);
  for (;;) {
    ipx = null;
    yield* rwEnter(st.illGLock, 'RW_READER', 'ip_if.c ipsq_enter');
    yield* mutexEnter(ill.lock, 'ip_if.c ipsq_enter');
    if (ill.condemned) {
      yield* mutexExit(ill.lock);
      yield* rwExit(st.illGLock);
      return ex.leaving(fr, false);
    }
    yield* mutexEnter(ipsq.lock);
    ipx = ipsq.xop;
    yield* mutexEnter(ipx.lock);
    if (ipx.writer === null && (type === CUR_OP || (ipx.currentIpif === null && ipsqDlpiDone(ex, st, ipsq)))) {
      kassert(ipx.mphead.length === 0 && ipx.reentry === 0, 'ipx_mphead == NULL && ipx_reentry_cnt == 0 in ipsq_enter');
      becomeWriter(ex, st, ipx);
      yield* mutexExit(ipx.lock);
      yield* mutexExit(ipsq.lock);
      yield* mutexExit(ill.lock);
      yield* rwExit(st.illGLock);
      return ex.leaving(fr, true);
    }
    yield* rwExit(st.illGLock);
    yield* mutexExit(ipx.lock);
    yield* mutexExit(ipsq.lock);
    yield* cvWait(ill.cv, ill.lock, 'ip_if.c ipsq_enter cv_wait(ill_cv)');
    yield* mutexExit(ill.lock);
  }
}

/**
 * ipsq_dq (ipsq notes §2.6): called by the writer from ipsq_exit. Returns
 * the next message to run as the same writer (its `from` names the IPSQ it
 * came from), performing a pending xop switch first; or releases
 * writership and returns null. Takes ill_g_lock (W iff a switch is pending;
 * ipsq_swxop is read before any lock, safe because only the writer writes
 * it) -> ipsq_lock -> ipx_lock; drops them all before the recursive
 * ipsq_exit of the group IPSQ left behind.
 */
export function* ipsqDq(ex: Execution, st: IpmpStack, ipsq: Ipsq): KThread<Msg | null> {
  const me = ex.currentThread();
  const mode = ipsq.swxop !== null && !ipmpBug(ex, 'ipmp-dq-reader-on-switch') ? 'RW_WRITER' : 'RW_READER';
  let ipx: Xop | null = null;
  let mp: Msg | null = null;
  let leftipsq: Ipsq | null = null;
  let emptied = false;
  // The ring whose ipsq_enter sleepers are woken, and the cursors of that walk.
  let ring: Ipsq[] = [];
  let qi = 0;
  let ills: Ill[] = [];
  let li = 0;
  let empty = false;
  let swxop: Xop | null = null;
  const fr = ex.frame('ipsq_dq', () => [ipsq, mode, ipx, mp, leftipsq, emptied, empty, swxop, ring, qi, ills, li]);
  yield* rwEnter(st.illGLock, mode, 'ip_if.c ipsq_dq');
  yield* mutexEnter(ipsq.lock, 'ip_if.c ipsq_dq');
  ipx = ipsq.xop;
  yield* mutexEnter(ipx.lock, 'ip_if.c ipsq_dq');
  out: {
    // CUR_OP messages first; the writer keeps the xop.
    if (ipx.mphead.length > 0) {
      mp = ipx.mphead.shift()!;
      mp.from = ipsq;
      break out;
    }
    empty = ipx.currentIpif !== null;
    if (!empty && ipsq.swxop !== null) {
      kassert(!ipsq.phyint?.isIpmp, '!IS_IPMP(ipsq_phyint) in ipsq_dq switch');
      kassert(RW_WRITE_HELD(ex, st.illGLock), 'RW_WRITE_HELD(&ips_ill_g_lock) in ipsq_dq switch');
      swxop = ipsq.swxop;
      ex.touch(st.memberObj, true);
      if (swxop === ipsq.ownxop) {
        // Leave: unlink from the group ring; stay writer of the group xop.
        kassert(ipsq.xop !== ipsq.ownxop, 'ipsq_xop != &ipsq_ownxop in ipsq_dq leave');
        let xopipsq = ipx.ipsq;
        while (xopipsq.next !== ipsq) xopipsq = xopipsq.next;
        xopipsq.next = ipsq.next;
        ipsq.next = ipsq;
        ipsq.xop = ipsq.ownxop;
        ipsq.swxop = null;
        if (ipsq.phyint) ipsq.phyint.m.send('SWITCH_OUT');
        else noteFreedSwitchOut(st, ipsq);
        leftipsq = xopipsq;
        yield* mutexExit(ipx.lock);
        ipx = ipsq.ownxop;
        yield* mutexEnter(ipx.lock);
        kassert(ipx.writer === null && ipx.currentIpif === null, 'own xop idle in ipsq_dq leave');
      } else {
        // Join: splice after the ring tail, release the own xop.
        kassert(ipsq.xop === ipsq.ownxop, 'ipsq_xop == &ipsq_ownxop in ipsq_dq join');
        let xopipsq = swxop.ipsq;
        while (xopipsq.next !== swxop.ipsq) xopipsq = xopipsq.next;
        xopipsq.next = ipsq;
        ipsq.next = swxop.ipsq;
        ipsq.xop = swxop;
        ipsq.swxop = null;
        ipsq.phyint?.m.send('SWITCH_IN');
        const own = ipsq.ownxop;
        releaseWriter(ex, st, own);
        kassert(--own.reentry === 0, 'VERIFY(--ipx_reentry_cnt == 0) in ipsq_dq join');
        own.ipsqQueued = false;
        yield* mutexExit(ipx.lock);
        ipx = swxop;
        yield* mutexEnter(ipx.lock);
        if ((ipx.writer !== null || ipx.currentIpif !== null) && !ipmpBug(ex, 'ipmp-dq-no-busy-check')) break out;
      }
      // Become writer of the new xop; ipsq_lock was never dropped.
      kassert(ipx.currentIpif === null && ipx.mphead.length === 0, 'new xop idle in ipsq_dq');
      kassert(ipx.reentry === 0, 'VERIFY(ipx_reentry_cnt++ == 0) in ipsq_dq');
      becomeWriter(ex, st, ipx);
    }
    if (!empty) {
      // Ring scan from ipsq: a switch_mp before that IPSQ's NEW_OPs.
      let xopipsq = ipsq;
      do {
        if (xopipsq.switchMp !== null) {
          mp = xopipsq.switchMp;
          xopipsq.switchMp = null;
        } else if (xopipsq.xopq.length > 0) {
          mp = xopipsq.xopq.shift()!;
        }
        if (mp !== null) {
          mp.from = xopipsq;
          break out;
        }
        xopipsq = xopipsq.next;
      } while (xopipsq !== ipsq);
      empty = true;
    }
    // empty: release writership; no message can land meanwhile (ipx_lock held).
    kassert(ipx.writer === me, 'IAM_WRITER in ipsq_dq empty');
    releaseWriter(ex, st, ipx);
    kassert(--ipx.reentry === 0, 'VERIFY(--ipx_reentry_cnt == 0) in ipsq_dq empty');
    ipx.ipsqQueued = false;
    emptied = true;
  }
  const ringHead = ipx;
  yield* mutexExit(ipx.lock);
  yield* mutexExit(ipsq.lock);
  if (emptied && !ipmpBug(ex, 'ipmp-dq-no-broadcast')) {
    // Wake every ipsq_enter sleeper of the ring (GRAB_ILL_LOCKS per phyint).
    ring = ringOf(ringHead);
    for (qi = 0; qi < ring.length; qi++) {
      const q = ring[qi]!;
      if (q.phyint === null) continue;
      ills = phyintIlls(q.phyint);
      for (li = 0; li < ills.length; li++) yield* mutexEnter(ills[li]!.lock, 'ip_if.c ipsq_dq GRAB_ILL_LOCKS');
      for (li = 0; li < ills.length; li++) yield* cvBroadcast(ills[li]!.cv);
      for (li = ills.length - 1; li >= 0; li--) yield* mutexExit(ills[li]!.lock);
    }
  }
  yield* rwExit(st.illGLock);
  if (leftipsq !== null && !ipmpBug(ex, 'ipmp-dq-no-left-exit')) yield* ipsqExit(ex, st, leftipsq);
  return ex.leaving(fr, mp);
}

/** The phyint of an orphaned IPSQ was freed while its leave switch was pending. */
function noteFreedSwitchOut(st: IpmpStack, ipsq: Ipsq): void {
  const p = st.phyints.find((x) => x.ipsq === ipsq);
  p?.m.send('SWITCH_OUT');
}

/**
 * ipsq_exit (ipsq notes §2.5): a nested exit just decrements; the last exit
 * drains the queued messages of the ring as the same writer (running each
 * continuation with the IPSQ it was queued on), performs a pending switch
 * (in ipsq_dq), and frees an IPSQ whose phyint is gone. Entry/exit: no locks.
 */
export function* ipsqExit(ex: Execution, st: IpmpStack, ipsq0: Ipsq): KThread<void> {
  assertNoLocks(ex, 'ipsq_exit');
  let ipsq = ipsq0;
  let phyi: Phyint | null = null;
  let mp: Msg | null = null;
  const fr = ex.frame('ipsq_exit', () => [ipsq, phyi, mp]);
  const ipx = ipsq.xop;
  kassert(IAM_WRITER_IPSQ(ex, ipsq), `IAM_WRITER_IPSQ(${ipsq.name}) in ipsq_exit`);
  kassert(ipx.reentry >= 1, 'ipx_reentry_cnt >= 1 in ipsq_exit');
  if (ipx.reentry !== 1) {
    ipx.reentry--;
    return ex.leave(fr);
  }
  for (;;) {
    phyi = ipsq.phyint;
    mp = null;
    mp = yield* ipsqDq(ex, st, ipsq);
    const mpIpsq = mp ? mp.from : null;
    if (mpIpsq !== ipsq && phyi === null) {
      kassert(ipsq.next === ipsq && ipsq.xop === ipsq.ownxop, 'ipsq alone on its own xop in ipsq_exit delete');
      ipsqDelete(ex, ipsq);
      yield* kmemFree(ipsq.mem, 'ip_if.c ipsq_delete');
    }
    if (mp === null) break;
    ipsq = mpIpsq!;
    mp.status = 'run';
    yield* mp.func(ipsq);
  }
  ex.leave(fr);
}

/** ipsq_delete (ipsq notes §2.5): ASSERTs no phyint, empty queues. The caller frees the memory. */
export function ipsqDelete(ex: Execution, ipsq: Ipsq): void {
  ipsq.mem.check(ex, 'ipsq_delete');
  kassert(ipsq.phyint === null && ipsq.xopq.length === 0 && ipsq.ownxop.mphead.length === 0, 'ipsq_delete: no phyint, empty queues');
}

/**
 * qwriter_ip (ipsq notes §2.3): the caller refheld ill. try_enter; always
 * ill_refrele; on success run func then ipsq_exit, else mp was queued.
 */
export function* qwriterIp(ex: Execution, st: IpmpStack, ill: Ill, mp: Msg, reentryOk: boolean): KThread<void> {
  let ipsq: Ipsq | null = null;
  const fr = ex.frame('qwriter_ip', () => [ill, mp, reentryOk, ipsq]);
  ipsq = yield* ipsqTryEnter(ex, st, ill, mp, mp.type, reentryOk, 'ip_if.c qwriter_ip');
  yield* illRefrele(ex, ill);
  if (ipsq !== null) {
    mp.status = 'run';
    yield* mp.func(ipsq);
    yield* ipsqExit(ex, st, ipsq);
  }
  ex.leave(fr);
}

/** ill_refrele (ipsq notes §4): at 0 on a CONDEMNED ill, wake ip_modclose. Entry/exit: no locks. */
export function* illRefrele(ex: Execution, ill: Ill): KThread<void> {
  const fr = ex.frame('ill_refrele', () => [ill]);
  yield* mutexEnter(ill.lock, 'ip_if.c ill_refrele');
  kassert(ill.refcnt > 0, 'ill_refcnt > 0 in ill_refrele');
  ill.refcnt--;
  if (ill.refcnt === 0 && ill.condemned) yield* cvBroadcast(ill.cv);
  yield* mutexExit(ill.lock);
  ex.leave(fr);
}

/** ipsq_current_start (ipsq notes §2.8): writer only; no op in progress. */
export function* ipsqCurrentStart(ex: Execution, ipsq: Ipsq, what: string): KThread<void> {
  const ipx = ipsq.xop;
  const fr = ex.frame('ipsq_current_start', () => [ipsq, ipx, what]);
  kassert(IAM_WRITER_IPSQ(ex, ipsq), 'IAM_WRITER_IPSQ in ipsq_current_start');
  kassert(ipx.currentIpif === null, 'ipx_current_ipif == NULL in ipsq_current_start');
  yield* mutexEnter(ipx.lock);
  ipx.currentIpif = what;
  yield* mutexExit(ipx.lock);
  ex.leave(fr);
}

/** ipsq_current_finish (ipsq notes §2.8): no DLPI is modelled, so the op ends at once. */
export function* ipsqCurrentFinish(ex: Execution, ipsq: Ipsq): KThread<void> {
  const ipx = ipsq.xop;
  const fr = ex.frame('ipsq_current_finish', () => [ipsq, ipx]);
  kassert(IAM_WRITER_IPSQ(ex, ipsq), 'IAM_WRITER_IPSQ in ipsq_current_finish');
  yield* mutexEnter(ipx.lock);
  ipx.currentIpif = null;
  yield* mutexExit(ipx.lock);
  ex.leave(fr);
}

/**
 * ipsq_flush (ipsq notes §2.9): writer only; drop this ill's CUR_OP
 * messages, and (xopq_mp_cleanup with connp NULL) every NEW_OP queued on
 * the phyint's IPSQ, failing them with ENXIO.
 */
export function* ipsqFlush(ex: Execution, st: IpmpStack, ill: Ill): KThread<void> {
  const ipsq = ill.phyint.ipsq;
  const ipx = ipsq.xop;
  const fr = ex.frame('ipsq_flush', () => [ill, ipx]);
  kassert(IAM_WRITER_ILL_(ex, ill), 'IAM_WRITER_ILL in ipsq_flush');
  yield* mutexEnter(ipx.lock, 'ip_if.c ipsq_flush');
  for (let i = ipx.mphead.length - 1; i >= 0; i--) {
    if (ipx.mphead[i]!.ill === ill) flushed(st, ipx.mphead.splice(i, 1)[0]!);
  }
  yield* mutexExit(ipx.lock);
  yield* mutexEnter(ipsq.lock, 'ip_if.c ipsq_xopq_mp_cleanup');
  for (const m of ipsq.xopq.splice(0)) flushed(st, m);
  yield* mutexExit(ipsq.lock);
  ex.leave(fr);
}

/** A flushed request is failed with ENXIO (its result is recorded under its name). */
function flushed(st: IpmpStack, m: Msg): void {
  m.status = 'flushed';
  st.results.set(m.name, Errno.ENXIO);
}

function IAM_WRITER_ILL_(ex: Execution, ill: Ill): boolean {
  return IAM_WRITER_IPSQ(ex, ill.phyint.ipsq);
}

/**
 * Ghost instrumentation of an exclusive operation (spec E1): the body runs
 * as writer of ipsq's xop; records it so that one-writer-per-xop can check
 * no two operations on one xop overlap.
 */
export function* runOp<R>(ex: Execution, st: IpmpStack, ipsq: Ipsq, name: string, body: KThread<R>): KThread<R> {
  const me = ex.currentThread();
  const xop = ipsq.xop;
  kassert(xop.writer === me, `IAM_WRITER_IPSQ(${ipsq.name}) at start of ${name}`);
  const rec = { thread: me, xop, name };
  // The body's own frames say where it is; the generator object is not state.
  const fr = ex.frame('run_op', () => [name, xop, rec]);
  st.monitors.opStart(st, me, xop, name);
  // st.ops is read as a set: kept in thread order, so that the order two
  // threads started their operations in is not part of the state key.
  let k = 0;
  while (k < st.ops.length && st.ops[k]!.thread.id <= me.id) k++;
  st.ops.splice(k, 0, rec);
  const r = yield* body;
  st.monitors.opEnd(me, xop, name);
  st.ops.splice(st.ops.indexOf(rec), 1);
  return ex.leaving(fr, r);
}
