/**
 * Module callbacks (nr_create, nr_shutdown, nr_destroy) as the model's
 * modules register them. A callback runs with no netstack lock held; it is
 * modelled as two steps: its start (the step in which the caller read the
 * function pointer, L717/L778/L837) and its end, after a scheduling point,
 * so other threads interleave while it runs. The create callback uses the
 * netstack_t it is given at its start and when it returns (a real module
 * stores it and initialises per-stack state), so a stack freed under it is
 * a use-after-free.
 */
import type { KThread } from '../../core/effect.ts';
import type { Execution } from '../../core/execution.ts';
import { preempt } from '../../core/ops.ts';
import { memAccess } from '../../locks/kmem.ts';
import { netstackFindByStackid } from './lookup.ts';
import { netstackRele } from './refs.ts';
import { type CreateFn, type FiniFn, type ModuleInstance, type Netstack, type NetstackGlobals, GLOBAL_NETSTACKID } from './types.ts';

/** nr_create of a model module: returns its per-stack instance. */
export const moduleCreate: CreateFn = function* (ex: Execution, g: NetstackGlobals, m: number, _stackid: number, ns: Netstack, pass: string): KThread<ModuleInstance> {
  const epoch = g.reg[m]?.epoch ?? -1;
  const fr = ex.frame('module_create', () => [m, ns, pass, epoch]);
  g.obs.callback(ex, g, ns, m, 'create', 'start', epoch, pass);
  yield* memAccess(ns.mem, 'r', `(create callback of module ${m} uses the stack)`, false, 'netstack.c L717');
  yield* preempt(`module ${m} create(${ns.name}) returns`, 'netstack.c L717');
  yield* memAccess(ns.mem, 'r', `(create callback of module ${m} uses the stack)`, false, 'netstack.c L717');
  const inst: ModuleInstance = { m, epoch, ns, shutdown: false, destroyed: false };
  g.instances.push(inst);
  g.obs.callback(ex, g, ns, m, 'create', 'end', epoch, pass);
  return ex.leaving(fr, inst);
};

/** nr_shutdown of a model module. */
export const moduleShutdown: FiniFn = function* (ex, g, m, _stackid, inst, ns, pass): KThread<void> {
  const epoch = inst?.epoch ?? -1;
  const fr = ex.frame('module_shutdown', () => [m, inst, ns, pass]);
  g.obs.callback(ex, g, ns, m, 'shutdown', 'start', epoch, pass);
  yield* preempt(`module ${m} shutdown(${ns.name}) returns`, 'netstack.c L778');
  if (inst) inst.shutdown = true;
  g.obs.callback(ex, g, ns, m, 'shutdown', 'end', epoch, pass);
  ex.leave(fr);
};

/** nr_destroy of a model module: the instance is gone afterwards. */
export const moduleDestroy: FiniFn = function* (ex, g, m, _stackid, inst, ns, pass): KThread<void> {
  const epoch = inst?.epoch ?? -1;
  const fr = ex.frame('module_destroy', () => [m, inst, ns, pass]);
  g.obs.callback(ex, g, ns, m, 'destroy', 'start', epoch, pass);
  yield* preempt(`module ${m} destroy(${ns.name}) returns`, 'netstack.c L837');
  if (inst) inst.destroyed = true;
  g.obs.callback(ex, g, ns, m, 'destroy', 'end', epoch, pass);
  ex.leave(fr);
};

/*
 * The chain module (analysis C5). ASSUMPTION, not claimed of any illumos
 * module: its instance on an exclusive stack with stackid k keeps a
 * reference on the stack with stackid k + 1 (think of a tunnel whose other
 * end lives in the next zone). The create callback takes it with
 * netstack_find_by_stackid (L1019-1039: no lock is held while a create
 * callback runs, L712-717), and the destroy callback gives it back with
 * netstack_rele. When that is the last reference of the other stack, the
 * netstack_rele runs inside the reap of this stack (netstack_reap ->
 * netstack_stack_inactive -> apply_all_modules_reverse -> nr_destroy), i.e.
 * while this reap still owns its netstack_reap_limiter slot (L1109), and
 * it needs a slot of its own (sema_tryp/sema_p, L1143-1149).
 * It is registered without an nr_shutdown (NULL is allowed: L267, L461,
 * L555 skip it). Instances built in scenario setup (bootRegister) take
 * no reference: the scenarios that use this module make k + 1 refer to no
 * stack then.
 */

/** nr_create of the chain module: a plain instance plus a hold on stack k + 1, if it is active. */
export const chainModuleCreate: CreateFn = function* (ex: Execution, g: NetstackGlobals, m: number, stackid: number, ns: Netstack, pass: string): KThread<ModuleInstance> {
  const epoch = g.reg[m]?.epoch ?? -1;
  let peer: Netstack | null = null;
  const fr = ex.frame('chain_module_create', () => [m, stackid, ns, pass, epoch, peer]);
  g.obs.callback(ex, g, ns, m, 'create', 'start', epoch, pass);
  yield* memAccess(ns.mem, 'r', `(create callback of module ${m} uses the stack)`, false, 'netstack.c L717');
  // Only for exclusive stacks; NULL if k + 1 is not there, still
  // uninitialized or already closing (L1028-1029).
  peer = stackid !== GLOBAL_NETSTACKID ? yield* netstackFindByStackid(ex, g, stackid + 1) : null;
  yield* preempt(`module ${m} create(${ns.name}) returns`, 'netstack.c L717');
  yield* memAccess(ns.mem, 'r', `(create callback of module ${m} uses the stack)`, false, 'netstack.c L717');
  const inst: ModuleInstance = { m, epoch, ns, shutdown: false, destroyed: false, peer };
  g.instances.push(inst);
  g.obs.callback(ex, g, ns, m, 'create', 'end', epoch, pass);
  return ex.leaving(fr, inst);
};

/** nr_destroy of the chain module: netstack_rele of the stack its instance holds, then the instance is gone. */
export const chainModuleDestroy: FiniFn = function* (ex, g, m, _stackid, inst, ns, pass): KThread<void> {
  const epoch = inst?.epoch ?? -1;
  const fr = ex.frame('chain_module_destroy', () => [m, inst, ns, pass]);
  g.obs.callback(ex, g, ns, m, 'destroy', 'start', epoch, pass);
  const peer = inst?.peer ?? null;
  if (peer !== null) {
    inst!.peer = null;
    yield* netstackRele(ex, g, peer); // may be the last reference: sema_tryp/sema_p, L1143-1149
  }
  yield* preempt(`module ${m} destroy(${ns.name}) returns`, 'netstack.c L837');
  if (inst) inst.destroyed = true;
  g.obs.callback(ex, g, ns, m, 'destroy', 'end', epoch, pass);
  ex.leave(fr);
};
