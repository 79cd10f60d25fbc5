/** Shared setup of the ifnet scenarios: one vnet's ifnet globals with ifnets already attached at boot. */
import type { Execution } from '../../core/execution.ts';
import { KMem } from '../../locks/kmem.ts';
import { KRefcount } from '../../locks/refcount.ts';
import { Ifnet, IfnetGlobals } from '../../actors/ifnet/types.ts';
import { fbBug } from '../../actors/ifnet/mutants.ts';

/**
 * Scheduling points of every ifnet scenario: rw_enter of ifnet_lock, and
 * each access the C code makes with no lock (the old variants' table loads
 * and slot reads, V_if_index and if_grow's copy and pointer store; the
 * driver's if_ioctl and if_detach's purge on a bare or referenced ifp;
 * IFF_DYING; if_rele's release). Accesses under ifnet_lock are local.
 */
export const IFNET_GRANULARITY =
  'rw_enter(ifnet_lock); every unlocked access of the code as written (table pointer and slots in the old variants, V_if_index, if_grow copy/store, ifnet fields used outside the lock, IFF_DYING, if_rele)';

/** The globals with V_if_indexlim = lim and `names` attached (indices 1, 2, ...), as at boot. */
export function ifnetWorld(ex: Execution, lim: number, names: readonly string[]): IfnetGlobals {
  const g = new IfnetGlobals(ex, lim);
  for (const name of names) {
    const ifp = new Ifnet(ex, new KMem(ex, `ifnet ${name}`), name, g.cov);
    if (!fbBug(ex, 'fb-pre-r191423-ifunit-noref')) ifp.ref = new KRefcount(ex, `${name}.if_refcount`, 1);
    ifp.index = ++g.ifIndex;
    if (ifp.index >= lim) throw new Error(`ifnetWorld: ${names.length} ifnets do not fit V_if_indexlim ${lim}`);
    g.table.ents[ifp.index] = ifp;
    ifp.idxgen = ++g.slotGen[ifp.index]!;
    g.slot(ifp.index).send('BIND');
    ifp.m.send('PUBLISH');
    g.ifnet.push(ifp);
    ifp.m.send('ATTACH');
    g.all.push(ifp);
  }
  return g;
}

/** Scenario snapshot: each ifnet's state and index, the table size. */
export function ifnetSnapshot({ g }: { g: IfnetGlobals }): Record<string, string> {
  const out: Record<string, string> = { ifindex_table: `lim ${g.table.lim}, if_index ${g.ifIndex}` };
  for (const ifp of g.all) out[`ifnet ${ifp.name}`] = `${ifp.m.state} idx ${ifp.index}${ifp.ref ? ` ref ${ifp.ref.count}` : ''}`;
  return out;
}
