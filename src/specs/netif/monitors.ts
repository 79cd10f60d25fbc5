/**
 * The netif specs checked inside one step, where the model calls them
 * (NetifMonitors, installed by src/scenarios/netif/world.ts): the second
 * release of one I/O reference (IOREF-1) is judged as it happens, since
 * afterwards the holder list no longer shows who released what.
 */
import { kfail } from '../../core/errors.ts';
import type { NetifMonitors } from '../../actors/netif/types.ts';

export const netifMonitors: NetifMonitors = {
  iorefDropped(g, ifp, holder): void {
    // A holder drops only an ioref it holds (if_ref_lock held by the caller).
    if (!ifp.ioHolders.includes(holder)) {
      kfail('invariant', 'IOREF-1', `${g.who()} drops an ioref of ${ifp.name} as '${holder}', which holds none (held: ${ifp.ioHolders.join(', ') || 'none'}, if_refio ${ifp.refio})`);
    }
  },
};
