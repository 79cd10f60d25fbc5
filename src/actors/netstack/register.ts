/**
 * netstack_register and netstack_unregister (netstack.c L155-319): module
 * load and unload. Per module id they are serialized by the module
 * framework (a module is not unloaded while it is being loaded); different
 * module ids run concurrently.
 */
import type { KThread } from '../../core/effect.ts';
import { kassert } from '../../core/errors.ts';
import type { Execution } from '../../core/execution.ts';
import { access, localAccess } from '../../core/ops.ts';
import { mutexEnter, mutexExit } from '../../locks/kmutex.ts';
import { applyAllNetstacks, applyInvocation, netstackApplyCreate, netstackApplyDestroy, netstackApplyShutdown } from './apply.ts';
import { nmsUpdate } from './nmstate.ts';
import {
  type CreateFn,
  type FiniFn,
  type Netstack,
  type NetstackGlobals,
  NRF_DYING,
  NRF_REGISTERED,
  NSF_CLOSING,
  NSS_CREATE_ALL,
  NSS_CREATE_COMPLETED,
  NSS_CREATE_INPROGRESS,
  NSS_CREATE_NEEDED,
  NSS_DESTROY_ALL,
  NSS_DESTROY_COMPLETED,
  NSS_DESTROY_NEEDED,
  NSS_SHUTDOWN_ALL,
  NSS_SHUTDOWN_NEEDED,
} from './types.ts';
import { nsBug } from './mutants.ts';

const L = (n: number): string => `netstack.c L${n}`;

/**
 * netstack_register, L165-216. Entry and exit: no lock held. With
 * netstack_g_lock held it installs ns_reg[m] and marks CREATE_NEEDED on
 * every stack on the list that is not closing (L181-207): a stack being
 * created concurrently is either on the list already (and marked here) or
 * marked by its creator at L401-403, whichever holds netstack_g_lock second.
 * Then it runs the creates, or waits for other creators
 * (apply_all_netstacks, L215).
 */
export function* netstackRegister(ex: Execution, g: NetstackGlobals, m: number, create: CreateFn, shutdown: FiniFn | null, destroy: FiniFn | null): KThread<void> {
  kassert(g.initialized, 'netstack_initialized'); // L173
  kassert(m >= 0 && m < g.nsMax, 'moduleid >= 0 && moduleid < NS_MAX'); // L174
  const marked: Netstack[] = []; // ghost: the stacks this call marked CREATE_NEEDED
  let ns: Netstack | null = null;
  let pass = '';
  const fr = ex.frame('netstack_register', () => [m, create, shutdown, destroy, marked, ns, pass]);
  yield* mutexEnter(g.gLock, L(181));
  const r = g.reg[m]!;
  kassert(r.create === null, `ns_reg[${m}].nr_create == NULL`); // L182
  kassert(r.flags === 0, `ns_reg[${m}].nr_flags == 0`); // L183
  yield* localAccess(r.obj, 'w', `ns_reg[${m}]`, L(184)); // the function pointers change (L184-187)
  r.create = create;
  r.shutdown = shutdown;
  r.destroy = destroy;
  r.flags = NRF_REGISTERED;
  r.epoch++; // ghost
  for (ns = g.head; ns !== null; ns = ns.next) {
    yield* mutexEnter(ns.lock, L(198));
    const f = ns.mstate[m]!.flags;
    if (!(ns.flags & NSF_CLOSING) && (f & NSS_CREATE_ALL) === 0) {
      nmsUpdate(ex, g, ns, m, 0, NSS_CREATE_NEEDED, 'MARK_CREATE'); // L199-201
      marked.push(ns);
    }
    yield* mutexExit(ns.lock, L(205));
  }
  yield* mutexExit(g.gLock, L(207));
  pass = applyInvocation(ex, g, 'register', m); // ghost
  yield* applyAllNetstacks(ex, g, m, netstackApplyCreate, 'create', pass); // L215
  g.obs.invocationDone(ex, g, pass);
  g.obs.registerDone(ex, g, m, marked);
  ex.leave(fr);
}

/**
 * netstack_unregister, L218-319. Entry and exit: no lock held.
 * Marking (L228-289, netstack_g_lock held throughout): cancel a create that
 * has not started, flag SHUTDOWN/DESTROY_NEEDED on created instances, then
 * set NRF_DYING so new stacks skip the module (L401). Then run the
 * shutdowns and the destroys on every stack (L291-292), and finally clear
 * the flags and ns_reg[m] (L299-318) so the module can be loaded again.
 */
export function* netstackUnregister(ex: Execution, g: NetstackGlobals, m: number): KThread<void> {
  const r = g.reg[m]!;
  let epoch = -1;
  let ns: Netstack | null = null;
  let pass = '';
  const fr = ex.frame('netstack_unregister', () => [m, epoch, ns, pass]);
  kassert(m >= 0 && m < g.nsMax, 'moduleid >= 0 && moduleid < NS_MAX'); // L223
  // L225-226: unlocked ASSERTs on ns_reg[m].
  yield* access(r.obj, 'r', `ns_reg[${m}]`, L(225));
  kassert(r.create !== null, `ns_reg[${m}].nr_create != NULL`);
  kassert(r.flags & NRF_REGISTERED, `ns_reg[${m}].nr_flags & NRF_REGISTERED`);
  epoch = r.epoch;
  yield* mutexEnter(g.gLock, L(228));
  for (ns = g.head; ns !== null; ns = ns.next) {
    let created = false; // L237
    yield* mutexEnter(ns.lock, L(240));
    const nms = ns.mstate[m]!;
    if (nms.flags & NSS_CREATE_NEEDED && !nsBug(ex, 'ns-unregister-keeps-create-needed')) {
      nmsUpdate(ex, g, ns, m, NSS_CREATE_NEEDED, 0, 'CANCEL_CREATE'); // L260-261
    }
    if ((nms.flags & NSS_CREATE_INPROGRESS && !nsBug(ex, 'ns-created-completed-only')) || nms.flags & NSS_CREATE_COMPLETED) created = true; // L263-265
    const shutdownOk = g.fix.shutdownInprogressCreate ? true : (nms.flags & NSS_CREATE_COMPLETED) !== 0;
    if (r.shutdown !== null && created && shutdownOk && (nms.flags & NSS_SHUTDOWN_ALL) === 0) {
      nmsUpdate(ex, g, ns, m, 0, NSS_SHUTDOWN_NEEDED, 'MARK_SHUTDOWN'); // L267-270
    }
    if (r.flags & NRF_REGISTERED && r.destroy !== null && created && (nms.flags & NSS_DESTROY_ALL) === 0) {
      nmsUpdate(ex, g, ns, m, 0, NSS_DESTROY_NEEDED, 'MARK_DESTROY'); // L274-277
    }
    yield* mutexExit(ns.lock, L(281));
  }
  if (!nsBug(ex, 'ns-dying-late')) r.flags |= NRF_DYING; // L288
  yield* mutexExit(g.gLock, L(289));
  if (nsBug(ex, 'ns-dying-late')) {
    yield* mutexEnter(g.gLock, L(288));
    r.flags |= NRF_DYING;
    yield* mutexExit(g.gLock, L(288));
  }
  pass = applyInvocation(ex, g, 'unregister', m); // ghost: one invocation, both walks
  if (nsBug(ex, 'ns-unregister-destroy-first')) {
    yield* applyAllNetstacks(ex, g, m, netstackApplyDestroy, 'destroy', pass);
    yield* applyAllNetstacks(ex, g, m, netstackApplyShutdown, 'shutdown', pass);
  } else {
    yield* applyAllNetstacks(ex, g, m, netstackApplyShutdown, 'shutdown', pass); // L291
    yield* applyAllNetstacks(ex, g, m, netstackApplyDestroy, 'destroy', pass); // L292
  }
  g.obs.invocationDone(ex, g, pass);
  yield* mutexEnter(g.gLock, L(299));
  kassert(r.flags & NRF_REGISTERED, `ns_reg[${m}].nr_flags & NRF_REGISTERED`); // L300
  kassert(r.flags & NRF_DYING, `ns_reg[${m}].nr_flags & NRF_DYING`); // L301
  for (ns = g.head; ns !== null; ns = ns.next) {
    yield* mutexEnter(ns.lock, L(305));
    if (ns.mstate[m]!.flags & NSS_DESTROY_COMPLETED && !nsBug(ex, 'ns-unregister-no-reset')) {
      nmsUpdate(ex, g, ns, m, ~0, 0, 'RESET'); // L306-307
    }
    yield* mutexExit(ns.lock, L(311));
  }
  yield* localAccess(r.obj, 'w', `ns_reg[${m}]`, L(314)); // L314-317
  r.create = null;
  r.shutdown = null;
  r.destroy = null;
  r.flags = 0;
  g.obs.unregisterDone(ex, g, m, epoch);
  yield* mutexExit(g.gLock, L(318));
  ex.leave(fr);
}
