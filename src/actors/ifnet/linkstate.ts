/**
 * Link-state notification: if_link_state_change (driver context) queues
 * if_linktask on taskqueue_swi, whose handler do_link_state_change tells
 * the routing socket (rt_ifmsg: V_route_cb, per-vnet) and the hooks. The
 * taskqueue thread has no vnet of its own (td_vnet NULL), so the handler
 * must CURVNET_SET(ifp->if_vnet) around its V_ accesses (the macros of log
 * L222-224, NOPs in the log's era, a pointer switch once VIMAGE is on).
 *
 * Mutant fb-pre-curvnet-linktask: the handler as written before VIMAGE
 * placed CURVNET_SET in it: rt_ifmsg's V_route_cb goes through whatever
 * curvnet the taskqueue thread has (VN-3). Mutant
 * fb-linktask-curvnet-no-restore: CURVNET_SET without CURVNET_RESTORE
 * (the "error path forgets RESTORE" class): the worker keeps the ifnet's
 * vnet as its context for the tasks it runs next (VN-4).
 */
import type { KThread } from '../../core/effect.ts';
import type { Execution } from '../../core/execution.ts';
import { memAccess } from '../../locks/kmem.ts';
import { type KTaskq, taskqDispatch } from '../../locks/taskq.ts';
import { L } from './ifindex.ts';
import type { Ifnet } from './types.ts';
import { doLinkStateLagg } from './lagg.ts';
import { curvnetRestore, curvnetSet, vAccess, type VnetGlobals, vnetEntry } from './vnet.ts';
import { fbBug } from './mutants.ts';

export const LINK_STATE = { UNKNOWN: 0, DOWN: 1, UP: 2 } as const;

/**
 * do_link_state_change(ifp, pending), the if_linktask handler. Entry and
 * exit: no lock held, on a taskqueue_swi worker. Reads if_link_state,
 * announces it on the routing socket of the ifnet's vnet.
 */
function* doLinkStateChange(ex: Execution, vg: VnetGlobals, ifp: Ifnet): KThread<void> {
  yield* memAccess(ifp.mem, 'r', 'if_link_state, if_vnet', true);
  const setCurvnet = !fbBug(ex, 'fb-pre-curvnet-linktask');
  const saved = setCurvnet ? curvnetSet(ex, vg, ifp.ifVnet) : null; // CURVNET_SET(ifp->if_vnet)
  yield* vAccess(ex, vg, ifp.ifVnet!, 'r', 'route_cb (rt_ifmsg)', false, L(223));
  if (ifp.laggSc !== null) yield* doLinkStateLagg(ex, ifp); // if (ifp->if_lagg) (*lagg_linkstate_p)(ifp, link_state) (log L532-549; lagg.ts)
  if (setCurvnet && !fbBug(ex, 'fb-linktask-curvnet-no-restore')) curvnetRestore(ex, vg, saved); // CURVNET_RESTORE()
}

/**
 * if_link_state_change(ifp, link_state). Entry and exit: any context (a
 * driver's interrupt); no ifnet lock. Nothing to do if the state did not
 * change; else record it and queue if_linktask (coalesced by the
 * taskqueue while queued: one handler run may announce several changes).
 */
export function* ifLinkStateChange(ex: Execution, vg: VnetGlobals, tq: KTaskq, ifp: Ifnet, linkState: number): KThread<void> {
  yield* memAccess(ifp.mem, 'w', 'if_link_state', true);
  if (ifp.linkState === linkState) return;
  ifp.linkState = linkState;
  yield* taskqDispatch(tq, `if_linktask(${ifp.name})`, () => vnetEntry(ex, vg, `if_linktask(${ifp.name})`, doLinkStateChange(ex, vg, ifp)));
}
