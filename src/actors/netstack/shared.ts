/**
 * Shared-stack zones and kstats (netstack.c L1200-1394): the zones that
 * use the global stack and the kstats created for it, so that each such
 * kstat is visible in every shared zone. netstack_shared_lock protects both
 * lists and is held across kstat_zone_add/remove; it is never taken with
 * netstack_g_lock or a netstack_lock held.
 */
import type { KThread } from '../../core/effect.ts';
import { kassert } from '../../core/errors.ts';
import type { Execution } from '../../core/execution.ts';
import { KMem, kmemFree, memAccess } from '../../locks/kmem.ts';
import { mutexEnter, mutexExit } from '../../locks/kmutex.ts';
import { type Kstat, type Netstack, type NetstackGlobals, GLOBAL_NETSTACKID, GLOBAL_ZONEID } from './types.ts';

const L = (n: number): string => `netstack.c L${n}`;

/** kstat_zone_add (kstat.c): make ks visible in zoneid. Caller holds netstack_shared_lock here. */
function kstatZoneAdd(ks: Kstat, zoneid: number): void {
  ks.zones.push(zoneid);
}
/** kstat_zone_remove (kstat.c). */
function kstatZoneRemove(ks: Kstat, zoneid: number): void {
  const i = ks.zones.indexOf(zoneid);
  kassert(i >= 0, `kstat_zone_remove(${ks.name}, ${zoneid}): zone present`);
  ks.zones.splice(i, 1);
}

/**
 * kstat_create_netstack, L1206-1225. No lock held on entry or exit. A kstat
 * of the global stack is created in the global zone and added to the shared
 * kstat list (visible in every shared zone); others live in their zone.
 * kstat_create_zone is abstracted to a ghost object that never fails.
 */
export function* kstatCreateNetstack(ex: Execution, g: NetstackGlobals, name: string, stackid: number): KThread<Kstat> {
  if (stackid === GLOBAL_NETSTACKID) {
    const ks: Kstat = { name, zoneid: GLOBAL_ZONEID, zones: [GLOBAL_ZONEID], deleted: false }; // L1214-1215
    const fr = ex.frame('kstat_create_netstack', () => [name, ks]);
    yield* netstackSharedKstatAdd(ex, g, ks); // L1217
    return ex.leaving(fr, ks);
  }
  return { name, zoneid: stackid, zones: [stackid], deleted: false }; // L1220-1223
}

/** kstat_delete_netstack, L1227-1234. No lock held on entry or exit. */
export function* kstatDeleteNetstack(ex: Execution, g: NetstackGlobals, ks: Kstat, stackid: number): KThread<void> {
  const fr = ex.frame('kstat_delete_netstack', () => [ks, stackid]);
  if (stackid === GLOBAL_NETSTACKID) yield* netstackSharedKstatRemove(ex, g, ks); // L1231
  ks.deleted = true; // kstat_delete, L1233
  ex.leave(fr);
}

/** netstack_shared_zone_add, L1236-1258: allocate (L1242), insert at the head, add every shared kstat to the zone. */
export function* netstackSharedZoneAdd(ex: Execution, g: NetstackGlobals, zoneid: number): KThread<void> {
  const sz = { zoneid, mem: new KMem(ex, `shared_zone_list(${zoneid})`) }; // L1242-1243
  const fr = ex.frame('netstack_shared_zone_add', () => [sz]);
  yield* mutexEnter(g.sharedLock, L(1246));
  g.sharedZones.unshift(sz); // L1247-1248
  for (const sk of g.sharedKstats) kstatZoneAdd(sk.ks, zoneid); // L1254-1256
  yield* mutexExit(g.sharedLock, L(1257));
  ex.leave(fr);
}

/** netstack_shared_zone_remove, L1260-1291: unlink (it must be there, L1277), remove the kstats from the zone, free after dropping the lock. */
export function* netstackSharedZoneRemove(ex: Execution, g: NetstackGlobals, zoneid: number): KThread<void> {
  const fr = ex.frame('netstack_shared_zone_remove', () => [zoneid]);
  yield* mutexEnter(g.sharedLock, L(1267));
  const i = g.sharedZones.findIndex((z) => z.zoneid === zoneid); // L1268-1275
  kassert(i >= 0, 'sz != NULL'); // L1277
  const sz = g.sharedZones[i]!;
  yield* memAccess(sz.mem, 'w', 'sz_next');
  g.sharedZones.splice(i, 1); // L1278-1279
  for (const sk of g.sharedKstats) kstatZoneRemove(sk.ks, zoneid); // L1285-1287
  yield* mutexExit(g.sharedLock, L(1288));
  yield* kmemFree(sz.mem, L(1290));
  ex.leave(fr);
}

/** netstack_shared_kstat_add, L1293-1315: allocate (L1299), insert at the head, add the kstat to every shared zone. */
export function* netstackSharedKstatAdd(ex: Execution, g: NetstackGlobals, ks: Kstat): KThread<void> {
  const sk = { ks, mem: new KMem(ex, `shared_kstat_list(${ks.name})`) }; // L1299-1300
  const fr = ex.frame('netstack_shared_kstat_add', () => [sk]);
  yield* mutexEnter(g.sharedLock, L(1303));
  g.sharedKstats.unshift(sk); // L1304-1305
  for (const sz of g.sharedZones) kstatZoneAdd(ks, sz.zoneid); // L1311-1313
  yield* mutexExit(g.sharedLock, L(1314));
  ex.leave(fr);
}

/** netstack_shared_kstat_remove, L1317-1347. */
export function* netstackSharedKstatRemove(ex: Execution, g: NetstackGlobals, ks: Kstat): KThread<void> {
  const fr = ex.frame('netstack_shared_kstat_remove', () => [ks]);
  yield* mutexEnter(g.sharedLock, L(1324));
  const i = g.sharedKstats.findIndex((s) => s.ks === ks); // L1325-1332
  kassert(i >= 0, 'sk != NULL'); // L1334
  const sk = g.sharedKstats[i]!;
  g.sharedKstats.splice(i, 1); // L1335-1336
  for (const sz of g.sharedZones) kstatZoneRemove(ks, sz.zoneid); // L1342-1344
  yield* mutexExit(g.sharedLock, L(1345));
  yield* kmemFree(sk.mem, L(1346));
  ex.leave(fr);
}

/** netstack_find_shared_zoneid, L1352-1366: is zoneid on the shared zone list? (stale once the lock is dropped) */
export function* netstackFindSharedZoneid(ex: Execution, g: NetstackGlobals, zoneid: number): KThread<boolean> {
  let found = false;
  const fr = ex.frame('netstack_find_shared_zoneid', () => [zoneid, found]);
  yield* mutexEnter(g.sharedLock, L(1357));
  found = g.sharedZones.some((z) => z.zoneid === zoneid); // L1358-1363
  yield* mutexExit(g.sharedLock, found ? L(1360) : L(1364));
  return ex.leaving(fr, found);
}

/** netstackid_to_zoneid, L1375-1379: the identity. */
export function netstackidToZoneid(stackid: number): number {
  return stackid;
}

/** zoneid_to_netstackid, L1381-1388: the global stack for a shared zone. */
export function* zoneidToNetstackid(ex: Execution, g: NetstackGlobals, zoneid: number): KThread<number> {
  const fr = ex.frame('zoneid_to_netstackid', () => [zoneid]);
  if (yield* netstackFindSharedZoneid(ex, g, zoneid)) return ex.leaving(fr, GLOBAL_ZONEID); // L1384-1385
  return ex.leaving(fr, zoneid); // L1387
}

/** netstack_get_zoneid, L1390-1394: unlocked read of the immutable stackid; the caller holds a reference. */
export function* netstackGetZoneid(ex: Execution, g: NetstackGlobals, ns: Netstack): KThread<number> {
  void g;
  const fr = ex.frame('netstack_get_zoneid', () => [ns]);
  yield* memAccess(ns.mem, 'r', 'netstack_stackid', false, L(1393));
  return ex.leaving(fr, netstackidToZoneid(ns.stackid));
}
