/**
 * The ipmp specs checked where their data is in flight, inside one step:
 * writership changes and exclusive operations (E1, one-writer-per-xop),
 * enqueues (Q2, no-stranded-op), a group lookup's result (grp-hash) and a
 * kstat read (kstat-monotone). The model says when (IpmpMonitors, called
 * from src/actors/ipmp/ipsq.ts; the scenarios call the lookup and kstat
 * checks from their reader threads); the properties are written here. Their
 * state forms, checked between steps and at the end (and grpHash, the
 * hash's), are in index.ts.
 */
import type { Thread } from '../../core/execution.ts';
import { kfail } from '../../core/errors.ts';
import type { Grp, IpmpMonitors, IpmpStack, Ipsq, Msg, Xop } from '../../actors/ipmp/types.ts';

/** E1 and Q2 at the moments they can break. */
export const ipmpMonitors: IpmpMonitors = {
  becomeWriter(me: Thread, x: Xop): void {
    // No thread becomes writer of an xop another thread is writer of.
    if (x.writer !== null && x.writer !== me) kfail('invariant', 'one-writer-per-xop', `${me.name} becomes writer of ${x.name} held by ${x.writer.name}`);
  },
  releaseWriter(me: Thread, x: Xop): void {
    // Only the writer gives writership up.
    if (x.writer !== me) kfail('invariant', 'one-writer-per-xop', `${me.name} releases ${x.name} held by ${x.writer?.name ?? 'nobody'}`);
  },
  enqueued(mp: Msg, ipsq: Ipsq, ipx: Xop): void {
    // Work is queued only where a writer or an operation in progress will drain it.
    if (ipx.writer === null && ipx.currentIpif === null) kfail('invariant', 'no-stranded-op', `${mp.name} queued on ${ipsq.name} whose xop ${ipx.name} is idle`);
  },
  opStart(st: IpmpStack, me: Thread, xop: Xop, name: string): void {
    // No two exclusive operations overlap on one xop.
    const other = st.ops.find((o) => o.xop === xop && o.thread !== me);
    if (other) kfail('invariant', 'one-writer-per-xop', `${name} (${me.name}) overlaps ${other.name} (${other.thread.name}) on ${xop.name}`);
  },
  opEnd(me: Thread, xop: Xop, name: string): void {
    // An exclusive operation ends as writer of the xop it started on.
    if (xop.writer !== me) kfail('invariant', 'one-writer-per-xop', `${name} (${me.name}) ends on ${xop.name} whose writer is ${xop.writer?.name ?? 'nobody'}`);
  },
};

/**
 * grp-hash as a reader sees it: under ipmp_lock as reader, a lookup of the
 * old name `a` and the new name `b` of a group being renamed finds exactly
 * one, under the name it was looked up by, and gr_ifname (`ifname`) is the
 * group interface's name `a` either way.
 */
export function checkRenameLookup(g: Grp | null, h: Grp | null, a: string, b: string, ifnameOf: (found: Grp) => string): Grp {
  if ((g === null) === (h === null)) kfail('invariant', 'grp-hash', `lookup found ${g ? 'both' : 'neither'} of ${a} and ${b}`);
  const found = (g ?? h)!;
  if (found.name !== (g ? a : b)) kfail('invariant', 'grp-hash', `group found under a name it does not have (${found.name})`);
  const n = ifnameOf(found);
  if (n !== a) kfail('invariant', 'grp-hash', `gr_ifname changed to ${n}`);
  return found;
}

/** kstat-monotone: a reader's successive reads of a group's kstat counter never go backwards. */
export function checkKstatRead(group: string, prev: number | undefined, value: number): void {
  if (prev !== undefined && value < prev) kfail('invariant', 'kstat-monotone', `${group} kstat went from ${prev} to ${value}`);
}
