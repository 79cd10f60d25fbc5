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
import type { CreateFn, FiniFn, ModuleInstance, Netstack, NetstackGlobals } from './types.ts';

/** nr_create of a model module: returns its per-stack instance. */
export const moduleCreate: CreateFn = function* (ex: Execution, g: NetstackGlobals, m: number, _stackid: number, ns: Netstack, pass: string): KThread<ModuleInstance> {
  const epoch = g.reg[m]?.epoch ?? -1;
  g.obs.callback(ex, g, ns, m, 'create', 'start', epoch, pass);
  yield* memAccess(ns.mem, 'r', `(create callback of module ${m} uses the stack)`, false, 'netstack.c L717');
  yield* preempt(`module ${m} create(${ns.name}) returns`, 'netstack.c L717');
  yield* memAccess(ns.mem, 'r', `(create callback of module ${m} uses the stack)`, false, 'netstack.c L717');
  const inst: ModuleInstance = { m, epoch, ns, shutdown: false, destroyed: false };
  g.instances.push(inst);
  g.obs.callback(ex, g, ns, m, 'create', 'end', epoch, pass);
  return inst;
};

/** nr_shutdown of a model module. */
export const moduleShutdown: FiniFn = function* (ex, g, m, _stackid, inst, ns, pass): KThread<void> {
  const epoch = inst?.epoch ?? -1;
  g.obs.callback(ex, g, ns, m, 'shutdown', 'start', epoch, pass);
  yield* preempt(`module ${m} shutdown(${ns.name}) returns`, 'netstack.c L778');
  if (inst) inst.shutdown = true;
  g.obs.callback(ex, g, ns, m, 'shutdown', 'end', epoch, pass);
};

/** nr_destroy of a model module: the instance is gone afterwards. */
export const moduleDestroy: FiniFn = function* (ex, g, m, _stackid, inst, ns, pass): KThread<void> {
  const epoch = inst?.epoch ?? -1;
  g.obs.callback(ex, g, ns, m, 'destroy', 'start', epoch, pass);
  yield* preempt(`module ${m} destroy(${ns.name}) returns`, 'netstack.c L837');
  if (inst) inst.destroyed = true;
  g.obs.callback(ex, g, ns, m, 'destroy', 'end', epoch, pass);
};
