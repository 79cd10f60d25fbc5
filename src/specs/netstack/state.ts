/**
 * Invariants and end checks over the netstack model's state. Invariants
 * watch what they read: the ns_reg[] entries, the list links and every
 * stack's memory (watched at allocation), which record their accesses
 * (tracked.ts); netstack_shared_lock for the shared lists, which it protects.
 */
import type { Execution } from '../../core/execution.ts';
import type { EndCheck, Invariant } from '../../core/spec.ts';
import { type NetstackGlobals, GLOBAL_ZONEID, NRF_DYING, NRF_REGISTERED, NSF_CLOSING, NSF_UNINIT, NSF_ZONE_INPROGRESS } from '../../actors/netstack/types.ts';
import type { Zones } from '../../actors/netstack/types.ts';

export interface NetstackWorld {
  g: NetstackGlobals;
  z: Zones;
  /** netstack_outstanding_reaps the scenario started with. */
  reapSlots: number;
}

export const regConsistent: Invariant<NetstackWorld> = {
  name: 'reg-consistent',
  statement: 'ns_reg[m] is empty, REGISTERED or REGISTERED|DYING, with nr_create set exactly when registered',
  watches: (s) => s.g.reg.map((r) => r.obj),
  check: (s) => {
    for (let m = 0; m < s.g.nsMax; m++) {
      const r = s.g.reg[m]!;
      if (r.flags !== 0 && r.flags !== NRF_REGISTERED && r.flags !== (NRF_REGISTERED | NRF_DYING)) return `ns_reg[${m}].nr_flags 0x${r.flags.toString(16)}`;
      if ((r.flags === 0) !== (r.create === null)) return `ns_reg[${m}] flags 0x${r.flags.toString(16)} with nr_create ${r.create ? 'set' : 'NULL'}`;
    }
    return null;
  },
};

export const listLive: Invariant<NetstackWorld> = {
  name: 'list-live',
  statement: 'the netstack list holds only allocated, linked stacks, each once',
  watches: (s) => [s.g.listObj, ...s.g.all.map((ns) => ns.mem.id)],
  check: (s) => {
    const seen = new Set<string>();
    for (let ns = s.g.head; ns !== null; ns = ns.next) {
      if (seen.has(ns.name)) return `${ns.name} twice on the list`;
      seen.add(ns.name);
      if (ns.mem.freed) return `freed ${ns.name} on the list`;
    }
    return null;
  },
};

export const sharedKstats: Invariant<NetstackWorld> = {
  name: 'shared-kstats',
  statement: 'every shared-stack kstat is visible in the global zone and in exactly the zones on netstack_shared_zones',
  watches: (s) => [s.g.sharedLock.id],
  check: (s) => {
    const want = [GLOBAL_ZONEID, ...s.g.sharedZones.map((z) => z.zoneid)].sort((a, b) => a - b).join(',');
    for (const sk of s.g.sharedKstats) {
      const got = [...sk.ks.zones].sort((a, b) => a - b).join(',');
      if (got !== want) return `kstat ${sk.ks.name} visible in zones [${got}], shared zones are [${want}]`;
    }
    return null;
  },
};

export const netstackInvariants: Invariant<NetstackWorld>[] = [regConsistent, listLive, sharedKstats];

export const endState: EndCheck<NetstackWorld> = {
  name: 'end-state',
  statement: "every live zone's stack is active with exactly one live instance per registered module (none of unregistered ones); every destroyed zone's own stack is freed",
  check: (s) => {
    const g = s.g;
    for (const zone of s.z.all) {
      const ns = zone.netstack;
      if (!ns) return `zone ${zone.id} has no netstack`;
      if (zone.status === 'dead') {
        if (zone.excl && !ns.mem.freed) return `zone ${zone.id} destroyed but ${ns.name} not freed (refcnt ${ns.refcnt}, numzones ${ns.numzones})`;
        continue;
      }
      if (ns.mem.freed) return `zone ${zone.id} is alive but ${ns.name} is freed`;
      if (ns.flags & (NSF_UNINIT | NSF_CLOSING | NSF_ZONE_INPROGRESS)) return `zone ${zone.id}: ${ns.name} flags 0x${ns.flags.toString(16)}`;
      for (let m = 0; m < g.nsMax; m++) {
        const r = g.reg[m]!;
        const live = g.instances.filter((i) => i.ns === ns && i.m === m && !i.destroyed);
        if (r.flags === NRF_REGISTERED) {
          if (live.length !== 1 || live[0]!.epoch !== r.epoch || ns.modules[m] !== live[0]) {
            return `zone ${zone.id}: ${ns.name} has ${live.length} live instance(s) of registered module ${m}`;
          }
        } else if (live.length !== 0) return `zone ${zone.id}: ${ns.name} has ${live.length} live instance(s) of unregistered module ${m}`;
      }
    }
    return null;
  },
};

export const noInstanceLeak: EndCheck<NetstackWorld> = {
  name: 'no-instance-leak',
  statement: 'every module instance on a freed netstack was destroyed',
  check: (s) => {
    for (const i of s.g.instances) if (i.ns.mem.freed && !i.destroyed) return `module ${i.m} instance on ${i.ns.name} (registration ${i.epoch}) never destroyed; ${i.ns.name} is freed`;
    return null;
  },
};

export const reapSlots: EndCheck<NetstackWorld> = {
  name: 'reap-slots',
  statement: 'every reap returned its netstack_reap_limiter slot and finished',
  check: (s, _ex: Execution) => {
    if (s.g.reapLimiter.count !== s.reapSlots) return `netstack_reap_limiter count ${s.g.reapLimiter.count}, expected ${s.reapSlots}`;
    if (s.g.systemTaskq.queue.length > 0 || s.g.systemTaskq.running > 0) return 'system_taskq still has reaps';
    return null;
  },
};

export const netstackEndChecks: EndCheck<NetstackWorld>[] = [endState, noInstanceLeak, reapSlots];

/**
 * The netstack world as object states (Scenario.snapshot): ns_reg[], every
 * stack ever allocated (flags, counts, nms_flags and the module instance of
 * each module id), the list order, the zones and the reap limiter. Shown per
 * step in reports; tests compare terminal snapshots across strategies.
 */
export function netstackSnapshot(s: NetstackWorld): Record<string, string> {
  const g = s.g;
  const out: Record<string, string> = {};
  const hex = (n: number) => `0x${n.toString(16)}`;
  for (let m = 0; m < g.nsMax; m++) {
    const r = g.reg[m]!;
    out[`ns_reg[${m}]`] = `flags ${hex(r.flags)} registration ${r.epoch}`;
  }
  const list: string[] = [];
  for (let ns = g.head; ns !== null; ns = ns.next) list.push(ns.name);
  out['netstack list'] = list.join(' -> ') || '(empty)';
  for (const ns of g.all) {
    if (ns.mem.freed) {
      out[ns.name] = 'freed';
      continue;
    }
    out[ns.name] = `stackid ${ns.stackid} flags ${hex(ns.flags)} refcnt ${ns.refcnt} numzones ${ns.numzones}`;
    for (let m = 0; m < g.nsMax; m++) {
      const inst = ns.modules[m];
      out[`${ns.name} module ${m}`] = `nms_flags ${hex(ns.mstate[m]!.flags)}${inst ? ` instance r${inst.epoch}${inst.shutdown ? ' shut' : ''}${inst.destroyed ? ' destroyed' : ''}` : ''}`;
    }
  }
  for (const zone of s.z.all) out[`zone ${zone.id}`] = `${zone.status}${zone.netstack ? ` on ${zone.netstack.name}` : ''}`;
  out['netstack_shared_zones'] = g.sharedZones.map((z) => z.zoneid).join(',') || '(none)';
  out['netstack_reap_limiter'] = String(g.reapLimiter.count);
  return out;
}
