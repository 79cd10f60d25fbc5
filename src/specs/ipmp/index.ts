/**
 * Specs of the IPMP / IPSQ model (ipsq notes §5, ipmp notes §4). Each
 * invariant watches ghost objects that the model touches at every write of
 * what the invariant reads (IpmpStack.opsObj: writership and queues;
 * memberObj: group membership, the ring and xop pointers; illgrpObj: illgrp
 * lists and activity). Those writes happen under the locks the C code
 * names, but not always in the step that acquired the lock, so the ghost
 * objects are the exact footprint; they also keep DPOR from treating every
 * acquisition of ill_g_lock or ipmp_lock as dependent with the specs.
 * Measured (docs/verification.md (ipmp section)): the ghosts add no dependency (the
 * schedule counts are the same with every invariant removed), while
 * watching the two rwlocks instead makes reader sections dependent again
 * (ipmp-join-leave: 5,719 schedules -> over 150,000, incomplete). Some of
 * the state (ill_nom_cast, ill_ardeact_mp, gr_nactif) is protected by the
 * IPSQ writer alone, which no lock watch would cover.
 */
import { registerSpecStatements } from '../../core/spec.ts';
import type { Execution } from '../../core/execution.ts';
import type { EndCheck, Invariant } from '../../core/spec.ts';
import { type Ill, type IpmpStack, IS_UNDER_IPMP, phyintIlls, ringOf, type Xop } from '../../actors/ipmp/types.ts';

export interface HasStack {
  st: IpmpStack;
}

function liveXops(st: IpmpStack): Xop[] {
  const out = new Set<Xop>();
  for (const p of st.phyints) if (!p.ipsq.mem.freed) out.add(p.ipsq.xop);
  return [...out];
}

/** E1: at most one writer per xop; every running operation's thread is its xop's writer. */
export const oneWriterPerXop: Invariant<HasStack> = {
  name: 'one-writer-per-xop',
  statement: 'every running exclusive operation is run by its xop writer, and no two threads run operations on one xop',
  watches: (s) => [s.st.opsObj],
  check: ({ st }) => {
    for (const r of st.ops) {
      if (r.xop.writer !== r.thread) return `${r.thread.name} runs ${r.name} on ${r.xop.name} whose writer is ${r.xop.writer?.name ?? 'nobody'}`;
      const other = st.ops.find((o) => o.xop === r.xop && o.thread !== r.thread);
      if (other) return `${r.name} (${r.thread.name}) and ${other.name} (${other.thread.name}) overlap on ${r.xop.name}`;
    }
    return null;
  },
};

/** E2: writer == NULL iff ipx_reentry_cnt == 0. */
export const xopReentry: Invariant<HasStack> = {
  name: 'xop-reentry',
  statement: 'an xop has a writer exactly when its reentry count is positive',
  watches: (s) => [s.st.opsObj],
  check: ({ st }) => {
    for (const p of st.phyints) {
      const x = p.ipsq.ownxop;
      if ((x.writer === null) !== (x.reentry === 0)) return `${x.name}: writer ${x.writer?.name ?? 'NULL'} with reentry ${x.reentry}`;
    }
    return null;
  },
};

/** S1 / ipmp inv. 39: every live xop's ring is a cycle through its head, and holds exactly the IPSQs on that xop. */
export const ringWellFormed: Invariant<HasStack> = {
  name: 'ring-well-formed',
  statement: 'the ipsq_next ring of each live xop is a cycle through its own IPSQ holding exactly the IPSQs whose ipsq_xop is that xop',
  watches: (s) => [s.st.memberObj],
  check: ({ st }) => {
    for (const x of liveXops(st)) {
      const ring = ringOf(x);
      if (ring[ring.length - 1]!.next !== x.ipsq) return `ring of ${x.name} is not a cycle`;
      for (const q of ring) if (q.xop !== x) return `${q.name} is in the ring of ${x.name} but on ${q.xop.name}`;
      for (const p of st.phyints) {
        if (!p.ipsq.mem.freed && p.ipsq.xop === x && !ring.includes(p.ipsq)) return `${p.ipsq.name} is on ${x.name} but not in its ring`;
      }
    }
    return null;
  },
};

/** W1/W2 / ipmp inv. 40: with no switch pending, the IPSQ is on its group's xop iff the phyint is in a group. */
export const membershipMatchesRing: Invariant<HasStack> = {
  name: 'membership-matches-xop',
  statement: 'with no switch pending, a phyint in a group has its IPSQ on the group xop, and one in no group is alone on its own xop',
  watches: (s) => [s.st.memberObj],
  check: ({ st }) => {
    for (const p of st.phyints) {
      if (p.isIpmp || p.mem.freed || p.ipsq.swxop !== null) continue;
      if (p.grp !== null) {
        if (p.ipsq.xop !== p.grp.phyint!.ipsq.ownxop) return `${p.name} is in group ${p.grp.name} but its IPSQ is on ${p.ipsq.xop.name}`;
      } else if (p.ipsq.xop !== p.ipsq.ownxop || p.ipsq.next !== p.ipsq) return `${p.name} is in no group but its IPSQ is on ${p.ipsq.xop.name}`;
    }
    return null;
  },
};

/** ipmp inv. 3: gr_nif counts the phyints whose phyint_grp is the group. */
export const grNifCount: Invariant<HasStack> = {
  name: 'gr-nif-count',
  statement: 'gr_nif equals the number of non-IPMP phyints whose phyint_grp is the group',
  watches: (s) => [s.st.memberObj],
  check: ({ st }) => {
    for (const g of st.groups) {
      if (g.mem.freed) continue;
      const n = st.phyints.filter((p) => !p.isIpmp && p.grp === g).length;
      if (g.nif !== n) return `group ${g.name}: gr_nif ${g.nif} but ${n} member phyints`;
    }
    return null;
  },
};

/** ipmp inv. 7: an unlinked family has no members and no pending joins. */
export const pendConsistent: Invariant<HasStack> = {
  name: 'gr-pend-consistent',
  statement: 'gr_vX == NULL implies gr_nvX == 0 and gr_pendvX == 0',
  watches: (s) => [s.st.memberObj],
  check: ({ st }) => {
    for (const g of st.groups) {
      if (g.v4 === null && (g.nv4 !== 0 || g.pendv4 !== 0)) return `group ${g.name}: no v4 illgrp but nv4 ${g.nv4} pendv4 ${g.pendv4}`;
      if (g.v6 === null && (g.nv6 !== 0 || g.pendv6 !== 0)) return `group ${g.name}: no v6 illgrp but nv6 ${g.nv6} pendv6 ${g.pendv6}`;
      if (g.nv4 < 0 || g.pendv4 < 0 || g.nv6 < 0 || g.pendv6 < 0) return `group ${g.name}: negative counter`;
    }
    return null;
  },
};

/** ipmp inv. 4: all members of a non-empty group share its mactype. */
export const mactypeUniform: Invariant<HasStack> = {
  name: 'mactype-uniform',
  statement: 'every ill of every member phyint of a non-empty group has the group mactype',
  watches: (s) => [s.st.memberObj],
  check: ({ st }) => {
    for (const p of st.phyints) {
      if (p.isIpmp || p.grp === null) continue;
      for (const ill of phyintIlls(p)) if (ill.mactype !== p.grp.mactype) return `${ill.name} (${ill.mactype}) is in group ${p.grp.name} of mactype ${p.grp.mactype}`;
    }
    return null;
  },
};

/** ipmp inv. 15-18: illgrp lists. */
export const illgrpLists: Invariant<HasStack> = {
  name: 'illgrp-lists',
  statement: 'ig_nactif == |ig_actif|, ig_actif is within ig_if, ig_next_ill is NULL iff ig_actif is empty and else on it, ill_grp matches ig_if',
  watches: (s) => [s.st.illgrpObj],
  check: ({ st }) => {
    for (const g of st.groups) {
      for (const illg of [g.v4, g.v6]) {
        if (illg === null) continue;
        if (illg.nactif !== illg.actif.length) return `ig_nactif ${illg.nactif} but ${illg.actif.length} on ig_actif`;
        if ((illg.nextIll === null) !== (illg.actif.length === 0)) return `ig_next_ill ${illg.nextIll?.name ?? 'NULL'} with ${illg.actif.length} active`;
        if (illg.nextIll !== null && !illg.actif.includes(illg.nextIll)) return `ig_next_ill ${illg.nextIll.name} not active`;
        for (const a of illg.actif) {
          if (!illg.if.includes(a)) return `${a.name} active but not in ig_if`;
          if (!a.actnode) return `${a.name} on ig_actif without ill_actnode`;
        }
        for (const m of illg.if) if (m.grp !== illg) return `${m.name} in ig_if but ill_grp differs`;
      }
    }
    for (const ill of st.ills) if (ill.grp !== null && !ill.phyint.isIpmp && !ill.grp.if.includes(ill)) return `${ill.name}: ill_grp set but not in ig_if`;
    return null;
  },
};

function groupQuiescent(st: IpmpStack, illg: { ipmpIll: Ill }): boolean {
  const x = illg.ipmpIll.phyint.ipsq.ownxop;
  return x.writer === null;
}

/** ipmp inv. 19/20: at most one nominated cast ill per illgrp; when the group xop is idle it is on ig_actif exactly when ig_actif is non-empty. */
export const oneCastIll: Invariant<HasStack> = {
  name: 'one-cast-ill',
  statement: 'at most one ill per illgrp has ill_nom_cast; with the group xop idle, ig_cast_ill is NULL iff ig_actif is empty, else an active ill with ill_nom_cast',
  watches: (s) => [s.st.illgrpObj],
  check: ({ st }) => {
    for (const g of st.groups) {
      for (const illg of [g.v4, g.v6]) {
        if (illg === null) continue;
        const nom = st.ills.filter((i) => i.nomCast && i.grp === illg);
        if (nom.length > 1) return `two cast ills in one illgrp: ${nom.map((i) => i.name).join(', ')}`;
        if (!groupQuiescent(st, illg)) continue;
        if ((illg.castIll === null) !== (illg.actif.length === 0)) return `ig_cast_ill ${illg.castIll?.name ?? 'NULL'} with ${illg.actif.length} active`;
        if (illg.castIll !== null && (!illg.actif.includes(illg.castIll) || !illg.castIll.nomCast)) return `cast ill ${illg.castIll.name} is not an active nominee`;
      }
    }
    for (const ill of st.ills) if (ill.nomCast && !IS_UNDER_IPMP(ill)) return `${ill.name} nominated but not under IPMP`;
    return null;
  },
};

/** ipmp inv. 21/22 [Q]: with the group xop idle, an ill is active exactly when it should be (or a retry is armed). */
function activeListMessage(st: IpmpStack): string | null {
  for (const ill of st.ills) {
    if (ill.mem.freed || !IS_UNDER_IPMP(ill)) {
      if (!ill.mem.freed && ill.actnode) return `${ill.name} active but not under IPMP`;
      continue;
    }
    if (!groupQuiescent(st, ill.grp!)) continue;
    const should = ill.ipifUpCount > 0 && !ill.phyint.offline;
    if (ill.actnode && !should) return `${ill.name} is on ig_actif but should not be active`;
    if (!ill.isv6 && ill.ardeactMp !== ill.actnode) return `${ill.name}: ill_ardeact_mp ${ill.ardeactMp} but active ${ill.actnode}`;
    if (should && !ill.actnode && !ill.callouts.some((c) => c.state === 'pending' || c.state === 'running')) return `${ill.name} should be active, is not, and no refresh is armed`;
  }
  return null;
}
export const activeList: Invariant<HasStack> = {
  name: 'active-list',
  statement: 'with the group xop idle, an under-IPMP ill is on ig_actif exactly when ipmp_ill_is_active holds (or a refresh callout is armed)',
  watches: (s) => [s.st.illgrpObj, s.st.opsObj],
  check: ({ st }) => activeListMessage(st),
};

/**
 * ipmp notes inv. 5 and the claim of phyint_free [ext ip_if.c] ("safe to
 * do because all of the illgrps have already been removed by I_PUNLINK, and
 * thus SIOCSLIFGROUPNAME cannot find us"): once ipmp_grp_destroy has freed a
 * group, no phyint is in it or joining it (phyint_grp), no group still links
 * an illgrp that ipmp_illgrp_destroy freed, and no live IPSQ is on, or
 * switching to, the xop of a freed IPSQ.
 */
export const destroyedGrpUnreferenced: Invariant<HasStack> = {
  name: 'destroyed-grp-unreferenced',
  statement: 'no underlying phyint has phyint_grp pointing to a destroyed group, no live group links a destroyed illgrp, and no live IPSQ is on or switching to a freed IPSQ\'s xop',
  watches: (s) => [s.st.memberObj, s.st.illgrpObj],
  check: ({ st }) => {
    for (const p of st.phyints) {
      if (p.mem.freed) continue;
      // The IPMP phyint's own phyint_grp is cleared by phyint_free right after ipmp_grp_destroy, in the same ipmp_lock W section.
      if (!p.isIpmp && p.grp !== null && p.grp.mem.freed) return `${p.name} is in destroyed group ${p.grp.name}`;
      const q = p.ipsq;
      if (q.mem.freed) continue;
      if (q.xop.ipsq.mem.freed) return `${q.name} is on ${q.xop.name} of a freed IPSQ`;
      if (q.swxop !== null && q.swxop.ipsq.mem.freed) return `${q.name} is switching to ${q.swxop.name} of a freed IPSQ`;
    }
    for (const g of st.groups) {
      if (g.mem.freed) continue;
      for (const illg of [g.v4, g.v6]) if (illg !== null && illg.destroyed) return `group ${g.name} links the destroyed illgrp of ${illg.ipmpIll.name}`;
    }
    return null;
  },
};

/** Q2: work queued on an idle xop's ring only while an operation is in progress. */
export const noStrandedQueue: Invariant<HasStack> = {
  name: 'no-stranded-op',
  statement: 'when an xop has no writer and no operation in progress (and no xop switch holds ill_g_lock as writer), no IPSQ of its ring has a queued NEW_OP or SWITCH_OP',
  watches: (s) => [s.st.opsObj, s.st.memberObj],
  check: ({ st }) => {
    // A switch in ipsq_dq (ill_g_lock W) moves writership between xops across a scheduling point.
    if (st.illGLock.writer !== null) return null;
    for (const x of liveXops(st)) {
      if (x.writer !== null || x.currentIpif !== null) continue;
      for (const q of ringOf(x)) {
        if (q.mem.freed) continue;
        if (q.xopq.length > 0 || q.switchMp !== null || x.mphead.length > 0) return `${x.name} is idle while ${q.name} has queued ${[...q.xopq.map((m) => m.name), q.switchMp?.name].filter(Boolean).join(', ')}`;
      }
    }
    return null;
  },
};

/**
 * ipmp notes inv. 1 ([A ipmp_lock]: holds wherever ipmp_lock can be taken):
 * every live group is in the hash under exactly its name. The hash never
 * maps a name to a freed group or to a group of another name; that a live
 * group is in it is checked while no thread holds ipmp_lock as writer
 * (ipmp_grp_destroy removes the group at L433 and frees it at L444 in one
 * ipmp_lock W section that blocks in kstat_delete between them).
 */
export const grpHash: Invariant<HasStack> = {
  name: 'grp-hash',
  statement: 'the hash maps each name to a live group of that gr_name, and (with ipmp_lock not write-held) every live group is in it; names are unique',
  watches: (s) => [s.st.memberObj],
  check: ({ st }) => {
    for (const [k, g] of st.hash) {
      if (g.mem.freed) return `hash key ${k} maps to a freed group`;
      if (g.name !== k) return `hash key ${k} maps to group ${g.name}`;
    }
    if (st.ipmpLock.writer !== null) return null;
    for (const g of st.groups) if (!g.mem.freed && st.hash.get(g.name) !== g) return `group ${g.name} not in the hash under its name`;
    return null;
  },
};

/**
 * The state invariants checked after steps. E1 (one writer per xop, no two
 * operations overlapping), E2 and Q2 are checked where they can break (at
 * every change of writership, at operation entry and exit, and at every
 * enqueue: the monitors of monitors.ts, which ipsq.ts calls) and, with the [Q] parts of the cast and activity
 * invariants, as end checks; the state forms below stay usable for tests.
 */
export const ipmpInvariants: Invariant<HasStack>[] = [
  ringWellFormed,
  membershipMatchesRing,
  grNifCount,
  pendConsistent,
  mactypeUniform,
  illgrpLists,
  oneCastIll,
];

/** Q4: every queued operation was run or flushed. */
export const allOpsRun: EndCheck<HasStack> = {
  name: 'no-stranded-op',
  statement: 'every operation queued on an IPSQ was eventually run (or flushed by an unplumb)',
  check: ({ st }) => {
    const left = [...st.msgs.values()].filter((m) => m.status === 'queued');
    return left.length === 0 ? null : `stranded: ${left.map((m) => m.name).join(', ')}`;
  },
};

/** W2 liveness: no writer leaks, every switch completed. */
export const xopsIdle: EndCheck<HasStack> = {
  name: 'xops-idle',
  statement: 'at the end no xop has a writer, no switch is pending and every phyint is settled in or out of its group',
  check: ({ st }) => {
    for (const p of st.phyints) {
      if (p.ipsq.mem.freed) continue;
      if (p.ipsq.ownxop.writer !== null) return `${p.ipsq.ownxop.name} still has writer ${p.ipsq.ownxop.writer.name}`;
      if (p.ipsq.swxop !== null) return `${p.ipsq.name} has a pending switch`;
      if (!['out', 'member', 'freed'].includes(p.m.state)) return `${p.name} stuck in ${p.m.state}`;
    }
    return null;
  },
};

export const activeListEnd: EndCheck<HasStack> = {
  name: 'active-list',
  statement: 'at the end an under-IPMP ill is active exactly when it should be (or a refresh is armed)',
  check: ({ st }) => activeListMessage(st),
};

export const oneCastIllEnd: EndCheck<HasStack> = { name: 'one-cast-ill', statement: oneCastIll.statement, check: (s, ex) => oneCastIll.check(s, ex) };
export const writersEnd: EndCheck<HasStack> = { name: 'one-writer-per-xop', statement: oneWriterPerXop.statement, check: (s, ex) => oneWriterPerXop.check(s, ex) ?? xopReentry.check(s, ex) };

export const ipmpEndChecks: EndCheck<HasStack>[] = [allOpsRun, xopsIdle, activeListEnd, oneCastIllEnd, writersEnd];

/** Helper for scenario end checks: the recorded errno of an ioctl. */
export function errnoIs(st: IpmpStack, label: string, allowed: number[]): string | null {
  const v = st.results.get(label);
  if (v === undefined) return `${label} did not complete`;
  return allowed.includes(v) ? null : `${label} returned ${v}, expected ${allowed.join(' or ')}`;
}

export type { Execution };

// Specs checked inline where their data is in flight (an operation being
// queued, a lookup's result, a kstat read): their statements, for reports.
registerSpecStatements({
  'no-stranded-op': 'an operation is queued on an IPSQ only while its xop has a writer (or a running ipif operation) that will dequeue it',
  'kstat-monotone': "the IPMP group's kstat counters never go backwards across reads",
});
