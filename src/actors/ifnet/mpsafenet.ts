/**
 * The debug.mpsafenet framework and its removal (log L513-531): with
 * debug.mpsafenet=0 (forced by NET_NEEDS_GIANT() when a non-MPSAFE protocol
 * was compiled in), NET_LOCK_GIANT() took Giant around the network code,
 * netisr handlers and NET_CALLOUT_MPSAFE callouts ran with Giant, and a
 * non-MPSAFE protocol's state was serialized by it. The commit turns
 * NET_LOCK_GIANT/NET_UNLOCK_GIANT into no-ops (log L524-526) and aliases
 * NET_CALLOUT_MPSAFE to CALLOUT_MPSAFE (log L527): a protocol still relying
 * on Giant now runs its input path and its timer at the same time.
 *
 * Fixed model: the protocol has its own lock (what the MPSAFE conversion
 * gives each protocol). Mutant fb-post-mpsafenet-giant-reliant: a protocol
 * left relying on NET_LOCK_GIANT after the removal: its read-modify-write
 * of its state is unlocked.
 */
import type { KThread } from '../../core/effect.ts';
import type { Execution } from '../../core/execution.ts';
import { access, localAccess } from '../../core/ops.ts';
import { KMutex, mutexEnter, mutexExit } from '../../locks/kmutex.ts';
import { L } from './ifindex.ts';
import { fbBug } from './mutants.ts';

/** A protocol's global state: one counter (its PCB list length, sequence number, ...). */
export class ProtoState {
  /** The protocol lock of the fixed model; protects `value`. */
  readonly lock: KMutex;
  /** The state word. */
  value = 0;
  readonly obj: number;
  /** Ghost: updates made (DR-1 compares). */
  updates = 0;
  constructor(
    ex: Execution,
    readonly name: string,
  ) {
    this.lock = new KMutex(ex, `${name} lock`, { cls: 'proto_lock' });
    this.obj = ex.newObject(`${name} state`, 'word');
  }
}

/**
 * One update of the protocol state, from its netisr input handler or its
 * callout. Entry and exit: no lock held. Fixed: under the protocol lock.
 * Mutant: NET_LOCK_GIANT() (a no-op now); load, then store.
 */
export function* protoUpdate(ex: Execution, ps: ProtoState, who: string): KThread<void> {
  if (fbBug(ex, 'fb-post-mpsafenet-giant-reliant')) {
    yield* access(ps.obj, 'r', `${who}: load (NET_LOCK_GIANT is a no-op)`, L(524));
    const v = ps.value;
    yield* access(ps.obj, 'w', `${who}: store`);
    ps.value = v + 1;
    ps.updates++;
    return;
  }
  yield* mutexEnter(ps.lock);
  yield* localAccess(ps.obj, 'r', `${who}: load`);
  const v = ps.value;
  yield* localAccess(ps.obj, 'w', `${who}: store`);
  ps.value = v + 1;
  ps.updates++;
  yield* mutexExit(ps.lock);
}
