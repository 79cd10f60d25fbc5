/**
 * ifindex_table: ifnet_byindex, ifnet_byindex_locked, ifnet_byindexgen,
 * ifnet_setbyindex, if_grow, and the index allocation of if_alloc
 * (ifindex_alloc_locked in the fixed code).
 *
 * "log L<n>" cites the if.c commit log. The fixed model is the code after
 * the ifindex_table locking commit (log L278-297: accessors that take the
 * ifnet lock, setters that assert it, attach and detach modifying the table
 * under it) with the two refinements that commit leaves open, table
 * resizing (log L293-294) and the unlocked free-slot scan of if_alloc, done
 * the way later if.c does them: scan, grow and set in one IFNET_WLOCK
 * section. Each mutant is the code before one of these changes.
 */
import type { KThread } from '../../core/effect.ts';
import { kassert, kfail } from '../../core/errors.ts';
import type { Execution } from '../../core/execution.ts';
import { access, localAccess } from '../../core/ops.ts';
import { kmemFree, memAccess } from '../../locks/kmem.ts';
import { RW_WRITE_HELD, RW_LOCK_HELD, rwEnter, rwExit } from '../../locks/krwlock.ts';
import type { Ifnet, IfnetGlobals } from './types.ts';
import { fbBug } from './mutants.ts';

export const L = (n: number | string): string => `if.c log L${n}`;

/**
 * ifnet_byindex_locked. Entry and exit: ifnet_lock held (reader or
 * writer). Returns the slot's ifnet or NULL; the pointer is good only while
 * the lock is held.
 */
export function* ifnetByindexLocked(ex: Execution, g: IfnetGlobals, idx: number): KThread<Ifnet | null> {
  kassert(RW_LOCK_HELD(ex, g.ifnetLock), 'IFNET_LOCK_ASSERT()');
  yield* localAccess(g.globalsObj, 'r', 'V_ifindex_table, V_if_index');
  if (idx > g.ifIndex) return null;
  const t = g.table;
  yield* memAccess(t.mem, 'r', `ife_ifnet[${idx}]`);
  kassert(idx < t.lim, () => `ifindex_table[${idx}] inside ${t.mem.name}`, 'IDX-3');
  return t.ents[idx] ?? null;
}

/**
 * ifnet_byindex, log L281-283. Entry and exit: no lock held. Takes
 * IFNET_RLOCK around the load of V_ifindex_table and the read of the slot,
 * so that if_grow (IFNET_WLOCK) cannot free the array in between. Returns a
 * bare pointer: nothing keeps the ifnet alive once the lock is dropped
 * (log L291-292, "disappearing ifnets").
 *
 * Mutant fb-pre-46dd6e44-byindex-unlocked: the accessor macro before the
 * commit, `ifindex_table[idx].ife_ifnet` with no lock: the load of the
 * table pointer and the read of the slot are two unlocked accesses.
 */
export function* ifnetByindex(ex: Execution, g: IfnetGlobals, idx: number): KThread<Ifnet | null> {
  if (fbBug(ex, 'fb-pre-46dd6e44-byindex-unlocked')) {
    yield* access(g.globalsObj, 'r', 'V_ifindex_table, V_if_index', L(278));
    const t = g.table; // the pointer, loaded once
    if (idx > g.ifIndex) return null;
    yield* memAccess(t.mem, 'r', `ife_ifnet[${idx}]`, true, L(278));
    kassert(idx < t.lim, () => `ifindex_table[${idx}] inside ${t.mem.name}`, 'IDX-3');
    return t.ents[idx] ?? null;
  }
  yield* rwEnter(g.ifnetLock, 'RW_READER', L(283));
  const ifp = yield* ifnetByindexLocked(ex, g, idx);
  yield* rwExit(g.ifnetLock, L(283));
  return ifp;
}

/**
 * ifnet_byindexgen: ifnet_byindex for a holder that kept (index,
 * generation). Entry and exit: no lock held. NULL if the slot was given to
 * another ifnet since (not in the log: a later if.c, the fix of the index
 * reuse that log L241-250 and L281-283 leave to the holders).
 */
export function* ifnetByindexgen(ex: Execution, g: IfnetGlobals, idx: number, gen: number): KThread<Ifnet | null> {
  yield* rwEnter(g.ifnetLock, 'RW_READER');
  let ifp = yield* ifnetByindexLocked(ex, g, idx);
  if (ifp !== null && ifp.idxgen !== gen) ifp = null;
  yield* rwExit(g.ifnetLock);
  return ifp;
}

/**
 * The slot machine of idx takes ev (machines.ts). Entry and exit:
 * IFNET_WLOCK held in the fixed code; not a scheduling point. The one event
 * an era path sends that the machine refuses is BIND of a BOUND slot: two
 * allocations took the same index (the era if_alloc, log L285-290), which
 * is what IDX-2 names, so it fails as IDX-2 (an invariant failure at this
 * step) rather than as the machine: the step that overwrites the slot is the
 * step the IDX-2 invariant would judge. Any other refused event fails as
 * machine:ifindex-slot.
 */
function slotEvent(g: IfnetGlobals, idx: number, ev: 'RESERVE' | 'BIND' | 'CLEAR'): void {
  const s = g.slot(idx);
  if (ev === 'BIND' && s.state === 'BOUND') {
    const o = g.table.ents[idx];
    kfail('invariant', 'IDX-2', `ifnet_setbyindex(${idx}) of a slot bound (generation ${g.slotGen[idx]}) to ${o ? o.name : 'another ifnet'}: two ifnets have index ${idx}`);
  }
  s.send(ev);
}

/**
 * ifnet_setbyindex, log L285-287. Entry and exit: IFNET_WLOCK held
 * (asserted, log L284). Publishes ifp (or NULL) in slot idx.
 */
export function* ifnetSetbyindex(ex: Execution, g: IfnetGlobals, idx: number, ifp: Ifnet | null): KThread<void> {
  kassert(RW_WRITE_HELD(ex, g.ifnetLock), 'IFNET_WLOCK_ASSERT()'); // log L284
  const t = g.table;
  kassert(idx > 0 && idx < t.lim, () => `0 < idx ${idx} < if_indexlim ${t.lim}`);
  yield* memAccess(t.mem, 'w', `ife_ifnet[${idx}]`);
  slotEvent(g, idx, ifp !== null ? 'BIND' : 'CLEAR');
  t.ents[idx] = ifp;
  if (ifp !== null) {
    ifp.idxgen = ++g.slotGen[idx]!; // a new generation of the slot
    ifp.m.send('PUBLISH');
  }
  yield* localAccess(g.idxObj, 'w', 'ifindex_table');
}

/**
 * if_grow: double V_if_indexlim, malloc the new array, copy the slots, free
 * the old array, point V_ifindex_table at the new one. The fixed model
 * calls it with IFNET_WLOCK held (asserted), so no reader (IFNET_RLOCK)
 * holds the old array when it is freed; the era code calls it with no lock
 * (mutant fb-pre-ifindex-alloc-locked, from ifAllocIndex).
 */
export function* ifGrow(ex: Execution, g: IfnetGlobals, locked: boolean): KThread<void> {
  if (locked) kassert(RW_WRITE_HELD(ex, g.ifnetLock), 'IFNET_WLOCK_ASSERT()');
  const old = g.table;
  const nt = g.newTable(old.lim * 2); // malloc(M_WAITOK | M_ZERO)
  yield* memAccess(old.mem, 'r', 'ifindex_table[0..if_indexlim) (bcopy)', !locked);
  for (let i = 0; i < old.lim; i++) nt.ents[i] = old.ents[i] ?? null;
  yield* kmemFree(old.mem); // free(V_ifindex_table, M_IFNET)
  yield* (locked ? localAccess : access)(g.globalsObj, 'w', 'V_ifindex_table = e; V_if_indexlim <<= 1');
  g.table = nt;
  g.ifIndexLim = nt.lim;
  yield* localAccess(g.idxObj, 'w', 'ifindex_table');
}

/**
 * The index allocation of if_alloc. Entry and exit: no lock held. Returns
 * with ifp published at its index (ifp->if_index set).
 *
 * Fixed (the shape of the later ifindex_alloc_locked): under one
 * IFNET_WLOCK section, take the lowest free slot in 1..V_if_index, else
 * V_if_index + 1; grow the table while that index does not fit; raise
 * V_if_index; publish.
 *
 * Mutant fb-pre-ifindex-alloc-locked: the code after the ifindex_table
 * locking commit (log L285-290), whose if_alloc says "XXX: should be
 * locked!": the scan calls ifnet_byindex (the lock taken and dropped per
 * slot), V_if_index is raised and if_grow called with no lock, and only
 * ifnet_setbyindex runs under IFNET_WLOCK. Two allocations can pick the
 * same free slot, and if_grow frees the array under a reader.
 */
export function* ifAllocIndex(ex: Execution, g: IfnetGlobals, ifp: Ifnet): KThread<void> {
  if (fbBug(ex, 'fb-pre-ifindex-alloc-locked')) {
    let idx = 1;
    for (; idx <= g.ifIndex; idx++) if ((yield* ifnetByindex(ex, g, idx)) === null) break; // XXX: should be locked!
    ifp.index = idx;
    yield* access(g.globalsObj, 'w', 'V_if_index', L(290));
    if (idx > g.ifIndex) g.ifIndex = idx;
    if (g.ifIndex >= g.ifIndexLim) yield* ifGrow(ex, g, false);
    yield* rwEnter(g.ifnetLock, 'RW_WRITER', L(288));
    yield* ifnetSetbyindex(ex, g, ifp.index, ifp); // log L288-290
    yield* rwExit(g.ifnetLock, L(288));
    return;
  }
  yield* rwEnter(g.ifnetLock, 'RW_WRITER', L(288));
  let idx = 1;
  for (; idx <= g.ifIndex; idx++) if ((yield* ifnetByindexLocked(ex, g, idx)) === null) break;
  slotEvent(g, idx, 'RESERVE'); // the index is this allocation's from here (IFNET_HOLD in later if.c)
  while (idx >= g.ifIndexLim) yield* ifGrow(ex, g, true);
  yield* localAccess(g.globalsObj, 'w', 'V_if_index');
  if (idx > g.ifIndex) g.ifIndex = idx;
  ifp.index = idx;
  yield* ifnetSetbyindex(ex, g, idx, ifp);
  yield* rwExit(g.ifnetLock, L(288));
}

/**
 * The index release of if_free_type. Entry and exit: IFNET_WLOCK held.
 * Clears the slot and lowers V_if_index past the empty slots at the top
 * ("XXX: should be locked with if_findindex()" in the era code; here under
 * the same IFNET_WLOCK section as the clear, log L288-290).
 */
export function* ifFreeIndexLocked(ex: Execution, g: IfnetGlobals, ifp: Ifnet): KThread<void> {
  kassert(RW_WRITE_HELD(ex, g.ifnetLock), 'IFNET_WLOCK_ASSERT()');
  yield* ifnetSetbyindex(ex, g, ifp.index, null);
  yield* localAccess(g.globalsObj, 'w', 'V_if_index');
  while (g.ifIndex > 0 && (yield* ifnetByindexLocked(ex, g, g.ifIndex)) === null) g.ifIndex--;
}
