/**
 * UMA zones as far as the VNET lifecycle needs them (log L17-24: the
 * networking zones are V_irtualized "to track uncollected UMA-zone-backed
 * objects on vnet removal"): uma_zcreate, uma_zalloc, uma_zfree,
 * uma_zdestroy. The zone's keg lock lives in the zone, so a uma_zfree into
 * a destroyed zone takes a lock in freed memory (a use-after-free).
 * uma_zdestroy of a zone with items still allocated is what UMA reports as
 * "keg not empty" and leaks; the model records it for VN-5.
 */
import type { KThread } from '../../core/effect.ts';
import type { Execution } from '../../core/execution.ts';
import { localAccess } from '../../core/ops.ts';
import { KMem, kmemFree, memAccess } from '../../locks/kmem.ts';
import { KMutex, mutexEnter, mutexExit } from '../../locks/kmutex.ts';
import type { VnetGlobals } from './vnet.ts';

export class UmaZone {
  /** The zone and its keg (uma_zdestroy frees them). */
  readonly mem: KMem;
  /** The keg lock (uk_lock): protects `items`. Inside mem. */
  readonly lock: KMutex;
  /** Items allocated and not yet freed; protected by lock. */
  items = 0;
  /** Index of this zone's ghost record in VnetGlobals.zones. */
  readonly rec: number;
  constructor(
    ex: Execution,
    vg: VnetGlobals,
    readonly name: string,
  ) {
    this.mem = new KMem(ex, `uma zone ${name}`);
    this.lock = new KMutex(ex, `${name}.uk_lock`, { mem: this.mem, cls: 'uk_lock' });
    this.rec = vg.zones.push({ name, destroyedWithItems: 0 }) - 1;
  }
}

/** uma_zcreate(name, size, ...): M_WAITOK, never fails. No lock held. */
export function umaZcreate(ex: Execution, vg: VnetGlobals, name: string): UmaZone {
  return new UmaZone(ex, vg, name);
}

/** uma_zalloc(zone, M_WAITOK): an item. Entry and exit: no lock held; takes the keg lock. */
export function* umaZalloc(ex: Execution, z: UmaZone, what: string): KThread<KMem> {
  yield* mutexEnter(z.lock);
  z.items++;
  yield* memAccess(z.mem, 'w', 'uk_free');
  yield* mutexExit(z.lock);
  return new KMem(ex, `${what} (from ${z.name})`);
}

/** uma_zfree(zone, item). Entry and exit: no lock held; takes the keg lock (in the zone's memory). */
export function* umaZfree(_ex: Execution, z: UmaZone, item: KMem): KThread<void> {
  yield* mutexEnter(z.lock);
  yield* memAccess(z.mem, 'w', 'uk_free');
  z.items--;
  yield* kmemFree(item);
  yield* mutexExit(z.lock);
}

/** uma_zdestroy(zone). Entry and exit: no lock held; the caller says nobody uses the zone. Items still out are leaked (recorded for VN-5). */
export function* umaZdestroy(_ex: Execution, vg: VnetGlobals, z: UmaZone): KThread<void> {
  yield* mutexEnter(z.lock);
  if (z.items > 0) {
    vg.zones[z.rec]!.destroyedWithItems = z.items; // "keg not empty": the items leak
    yield* localAccess(vg.vnObj, 'w', `uma_zdestroy(${z.name}) with ${z.items} item(s)`);
  }
  yield* mutexExit(z.lock);
  yield* kmemFree(z.mem);
}
