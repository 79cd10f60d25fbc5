/**
 * The owner of a vnet: a jail (prison) with its own vnet. vnet_destroy is
 * called by prison removal; vnet.c itself counts only sockets
 * (vnet_sockcnt, KASSERTed 0). Objects that outlive their socket, such as a
 * TIME_WAIT pcb in the vnet's V_tcptw_zone, are not counted (log L17-24:
 * the zones were V_irtualized to be able to track such "uncollected"
 * objects at vnet removal).
 *
 * Fixed model (the instance reference the illumos netstack has,
 * netstack_hold/netstack_rele): every holder of a per-vnet object holds a
 * reference on the vnet (pr_ref of its prison, through the credential), and
 * vnet_destroy runs at the last release. Mutant
 * fb-vnet-destroy-with-live-items: jail removal calls vnet_destroy at once,
 * whatever is still allocated from the vnet's zones.
 */
import type { KThread } from '../../core/effect.ts';
import { kassert } from '../../core/errors.ts';
import type { Execution } from '../../core/execution.ts';
import { refHold, refRele } from '../../locks/refcount.ts';
import { type Vnet, type VnetGlobals, vnetDestroy } from './vnet.ts';
import { fbBug } from './mutants.ts';

const LIVE = 'fb-vnet-destroy-with-live-items';

/** prison_hold (through crhold): a reference on the vnet. Entry: the caller already has a valid reference (its credential). */
export function* vnetHold(ex: Execution, _vg: VnetGlobals, v: Vnet): KThread<void> {
  if (fbBug(ex, LIVE)) return; // nothing counts the holders
  kassert(v.ref !== null, 'pr_ref exists');
  yield* refHold(v.ref);
}

/** prison_free / crfree: drop a reference; the last one destroys the vnet. Entry and exit: no lock held. */
export function* vnetRele(ex: Execution, vg: VnetGlobals, v: Vnet): KThread<void> {
  if (fbBug(ex, LIVE)) return;
  kassert(v.ref !== null, 'pr_ref exists');
  if ((yield* refRele(v.ref)) === 0) yield* vnetDestroy(ex, vg, v);
}

/**
 * prison_remove (jail -r) of the prison owning `v`. Entry and exit: no lock
 * held. Fixed: drops the prison's own reference (the last release destroys
 * the vnet). Mutant: vnet_destroy now.
 */
export function* prisonRemove(ex: Execution, vg: VnetGlobals, v: Vnet): KThread<void> {
  if (fbBug(ex, LIVE)) {
    yield* vnetDestroy(ex, vg, v, false);
    return;
  }
  yield* vnetRele(ex, vg, v);
}
