/**
 * Interface groups: if_addgroup (log L483-486 names no function; the fix
 * "until we're certain the allocation will entirely succeed" has the shape
 * of if_addgroup as the era if.c writes it, which allocates the three
 * structures it needs with M_NOWAIT and links nothing until all three
 * exist). Under IFNET_WLOCK: EEXIST if ifp is in the group; malloc the
 * ifg_list (per-ifnet link) and ifg_member (per-group link), and the
 * ifg_group if the group is new (group_attach_event, then linked on
 * V_ifg_head); then link the member and the list entry under IF_ADDR_LOCK.
 * group_change_event after the unlock.
 *
 * Mutant fb-pre-addgroup-alloc-first (a guess at the code before the fix,
 * a regression guard): the ifg_list is linked on ifp->if_groups as soon as
 * it is allocated, and a later M_NOWAIT failure returns ENOMEM leaving it
 * there, with no group, and the allocations made so far unfreed.
 */
import type { KThread } from '../../core/effect.ts';
import type { Execution } from '../../core/execution.ts';
import { localAccess } from '../../core/ops.ts';
import { KMem, kmemAllocNosleep, kmemFree } from '../../locks/kmem.ts';
import { mutexEnter, mutexExit } from '../../locks/kmutex.ts';
import { rwEnter, rwExit } from '../../locks/krwlock.ts';
import { L } from './ifindex.ts';
import { Errno, type Ifnet, type IfnetGlobals } from './types.ts';
import { fbBug } from './mutants.ts';

/** struct ifg_group. */
export interface IfgGroup {
  readonly name: string;
  readonly mem: KMem;
  refcnt: number;
  /** ifg_members: the ifnets in the group. */
  readonly members: { ifp: Ifnet; mem: KMem }[];
}

/** struct ifg_list: an entry of ifp->if_groups. */
export interface IfgList {
  readonly mem: KMem;
  group: IfgGroup | null;
}

/** V_ifg_head and each ifnet's if_groups (protected by IFNET_WLOCK; if_groups also by IF_ADDR_LOCK). */
export class IfGroups {
  readonly head: IfgGroup[] = [];
  readonly ifpGroups = new Map<Ifnet, IfgList[]>();
  /** Ghost: every allocation if_addgroup made, to find the leaked ones (ALLOC-1). */
  readonly allocated: KMem[] = [];
  /** Ghost object the ALLOC-1 check and the snapshot read. */
  readonly obj: number;
  constructor(ex: Execution) {
    this.obj = ex.newObject('interface groups ghost', 'ghost');
  }
  of(ifp: Ifnet): IfgList[] {
    let l = this.ifpGroups.get(ifp);
    if (!l) this.ifpGroups.set(ifp, (l = []));
    return l;
  }
}

/** malloc(M_NOWAIT): null on a (recorded) allocation failure. */
function* mallocNowait(ex: Execution, gr: IfGroups, what: string): KThread<KMem | null> {
  if (!(yield* kmemAllocNosleep(what))) return null;
  const m = new KMem(ex, what);
  gr.allocated.push(m);
  return m;
}

/** if_addgroup(ifp, groupname). Entry and exit: no lock held. Returns 0, EEXIST or ENOMEM. */
export function* ifAddgroup(ex: Execution, g: IfnetGlobals, gr: IfGroups, ifp: Ifnet, name: string): KThread<number> {
  const early = fbBug(ex, 'fb-pre-addgroup-alloc-first');
  yield* rwEnter(g.ifnetLock, 'RW_WRITER', L(483));
  if (gr.of(ifp).some((l) => l.group?.name === name)) {
    yield* rwExit(g.ifnetLock);
    return 17; // EEXIST
  }
  const ifgl = yield* mallocNowait(ex, gr, `ifg_list ${ifp.name}/${name}`);
  if (ifgl === null) {
    yield* rwExit(g.ifnetLock);
    return Errno.ENOMEM;
  }
  const entry: IfgList = { mem: ifgl, group: null };
  if (early) {
    gr.of(ifp).push(entry); // linked before the other allocations succeeded
    yield* localAccess(gr.obj, 'w', 'TAILQ_INSERT_TAIL(&ifp->if_groups)');
  }
  const ifgm = yield* mallocNowait(ex, gr, `ifg_member ${name}/${ifp.name}`);
  if (ifgm === null) {
    if (!early) yield* kmemFree(ifgl);
    yield* rwExit(g.ifnetLock);
    return Errno.ENOMEM;
  }
  let ifg = gr.head.find((x) => x.name === name) ?? null;
  if (ifg === null) {
    const mem = yield* mallocNowait(ex, gr, `ifg_group ${name}`);
    if (mem === null) {
      if (!early) {
        yield* kmemFree(ifgl);
        yield* kmemFree(ifgm);
      }
      yield* rwExit(g.ifnetLock);
      return Errno.ENOMEM;
    }
    ifg = { name, mem, refcnt: 0, members: [] };
    // EVENTHANDLER_INVOKE(group_attach_event, ifg): synchronous, before the insertion.
    gr.head.push(ifg);
  }
  ifg.refcnt++;
  entry.group = ifg;
  yield* mutexEnter(ifp.addrLock);
  ifg.members.push({ ifp, mem: ifgm });
  if (!early) gr.of(ifp).push(entry);
  yield* localAccess(gr.obj, 'w', 'if_groups, ifg_members');
  yield* mutexExit(ifp.addrLock);
  yield* rwExit(g.ifnetLock);
  // EVENTHANDLER_INVOKE(group_change_event, groupname)
  return Errno.OK;
}
