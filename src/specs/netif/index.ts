/**
 * Specs of the XNU netif nexus model (the invariants of the netif
 * analysis that concern concurrency; "inv N" names its number there).
 *
 * Control-plane invariants hold at SK-quiescent points: they are checked
 * after a step that touched the control-plane ghost or SK_LOCK, and only
 * when no thread holds SK_LOCK (a holder may be half-way through an
 * update: attach publishes if_na, nif_ifp and the ports in one SK_LOCK
 * section, not in one step). The data-path invariants hold at every step.
 * No use-after-free, deadlock freedom and lock order are the engine's own
 * specs (ghost memory, the wait-for graph, the lock-order graph).
 */
import type { EndCheck, Invariant } from '../../core/spec.ts';
import { registerSpecStatements } from '../../core/spec.ts';
import type { Execution } from '../../core/execution.ts';
import { PORT_DEV, PORT_HOST, type NetifGlobals, type NetifNa, type XIfnet } from '../../actors/netif/types.ts';

export interface HasNetif {
  g: NetifGlobals;
}

registerSpecStatements({
  'IOREF-1': 'every ifnet I/O reference skywalk takes is dropped exactly once, by its holder, and if_refio never goes negative',
  'NULL-DEREF': 'the C code never dereferences a NULL pointer it loaded (NA of a free port, nif_ifp of a detached nif)',
  'SUB-1': 'a netif sub-module is initialised at most once and finalised only while initialised and not enabled',
  'DTOR-DETACH': 'the nexus destructor\'s nx_netif_ctl_detach(nx, NULL) cannot fail (VERIFY L5142)',
  'NIF-REF': 'nif_refcnt is never retained from 0 nor released below 0',
  'NA-FREE': 'an NA is freed only with na_refcount 0',
});

const quiescent = (g: NetifGlobals): boolean => g.skLock.owner === null;
const ctlWatch = ({ g }: HasNetif): number[] => [g.ctlObj, g.skLock.id];
const live = (na: NetifNa | null): na is NetifNa => na !== null && !na.mem.freed;

/** inv 1, port pairing: port 0 holds a dev NA iff port 1 holds a host NA; client ports hold vp NAs only. */
export const portPair: Invariant<HasNetif> = {
  name: 'NX-PORT-PAIR',
  statement: 'at SK-quiescent points, port 0 holds a dev NA iff port 1 holds a host NA, and client ports hold only vp NAs',
  watches: ctlWatch,
  check: ({ g }) => {
    if (!quiescent(g)) return null;
    for (const nx of g.nexuses) {
      const s = nx.ports.slots;
      const d = s[PORT_DEV]!.na;
      const h = s[PORT_HOST]!.na;
      if ((d === null) !== (h === null)) return `${nx.name}: port 0 ${d?.name ?? 'free'} but port 1 ${h?.name ?? 'free'}`;
      if (d && d.kind !== 'dev') return `${nx.name}: port 0 holds ${d.kind} NA ${d.name}`;
      if (h && h.kind !== 'host') return `${nx.name}: port 1 holds ${h.kind} NA ${h.name}`;
      for (let p = 2; p < s.length; p++) if (s[p]!.na && s[p]!.na!.kind !== 'vp') return `${nx.name}: client port ${p} holds ${s[p]!.na!.kind} NA`;
    }
    return null;
  },
};

/** inv 2, attach uniqueness: at most one nif per ifnet, and if_na is that nif's port-0 NA. */
export const attachUnique: Invariant<HasNetif> = {
  name: 'NX-ATTACH-UNIQ',
  statement: 'at SK-quiescent points, at most one nif is attached to an ifnet, and ifp->if_na is that nexus\'s port-0 NA (if_na and nif_ifp are mutual)',
  watches: ctlWatch,
  check: ({ g }) => {
    if (!quiescent(g)) return null;
    for (const ifp of g.ifnets) {
      const nxs = g.nexuses.filter((nx) => nx.nif !== null && !nx.nif.mem.freed && nx.nif.ifp === ifp);
      if (nxs.length > 1) return `${ifp.name} is attached to ${nxs.map((n) => n.name).join(' and ')}`;
      const d = nxs.length === 1 ? nxs[0]!.ports.slots[PORT_DEV]!.na : null;
      if (ifp.ifNa !== d) return `${ifp.name}->if_na is ${ifp.ifNa?.name ?? 'NULL'} but the attached nexus's port 0 is ${d?.name ?? (nxs.length ? 'free' : '(none attached)')}`;
    }
    return null;
  },
};

/** inv 3 and 4: nif_uuid set iff port 0 occupied iff nif_ifp set; IFCAP_SKYWALK iff a nif is attached. */
export const uuidAttached: Invariant<HasNetif> = {
  name: 'NX-UUID',
  statement: 'at SK-quiescent points, nif_uuid is set iff port 0 is occupied iff nif_ifp is set, and IFCAP_SKYWALK(ifp) iff a nif is attached to ifp',
  watches: ctlWatch,
  check: ({ g }) => {
    if (!quiescent(g)) return null;
    for (const nx of g.nexuses) {
      const n = nx.nif;
      if (n === null || n.mem.freed) continue;
      const p0 = nx.ports.slots[PORT_DEV]!.na !== null;
      if ((n.uuid !== 0) !== p0 || p0 !== (n.ifp !== null)) return `${nx.name}: nif_uuid ${n.uuid || 'null'}, port 0 ${p0 ? 'occupied' : 'free'}, nif_ifp ${n.ifp?.name ?? 'NULL'}`;
    }
    for (const ifp of g.ifnets) {
      const att = g.nexuses.some((nx) => nx.nif !== null && !nx.nif.mem.freed && nx.nif.ifp === ifp);
      if (ifp.capable !== att) return `${ifp.name}: IFCAP_SKYWALK ${ifp.capable} but ${att ? 'a' : 'no'} nif attached`;
    }
    return null;
  },
};

/** inv 6 and 27: a bound NA is published (no detach unpublishes an NA a channel holds; no channel binds an unpublished NA). */
export const boundPublished: Invariant<HasNetif> = {
  name: 'NX-BOUND-PUBLISHED',
  statement: 'every NA with a channel bound (na_channels > 0) is published in a port of its nexus',
  watches: ctlWatch,
  check: ({ g }) => {
    for (const na of g.nas) {
      if (na.mem.freed || na.channels === 0) continue;
      if (!g.nexuses.some((nx) => nx.ports.slots.some((s) => s.na === na))) return `${na.name} has ${na.channels} channel(s) bound but is in no port`;
    }
    return null;
  },
};

/** inv 16: a redirected handler points at live, active netif code of the ifnet's attached NA. */
export const handlersLive: Invariant<HasNetif> = {
  name: 'NX-HANDLER',
  statement: 'at SK-quiescent points, if_start is redirected only while if_na is a live active dev NA, and if_output only while a live active kernel-only host NA of the ifnet redirected it',
  watches: ctlWatch,
  check: ({ g }) => {
    if (!quiescent(g)) return null;
    for (const ifp of g.ifnets) {
      if (ifp.ifStart.redirected && !(live(ifp.ifNa) && ifp.ifNa.active)) return `${ifp.name}->if_start is ${ifp.ifStart.current} but if_na is ${ifp.ifNa ? `${ifp.ifNa.name}${ifp.ifNa.mem.freed ? ' (freed)' : ifp.ifNa.active ? '' : ' (inactive)'}` : 'NULL'}`;
      if (ifp.ifOutput.redirected) {
        const h = g.nas.find((na) => na.kind === 'host' && na.hostOutputSet && na.naIfp === ifp);
        if (!live(h ?? null) || !h!.active || !h!.kernelOnly) return `${ifp.name}->if_output is ${ifp.ifOutput.current} with no live active kernel-only host NA behind it (I/O path not restored)`;
      }
    }
    return null;
  },
};

/** At the end every handler slot whose NA is no longer active is back at its original: the I/O path is restored. */
export const handlersRestored: EndCheck<HasNetif> = {
  name: 'NX-HANDLER-RESTORED',
  statement: 'at the end, if_start and if_output are at their originals unless an active NA redirected them',
  check: ({ g }) => {
    for (const ifp of g.ifnets) {
      const devActive = g.nas.some((na) => na.kind === 'dev' && live(na) && na.active && na.naIfp === ifp);
      const hostActive = g.nas.some((na) => na.kind === 'host' && live(na) && na.active && na.kernelOnly && na.naIfp === ifp);
      if (ifp.ifStart.redirected && !devActive) return `${ifp.name}->if_start left at ${ifp.ifStart.current}`;
      if (ifp.ifOutput.redirected && !hostActive) return `${ifp.name}->if_output left at ${ifp.ifOutput.current}`;
    }
    return null;
  },
};

/** DATA-1 (inv 23): no data-path thread works inside a ring's busy right while the ring is in drop mode. */
export const dataDrop: Invariant<HasNetif> = {
  name: 'NX-DATA-DROP',
  statement: 'a ring in drop mode (CKRF_DROP) never has a data-path thread inside its busy right past the KR_DROP check',
  watches: ({ g }) => [g.ctlObj],
  check: ({ g }) => {
    for (const na of g.nas) {
      const k = na.krings;
      if (!k || k.mem.freed) continue;
      for (const kr of [k.tx, k.rx]) if (kr.inside !== null && kr.drop) return `${kr.inside} works in ${kr.name} while it is in drop mode`;
    }
    return null;
  },
};

/** DATA-2 (inv 26, 33): the data path commits to work only on a live, active NA. */
export const dataActive: Invariant<HasNetif> = {
  name: 'NX-DATA-ACTIVE',
  statement: 'a doorbell sync or a TX refill is issued only on a live NA with NAF_ACTIVE set, as seen where the path commits',
  watches: ({ g }) => [g.ctlObj],
  check: ({ g }) => {
    for (const e of g.datapath) if (!e.active || e.na.mem.freed) return `${e.who}: ${e.what} on ${e.na.name}, which is ${e.na.mem.freed ? 'freed' : 'inactive'}`;
    return null;
  },
};

/** inv 11: if_refio is the number of holders, and never negative. */
export const iorefCount: Invariant<HasNetif> = {
  name: 'NX-IOREF',
  statement: 'if_refio equals the number of skywalk ioref holders and is never negative',
  watches: ({ g }) => [g.ctlObj],
  check: ({ g }) => {
    for (const ifp of g.ifnets) if (ifp.refio < 0 || ifp.refio !== ifp.ioHolders.length) return `${ifp.name}: if_refio ${ifp.refio}, holders ${ifp.ioHolders.join(', ') || 'none'}`;
    return null;
  },
};

/** inv 11 at the end: only live NAs bound to the ifnet hold iorefs, one each. */
export const iorefEnd: EndCheck<HasNetif> = {
  name: 'NX-IOREF-END',
  statement: 'at the end, every skywalk ioref is held by a live NA whose na_ifp is that ifnet, exactly once',
  check: ({ g }) => {
    for (const ifp of g.ifnets) {
      const want = g.nas.filter((na) => live(na) && na.naIfp === ifp).map((na) => `${na.name}.na_ifp`).sort();
      const got = [...ifp.ioHolders].sort();
      if (want.join(',') !== got.join(',')) return `${ifp.name}: ioref holders ${got.join(', ') || 'none'}, expected ${want.join(', ') || 'none'}`;
    }
    return null;
  },
};

/** inv 14: ENABLED implies INITIALIZED for every sub-module. */
export const subModules: Invariant<HasNetif> = {
  name: 'NX-SUB',
  statement: 'a netif sub-module is enabled only while initialised',
  watches: ({ g }) => [g.ctlObj],
  check: ({ g }) => {
    for (const n of g.nifs) for (const [m, s] of Object.entries(n.sub)) if (s.enabled && !s.initialized) return `${n.name}: ${m} enabled but not initialised`;
    return null;
  },
};

/** inv 8: nif_refcnt = [the nexus points at it] + the live NAs pointing at it. */
export const nifRefs: Invariant<HasNetif> = {
  name: 'NX-NIF-REF',
  statement: 'at SK-quiescent points, nif_refcnt equals 1 for the nexus (while nx_arg points at it) plus one per live NA whose nifna_netif is the nif',
  watches: ctlWatch,
  check: ({ g }) => {
    if (!quiescent(g)) return null;
    for (const n of g.nifs) {
      if (n.mem.freed) continue;
      const want = g.nexuses.filter((nx) => nx.nif === n).length + g.nas.filter((na) => live(na) && na.netif === n).length;
      if (n.refcnt !== want) return `${n.name}: nif_refcnt ${n.refcnt}, expected ${want}`;
    }
    return null;
  },
};

/** inv 10 at the end: an NA that no port holds and no channel binds has been released. */
export const naLeak: EndCheck<HasNetif> = {
  name: 'NX-NA-LEAK',
  statement: 'at the end, every NA that is in no port and has no channel bound is freed (no reference leaked)',
  check: ({ g }) => {
    for (const na of g.nas) {
      if (na.mem.freed) continue;
      const published = g.nexuses.some((nx) => nx.ports.slots.some((s) => s.na === na));
      if (!published && na.channels === 0) return `${na.name} is in no port, has no channel, but is alive with na_refcount ${na.refcount}`;
    }
    return null;
  },
};

/** inv 29: per channel, noidle +1 at connect is paired with -1 at disconnect. */
export const noidleBalance: EndCheck<HasNetif> = {
  name: 'NX-NOIDLE',
  statement: 'at the end, each open channel holds one noidle mark and each closed or failed channel none',
  check: ({ g }) => {
    for (const ch of g.channels) {
      const want = ch.m.state === 'CONNECTED' ? 1 : 0;
      const got = g.noidle.get(ch) ?? 0;
      if (got !== want) return `${ch.name} (${ch.m.state}) has noidle ${got}`;
    }
    return null;
  },
};

/**
 * inv 40 as a lockset (Eraser) check: the accesses of a nexus's nx_ports
 * by two or more threads, one of them a write, have a lock in common.
 */
export const portLockset: Invariant<HasNetif> = {
  name: 'NX-PORT-LOCKSET',
  statement: 'the threads that access a nexus\'s port table (one of them writing) all hold one common lock',
  watches: ({ g }) => [g.ctlObj],
  check: ({ g }) => {
    for (const [nx, ls] of g.portLockset) if (ls.threads.size > 1 && ls.write && ls.locks !== null && ls.locks.size === 0) return `${nx.name}.nx_ports accessed by ${[...ls.threads].join(', ')} with no common lock (last: ${ls.last})`;
    return null;
  },
};

/** Every netif invariant, in the order their violations are reported. */
export const netifInvariants: Invariant<HasNetif>[] = [
  portPair,
  attachUnique,
  uuidAttached,
  boundPublished,
  handlersLive,
  dataDrop,
  dataActive,
  iorefCount,
  subModules,
  nifRefs,
  portLockset,
];

export const netifEndChecks: EndCheck<HasNetif>[] = [handlersRestored, iorefEnd, naLeak, noidleBalance];

/** An end check of a scenario's errno results: `ok(results)` lists the accepted outcomes. */
export function resultsCheck(name: string, statement: string, ok: (r: Map<string, number>, g: NetifGlobals, ex: Execution) => string | null): EndCheck<HasNetif> {
  return { name, statement, check: ({ g }, ex) => ok(g.results, g, ex) };
}

export type { XIfnet };
