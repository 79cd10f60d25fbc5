/**
 * Specs of the FreeBSD ifnet model (names from the ifnet/vnet analysis:
 * IDX-* for ifindex_table, REF-* for ifnet lifetime). Every invariant
 * watches IfnetGlobals.idxObj, the ghost object the model writes at each
 * change of a slot, V_if_index, V_ifnet, an ifnet's state or the ghost
 * holders; those changes happen under ifnet_lock (or, for the unlocked
 * accesses of the old variants, in the step that performs them).
 *
 * IDX-3 (no access to a freed table or ifnet) and REF-2's memory half are
 * checked by the ghost memory itself (spec no-use-after-free): every read
 * of a slot or an ifnet field is a KMem access.
 */
import type { EndCheck, Invariant } from '../../core/spec.ts';
import type { Ifnet, IfnetGlobals } from '../../actors/ifnet/types.ts';
import type { IfGroups } from '../../actors/ifnet/groups.ts';
import type { LaggSoftc } from '../../actors/ifnet/lagg.ts';
import type { KMem } from '../../locks/kmem.ts';

export interface HasIfnet {
  g: IfnetGlobals;
}

/** Published and not yet given back: the ifnet owns a slot. */
function ownsSlot(ifp: Ifnet): boolean {
  return ifp.m.state === 'PUBLISHED' || ifp.m.state === 'ATTACHED' || ifp.m.state === 'DETACHED';
}

/** IDX-1: every ifnet that owns a slot is what the table holds at its index. */
export const idx1: Invariant<HasIfnet> = {
  name: 'IDX-1',
  statement: 'for every published, not yet freed ifnet, ifindex_table[ifp->if_index] == ifp',
  watches: ({ g }) => [g.idxObj],
  check: ({ g }) => {
    for (const ifp of g.all) {
      if (!ownsSlot(ifp)) continue;
      const at = g.table.ents[ifp.index] ?? null;
      if (at !== ifp) return `${ifp.name} (${ifp.m.state}) has index ${ifp.index} but ifindex_table[${ifp.index}] is ${at ? at.name : 'NULL'}`;
    }
    return null;
  },
};

/**
 * IDX-2: no two ifnets that own slots share an index. The era double
 * allocation is usually reported under this name by ifnet_setbyindex
 * itself (ifindex.ts: the slot machine refuses a BIND of a BOUND slot in
 * the same step); the invariant also covers a clash made any other way.
 */
export const idx2: Invariant<HasIfnet> = {
  name: 'IDX-2',
  statement: 'no two published, not yet freed ifnets share an index',
  watches: ({ g }) => [g.idxObj],
  check: ({ g }) => {
    const by = new Map<number, Ifnet>();
    for (const ifp of g.all) {
      if (!ownsSlot(ifp)) continue;
      const o = by.get(ifp.index);
      if (o) return `${o.name} and ${ifp.name} both have index ${ifp.index}`;
      by.set(ifp.index, ifp);
    }
    return null;
  },
};

/** IDX-4: V_if_index covers every used slot and the table is big enough for it. */
export const idx4: Invariant<HasIfnet> = {
  name: 'IDX-4',
  statement: 'V_if_index >= the largest index in use, and V_if_index < V_if_indexlim',
  watches: ({ g }) => [g.idxObj, g.globalsObj],
  check: ({ g }) => {
    if (g.ifIndex >= g.ifIndexLim) return `V_if_index ${g.ifIndex} >= V_if_indexlim ${g.ifIndexLim}`;
    for (let i = g.ifIndex + 1; i < g.table.lim; i++) if (g.table.ents[i]) return `slot ${i} (${g.table.ents[i]!.name}) is above V_if_index ${g.ifIndex}`;
    return null;
  },
};

/** IDX-5: resolving a held index gives the ifnet the holder bound to, or NULL. */
export const idx5: Invariant<HasIfnet> = {
  name: 'IDX-5',
  statement: 'a resolution of a held index returns the ifnet the holder bound it to, or NULL',
  watches: ({ g }) => [g.idxObj],
  check: ({ g }) => {
    for (const r of g.resolutions) if (r.got !== null && r.got !== r.bound) return `${r.who} held index ${r.idx} of ${r.bound.name} and resolved it to ${r.got.name}`;
    return null;
  },
};

/**
 * REF-1: an ifnet's memory is freed only once it is unlinked, out of the
 * table, its refcount (if it has one) is 0, and no thread still holds the
 * pointer outside ifnet_lock.
 */
export const ref1: Invariant<HasIfnet> = {
  name: 'REF-1',
  statement: 'an ifnet is freed only when it is unlinked, out of ifindex_table, its refcount is 0 and no thread holds its pointer',
  watches: ({ g }) => [g.idxObj],
  check: ({ g }) => {
    for (const ifp of g.all) {
      if (!ifp.mem.freed) continue;
      if (g.ifnet.includes(ifp)) return `${ifp.name} freed while on V_ifnet`;
      if (g.table.ents[ifp.index] === ifp) return `${ifp.name} freed while in ifindex_table[${ifp.index}]`;
      if (ifp.ref && ifp.ref.count !== 0) return `${ifp.name} freed with if_refcount ${ifp.ref.count}`;
      for (const [t, referenced] of ifp.holders) return `${ifp.name} freed while ${t.name} holds its pointer${referenced ? ' (with a reference)' : ' (without a reference)'}`;
    }
    return null;
  },
};

/** PUB-1: every ifnet reachable from ifindex_table is initialised (its if_snd mutex is a lock). */
export const pub1: Invariant<HasIfnet> = {
  name: 'PUB-1',
  statement: 'every ifnet reachable from ifindex_table has its if_snd mutex initialised',
  watches: ({ g }) => [g.idxObj],
  check: ({ g }) => {
    for (const ifp of g.table.ents) if (ifp && !ifp.ifqLock.inited && !ifp.mem.freed) return `${ifp.name} is in ifindex_table[${ifp.index}] with if_snd.ifq_mtx not initialised`;
    return null;
  },
};

export const ifnetInvariants: Invariant<HasIfnet>[] = [idx2, idx1, idx4, idx5, ref1, pub1];

/** At quiescence no thread holds an ifnet pointer and every dying ifnet without references was freed. */
export const ifnetQuiescent: EndCheck<HasIfnet> = {
  name: 'ifnet-quiescent',
  statement: 'at the end no thread holds an ifnet pointer, and every ifnet given back by if_free with no reference left is freed',
  check: ({ g }) => {
    for (const ifp of g.all) {
      if (ifp.holders.size > 0) return `${ifp.name} still held by ${[...ifp.holders.keys()].map((t) => t.name).join(', ')}`;
      if (ifp.m.state === 'DYING' && (ifp.ref === null || ifp.ref.count === 0)) return `${ifp.name} dying with no reference but not freed`;
      if (ifp.ref && ifp.m.state === 'DYING' && ifp.ref.count > 0) return `${ifp.name} leaked: dying with if_refcount ${ifp.ref.count}`;
    }
    return null;
  },
};

/** MC-5: at most one ifma per (ifp, link-layer group), by sa_dl_equal identity. */
export const mc5: Invariant<HasIfnet> = {
  name: 'MC-5',
  statement: 'an ifnet has at most one multicast membership per link-level address',
  watches: ({ g }) => [g.mcObj],
  check: ({ g }) => {
    for (const ifp of g.all) {
      const seen = new Set<string>();
      for (const ifma of ifp.multiaddrs) {
        const k = `${ifma.addr.alen}/${ifma.addr.lladdr}`;
        if (seen.has(k)) return `${ifp.name} has two memberships of ${ifma.addr.lladdr}`;
        seen.add(k);
      }
    }
    return null;
  },
};

/** MC-6: userland (which cannot hold an ifma between calls) holds at most one reference per membership. */
export const mc6: Invariant<HasIfnet> = {
  name: 'MC-6',
  statement: 'the references userland SIOCADDMULTI took on a membership are at most 1',
  watches: ({ g }) => [g.mcObj],
  check: ({ g }) => {
    for (const ifp of g.all) for (const ifma of ifp.multiaddrs) if (ifma.userRefs > 1) return `${ifp.name} membership ${ifma.addr.lladdr} has ${ifma.userRefs} userland references (refcount ${ifma.refcount})`;
    return null;
  },
};

/** MC-4: a link-layer ifma lives as long as every network-layer ifma that points at it. */
export const mc4: Invariant<HasIfnet> = {
  name: 'MC-4',
  statement: 'a link-layer membership lives at least as long as every network-layer membership that points at it',
  watches: ({ g }) => [g.mcObj],
  check: ({ g }) => {
    for (const ifp of g.all) for (const ifma of ifp.multiaddrs) if (!ifma.mem.freed && ifma.llifma?.mem.freed) return `${ifma.mem.name} still points at its link-layer companion ${ifma.llifma.mem.name}, freed`;
    return null;
  },
};

export const multicastInvariants: Invariant<HasIfnet>[] = [mc4, mc5, mc6];

/** TQ-1: no ifnet is freed while a task that will use it is queued or running. */
export const tq1: Invariant<HasIfnet> = {
  name: 'TQ-1',
  statement: 'an ifnet is freed only after every task queued for it (if_starttask) has run',
  watches: ({ g }) => [g.idxObj],
  check: ({ g }) => {
    for (const ifp of g.all) if (ifp.mem.freed && ifp.pendingTasks > 0) return `${ifp.name} freed with ${ifp.pendingTasks} task(s) still queued for it`;
    return null;
  },
};

/**
 * RT-1: no route reachable in any FIB references an ifnet that if_free has
 * begun to free, and no route a thread holds (rtalloc_fib's reference)
 * references a freed ifnet. The held half is weaker than the analysis's
 * "freed or detached": a held route on a detached ifnet is what every
 * sender racing a detach has, in any fix; what must not happen is that the
 * ifnet's memory goes while the route still names it.
 */
export const rt1: Invariant<HasIfnet> = {
  name: 'RT-1',
  statement: 'no rtentry reachable in any FIB references an ifnet being freed or freed, and no held rtentry references a freed ifnet',
  watches: ({ g }) => (g.rt ? [g.rt.obj, g.idxObj] : [g.idxObj]),
  check: ({ g }) => {
    if (!g.rt) return null;
    for (const table of g.rt.routes) for (const r of table) if (r.ifp.m.state === 'DYING' || r.ifp.m.state === 'FREED') return `route ${r.dst} in FIB ${r.fib} still has rt_ifp ${r.ifp.name} (${r.ifp.m.state})`;
    for (const r of g.rt.entries) if (r.entry!.held > 0 && r.ifp.mem.freed) return `route ${r.dst} in FIB ${r.fib} is held (rt_refcnt ${r.entry!.refcnt}) with rt_ifp ${r.ifp.name} freed`;
    return null;
  },
};

/**
 * LLE-1: the analysis's REF-1 for L2 entries (FB-LLE-vs-DETACH): an
 * llentry's memory goes only when no thread keeps it (a reference taken
 * past IF_AFDATA_UNLOCK).
 */
export const lle1: Invariant<HasIfnet> = {
  name: 'LLE-1',
  statement: 'an llentry is freed only when no thread keeps it (REF-1 for L2 entries)',
  watches: ({ g }) => (g.llt ? [g.llt.obj] : []),
  check: ({ g }) => {
    if (!g.llt) return null;
    for (const lle of g.llt.all) if (lle.mem.freed && lle.held > 0) return `${lle.mem.name} freed while ${lle.held} thread(s) keep it (lle_refcnt ${lle.refcnt})`;
    return null;
  },
};

/**
 * LAGG-3 (this model's number; the analysis asks for REF-1 and TQ-1 on the
 * lagg port, FB-LAGG-PORT-vs-LINKTASK): a lagg_port is freed only when no
 * thread keeps the pointer it read from ifp->if_lagg.
 */
export const lagg3: Invariant<{ sc: LaggSoftc }> = {
  name: 'LAGG-3',
  statement: 'a lagg_port is freed only when no thread keeps the pointer it read from if_lagg (REF-1 for lagg ports)',
  watches: ({ sc }) => [sc.obj],
  check: ({ sc }) => {
    for (const lp of sc.all) if (lp.mem.freed && lp.held > 0) return `${lp.mem.name} freed while ${lp.held} thread(s) keep it (the link task read if_lagg before the port went)`;
    return null;
  },
};

export const taskInvariants: Invariant<HasIfnet>[] = [tq1];

/**
 * ALLOC-1 (end): after an if_addgroup that failed, nothing it allocated is
 * left allocated and unreachable, and ifp lists no entry without a group.
 */
export const alloc1: EndCheck<{ g: IfnetGlobals; gr: IfGroups; result: { rc: number } }> = {
  name: 'ALLOC-1',
  statement: 'an allocation that fails part way leaves nothing allocated or published: no leaked structure, no half-linked group entry',
  check: ({ gr }) => {
    const reachable = new Set<KMem>();
    for (const ifg of gr.head) {
      reachable.add(ifg.mem);
      for (const m of ifg.members) reachable.add(m.mem);
    }
    for (const [ifp, list] of gr.ifpGroups)
      for (const l of list) {
        if (l.group === null) return `${ifp.name}->if_groups has an entry with no group`;
        reachable.add(l.mem);
      }
    for (const m of gr.allocated) if (!m.freed && !reachable.has(m)) return `${m.name} allocated and unreachable (leaked)`;
    return null;
  },
};
