/**
 * A minimal zones framework (zone.c, abstracted): zone ids are never
 * reused; each zone runs the netstack ZSD callbacks in order, once each:
 * create (zone_create, before the zone is READY), shutdown (zone_shutdown,
 * SHUTTING_DOWN -> DOWN), destroy. zone_find_by_id only finds zones from
 * READY to DOWN and takes a zone hold (zone_ref); from DYING on it returns
 * NULL, and the ZSD destructors run only once every hold is released
 * (zone.c: "ZONE_IS_FREE: zone_ref goes to 0, ZSD destructor callbacks are
 * executed"), which the model does as zone_destroy waiting on
 * zone_destroy_cv for the holds to drain. zonehash_lock protects the zone
 * table, statuses and holds.
 */
import type { KThread } from '../../core/effect.ts';
import { kassert } from '../../core/errors.ts';
import type { Execution } from '../../core/execution.ts';
import { KCondvar, cvBroadcast, cvWait } from '../../locks/kcondvar.ts';
import { KMem } from '../../locks/kmem.ts';
import { KMutex, mutexEnter, mutexExit } from '../../locks/kmutex.ts';
import { bootStack } from './init.ts';
import { type NetstackGlobals, NRF_REGISTERED, type Zone, type Zones } from './types.ts';
import { netstackZoneCreate, netstackZoneDestroy, netstackZoneShutdown } from './zone-hooks.ts';

export function zonesInit(ex: Execution): Zones {
  return { hashLock: new KMutex(ex, 'zonehash_lock', { cls: 'zonehash_lock' }), destroyCv: new KCondvar(ex, 'zone_destroy_cv'), byId: new Map(), all: [] };
}

/** Setup only: the global zone (id 0) or a zone booted before the scenario starts. */
export function bootZone(ex: Execution, g: NetstackGlobals, z: Zones, id: number, excl: boolean): Zone {
  const zone: Zone = { id, excl, status: 'ready', ref: 1, netstack: null };
  z.byId.set(id, zone);
  z.all.push(zone);
  if (excl || id === 0) zone.netstack = bootStack(ex, g, id, excl || id === 0);
  else {
    const gz = z.byId.get(0)!;
    const ns = gz.netstack!;
    ns.numzones++;
    ns.zones.push(id);
    g.sharedZones.unshift({ zoneid: id, mem: new KMem(ex, `shared_zone_list(${id})`) });
    zone.netstack = ns;
  }
  return zone;
}

/**
 * Setup only: zone_shutdown ran to completion before the scenario started
 * (READY -> DOWN, with netstack_zone_shutdown, L424-484, uncontended). Only
 * for a zone alone on its stack whose registered modules have no
 * nr_shutdown: then L458-466 mark nothing (L461) and L476 runs no callback, so the
 * stack is left as it was, apart from the lifecycle shadow.
 */
export function bootZoneShutdown(ex: Execution, g: NetstackGlobals, zone: Zone): void {
  void ex;
  const ns = zone.netstack!;
  kassert(zone.status === 'ready' && ns.numzones === 1, `zone ${zone.id} ready and alone on ${ns.name}`);
  for (let m = 0; m < g.nsMax; m++) kassert(!(g.reg[m]!.flags & NRF_REGISTERED) || g.reg[m]!.shutdown === null, `setup shutdown of zone ${zone.id}: module ${m} has no nr_shutdown`);
  ns.machine.send('SHUTDOWN_BEGIN'); // L451
  ns.machine.send('SHUTDOWN_DONE'); // L481
  zone.status = 'down';
}

/** zone_create: the zone enters the table uninitialized, the ZSD create runs, then it is READY. */
export function* zoneCreate(ex: Execution, g: NetstackGlobals, z: Zones, id: number, excl: boolean): KThread<Zone> {
  const zone: Zone = { id, excl, status: 'uninitialized', ref: 1, netstack: null };
  const fr = ex.frame('zone_create', () => [zone]);
  yield* mutexEnter(z.hashLock);
  kassert(!z.byId.has(id), `zone id ${id} not reused`);
  z.byId.set(id, zone);
  z.all.push(zone);
  yield* mutexExit(z.hashLock);
  zone.netstack = yield* netstackZoneCreate(ex, g, zone);
  yield* mutexEnter(z.hashLock);
  zone.status = 'ready';
  yield* mutexExit(z.hashLock);
  return ex.leaving(fr, zone);
}

/** zone_shutdown: SHUTTING_DOWN, the ZSD shutdown, DOWN. */
export function* zoneShutdown(ex: Execution, g: NetstackGlobals, z: Zones, zone: Zone): KThread<void> {
  const fr = ex.frame('zone_shutdown', () => [zone]);
  yield* mutexEnter(z.hashLock);
  kassert(zone.status === 'ready', `zone ${zone.id} ready before shutdown`);
  zone.status = 'shutting_down';
  yield* mutexExit(z.hashLock);
  yield* netstackZoneShutdown(ex, g, zone.id, zone.netstack!);
  yield* mutexEnter(z.hashLock);
  zone.status = 'down';
  yield* mutexExit(z.hashLock);
  ex.leave(fr);
}

/** zone_destroy: DYING (lookups fail), wait for the holds to drain, DEAD, then the ZSD destroy. */
export function* zoneDestroy(ex: Execution, g: NetstackGlobals, z: Zones, zone: Zone): KThread<void> {
  const fr = ex.frame('zone_destroy', () => [zone]);
  yield* mutexEnter(z.hashLock);
  kassert(zone.status === 'down', `zone ${zone.id} down before destroy`);
  zone.status = 'dying';
  while (zone.ref > 1) yield* cvWait(z.destroyCv, z.hashLock);
  zone.status = 'dead';
  zone.ref = 0;
  z.byId.delete(zone.id);
  yield* mutexExit(z.hashLock);
  yield* netstackZoneDestroy(ex, g, zone.id, zone.netstack!);
  ex.leave(fr);
}

/** zone_find_by_id: a held zone from READY to DOWN, else null. */
export function* zoneFindById(ex: Execution, z: Zones, id: number): KThread<Zone | null> {
  let zone: Zone | null = null;
  let ok = false;
  const fr = ex.frame('zone_find_by_id', () => [id, zone, ok]);
  yield* mutexEnter(z.hashLock);
  zone = z.byId.get(id) ?? null;
  ok = zone !== null && (zone.status === 'ready' || zone.status === 'shutting_down' || zone.status === 'down');
  if (ok) zone!.ref++;
  yield* mutexExit(z.hashLock);
  return ex.leaving(fr, ok ? zone : null);
}

/** zone_find_by_id_nolock: any zone in the table, no hold (the caller serializes with zone teardown). */
export function zoneFindByIdNolock(z: Zones, id: number): Zone | null {
  return z.byId.get(id) ?? null;
}

/** zone_rele: drop a zone_find_by_id hold; wake zone_destroy when only the zone's own hold is left. */
export function* zoneRele(ex: Execution, z: Zones, zone: Zone): KThread<void> {
  const fr = ex.frame('zone_rele', () => [zone]);
  yield* mutexEnter(z.hashLock);
  kassert(zone.ref > 1, `zone ${zone.id} hold count`);
  zone.ref--;
  if (zone.ref === 1) yield* cvBroadcast(z.destroyCv);
  yield* mutexExit(z.hashLock);
  ex.leave(fr);
}
