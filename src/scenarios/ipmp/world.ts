/**
 * Building blocks of the ipmp scenarios: a stack with IPMP groups (each an
 * IPMP meta-interface phyint with its v4 IPMP ill and illgrp, linked) and
 * underlying phyints with one IPv4 ill each, some already members.
 */
import type { Execution } from '../../core/execution.ts';
import { ipmpGrpCreate } from '../../actors/ipmp/group.ts';
import { ipmpIllgrpCreate, ipmpIllgrpLinkGrp } from '../../actors/ipmp/illgrp.ts';
import { type Grp, type Ill, Ipif, IpmpStack, type Phyint } from '../../actors/ipmp/types.ts';
import { ipmpMonitors } from '../../specs/ipmp/monitors.ts';

export const IPMP_GRANULARITY =
  'scheduling points: every mutex_enter/rw_enter (ill_g_lock, ipmp_lock, ill_lock, ipsq_lock, ipx_lock), cv_wait wake-ups, ' +
  'callout firing and untimeout, and the unlocked accesses of the C code (ill_refresh_tid at ipmp.c L1267, gr_kstats0 at L226/L2033); ' +
  'state under a lock or owned by the IPSQ writer is read and written in plain TypeScript between them';

export interface World {
  st: IpmpStack;
}

/** An IPMP group: meta phyint `ifname`, its IPv4 IPMP ill and illgrp, linked to the group. */
export function makeGroup(ex: Execution, st: IpmpStack, name: string): { grp: Grp; ipmpIll: Ill } {
  const p = st.newPhyint(name, true);
  const ipmpIll = st.newIll(name, p, 'SUNW_DL_IPMP');
  const grp = ipmpGrpCreate(ex, st, name, p);
  p.grp = grp;
  const illg = ipmpIllgrpCreate(ipmpIll);
  ipmpIllgrpLinkGrp(ex, st, illg, grp);
  return { grp, ipmpIll };
}

/** An underlying interface: phyint + IPv4 ill of the given mactype. */
export function makeIf(st: IpmpStack, name: string, mactype = 'DL_ETHER'): { p: Phyint; ill: Ill } {
  const p = st.newPhyint(name);
  const ill = st.newIll(name, p, mactype);
  // The IREs of its (test) addresses: two that a join hides, one it does not.
  ill.ires.push({ type: 'IRE_IF_RESOLVER', testhidden: false }, { type: 'IRE_CACHE', testhidden: false }, { type: 'IRE_BROADCAST', testhidden: false });
  return { p, ill };
}

/** An up data address of the IPMP ill (SIOCSLIFADDR + IFF_UP on ipmpN:k). */
export function addDataAddr(ipmpIll: Ill, addr: string): Ipif {
  return new Ipif(`${ipmpIll.name}:${ipmpIll.ipifs.length + 1}`, ipmpIll, addr, true);
}

/** Bind ipif to the active ill as a completed ipmp_ill_bind_ipif would have (ipmp.c L1719-1724, L1747). */
export function preBind(ipif: Ipif, ill: Ill): void {
  ill.boundIpifs.unshift(ipif);
  ill.boundCnt++;
  ipif.boundIll = ill;
  ipif.bound = true;
}

/** Put p into grp as a completed join would have left it (ring, counters, illgrp). */
export function preJoin(st: IpmpStack, p: Phyint, grp: Grp): void {
  const ill = p.illv4!;
  p.grp = grp;
  if (++grp.nif === 1) grp.mactype = ill.mactype;
  const gq = grp.phyint!.ipsq;
  let tail = gq;
  while (tail.next !== gq) tail = tail.next;
  tail.next = p.ipsq;
  p.ipsq.next = gq;
  p.ipsq.xop = gq.ownxop;
  p.kstats0 = p.linkPackets;
  p.m.send('JOIN_REQ');
  p.m.send('SWITCH_IN');
  p.m.send('JOIN_ILLGRPS');
  const illg = grp.v4!;
  grp.nv4++;
  illg.if.push(ill);
  ill.grp = illg;
  ill.m.send('JOIN_ILLGRP');
  for (const ire of ill.ires) if (ire.type !== 'IRE_BROADCAST' && ire.type !== 'IRE_LOCAL') ire.testhidden = true;
  if (illg.if.length === 1 || illg.mtu > ill.maxMtu) illg.mtu = ill.maxMtu;
  void st;
}

/** Mark ill active in its illgrp (as a completed ipmp_ill_activate would). */
export function preActivate(ill: Ill): void {
  const illg = ill.grp!;
  const grp = ill.phyint.grp!;
  ill.ipifUpCount = Math.max(ill.ipifUpCount, 1);
  if (illg.actif.length === 0) {
    illg.castIll = ill;
    ill.nomCast = true;
  }
  illg.actif.push(ill);
  illg.nactif++;
  illg.nextIll = ill;
  ill.actnode = true;
  ill.ardeactMp = true;
  if (grp.nactif++ === 0) grp.linkdownMp = true;
  ill.m.send('ACTIVATE');
}

export function newStack(ex: Execution): IpmpStack {
  return new IpmpStack(ex, ipmpMonitors);
}
