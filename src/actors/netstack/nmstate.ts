/**
 * Writes of nms_flags (netstack.h nm_state_t). Every write in netstack.c
 * holds both netstack_g_lock and ns->netstack_lock; the nm_state machine is
 * sent the matching event so that an illegal transition fails at once.
 */
import type { Execution } from '../../core/execution.ts';
import { kassert } from '../../core/errors.ts';
import { MUTEX_HELD } from '../../locks/kmutex.ts';
import type { Netstack, NetstackGlobals } from './types.ts';

export type NmsEvent =
  | 'MARK_CREATE'
  | 'CANCEL_CREATE'
  | 'CLAIM_CREATE'
  | 'COMPLETE_CREATE'
  | 'MARK_SHUTDOWN'
  | 'CLAIM_SHUTDOWN'
  | 'COMPLETE_SHUTDOWN'
  | 'MARK_DESTROY'
  | 'CLAIM_DESTROY'
  | 'COMPLETE_DESTROY'
  | 'RESET';

/**
 * nms_flags = (nms_flags & ~clear) | set, for module m of ns, with the
 * machine event `ev`. Entry and exit: netstack_g_lock and netstack_lock held
 * (setup, before any thread runs, holds nothing).
 */
export function nmsUpdate(ex: Execution, g: NetstackGlobals, ns: Netstack, m: number, clear: number, set: number, ev: NmsEvent): void {
  if (ex.current) {
    kassert(MUTEX_HELD(ex, g.gLock), 'MUTEX_HELD(&netstack_g_lock) for nms_flags');
    kassert(MUTEX_HELD(ex, ns.lock), `MUTEX_HELD(&${ns.name}->netstack_lock) for nms_flags`);
  }
  const nms = ns.mstate[m]!;
  nms.flags = (nms.flags & ~clear) | set;
  nms.machine.send(ev);
}
