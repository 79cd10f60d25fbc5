/**
 * Specs of the datapath functions of ipmp.c (src/actors/ipmp/datapath.ts):
 * the references they hand out. Each reference is recorded when
 * ill_check_and_refhold takes it, with what held at that moment
 * (IpmpStack.holds, DatapathHold); these predicates judge the records. They
 * watch the ghost object touched at every hold and release (holdsObj).
 */
import type { EndCheck, Invariant } from '../../core/spec.ts';
import type { IpmpStack } from '../../actors/ipmp/types.ts';

export interface HasStack {
  st: IpmpStack;
}

/**
 * ipsq notes L1 and §4 (ip_modclose waits for ill_refcnt after setting
 * ILL_CONDEMNED, so a reference taken later would keep a dying ill, or one
 * already freed, in use): no datapath reference is taken on a CONDEMNED
 * ill, and no referenced ill is freed before the reference is dropped.
 */
export const noHoldOnDeadIll: Invariant<HasStack> = {
  name: 'no-hold-on-dead-ill',
  statement: 'a datapath function never returns a reference to a CONDEMNED ill, and an ill is never freed while a datapath reference to it is held',
  // Checked at every datapath hold and release and at the end. Watching the
  // ills' KMem objects as well (so that the kmem_free step itself is checked)
  // made ipmp-transmit-leave 20,915 schedules instead of 14,353; a freed ill
  // that is still held is caught anyway by its holder's next touch of it
  // (use-after-free: the release takes its ill_lock).
  watches: (s) => (s.st.holdsObj >= 0 ? [s.st.holdsObj] : []),
  check: ({ st }) => {
    for (const h of st.holds) {
      if (h.condemned) return `${h.fn} (${h.thread.name}) returned ${h.ill.name} held although it is CONDEMNED`;
      if (!h.released && h.ill.mem.freed) return `${h.ill.name} was freed while ${h.thread.name} holds it (from ${h.fn})`;
    }
    return null;
  },
};

/**
 * ipmp notes inv. 19 as the datapath sees it: the nominated multicast ill
 * that ipmp_illgrp_hold_cast_ill returns is active, i.e. on ig_actif, or an
 * ill the group writer is activating (ipmp_ill_activate nominates it before
 * it lists it, on purpose: "before ipmp_ill_bind_ipif() since that may need
 * to send multicast packets", L1496-1502).
 */
export const castIllActive: Invariant<HasStack> = {
  name: 'cast-ill-active',
  statement: 'ipmp_illgrp_hold_cast_ill returns an ill on ig_actif, or one that ipmp_ill_activate is activating',
  watches: (s) => (s.st.holdsObj >= 0 ? [s.st.holdsObj] : []),
  check: ({ st }) => {
    for (const h of st.holds) {
      if (h.fn !== 'ipmp_illgrp_hold_cast_ill') continue;
      if (!h.onActif && !h.activating) return `ipmp_illgrp_hold_cast_ill (${h.thread.name}) returned ${h.ill.name}, which is not on ig_actif (deactivated)`;
    }
    return null;
  },
};

/**
 * ipmp notes inv. 30 as the datapath sees it: the ill a data address is
 * bound to, as ipmp_ipif_hold_bound_ill returns it, is active (on
 * ig_actif), or one that ipmp_ill_activate is activating (it binds before it
 * lists the ill, L1509-1512 and L1519-1526 before L1539).
 */
export const boundIllActive: Invariant<HasStack> = {
  name: 'bound-ill-active',
  statement: 'ipmp_ipif_hold_bound_ill returns an ill on ig_actif, or one that ipmp_ill_activate is activating',
  watches: (s) => (s.st.holdsObj >= 0 ? [s.st.holdsObj] : []),
  check: ({ st }) => {
    for (const h of st.holds) {
      if (h.fn !== 'ipmp_ipif_hold_bound_ill') continue;
      if (!h.onActif && !h.activating) return `ipmp_ipif_hold_bound_ill (${h.thread.name}) returned ${h.ill.name}, which is not on ig_actif (deactivated)`;
    }
    return null;
  },
};

/** Every reference a datapath function handed out was dropped, and no live ill keeps a reference count. */
export const holdsReleased: EndCheck<HasStack> = {
  name: 'holds-released',
  statement: 'at the end every datapath reference was released (ill_refrele) and every live ill has ill_refcnt 0',
  check: ({ st }) => {
    const left = st.holds.filter((h) => !h.released);
    if (left.length > 0) return `still held: ${left.map((h) => `${h.ill.name} (${h.fn}, ${h.thread.name})`).join(', ')}`;
    for (const ill of st.ills) if (!ill.mem.freed && ill.refcnt !== 0) return `${ill.name} ends with ill_refcnt ${ill.refcnt}`;
    return null;
  },
};

/**
 * ipmp notes: the IREs of an ill in an illgrp are hidden from data traffic
 * (ipmp_ill_ire_mark_testhidden at join, L1233) and exposed again when it
 * leaves (L1272). Checked at the end.
 */
export const testhiddenMatchesMembership: EndCheck<HasStack> = {
  name: 'ire-testhidden',
  statement: 'at the end the host, prefix, default, cache and interface IREs of an ill are marked IRE_MARK_TESTHIDDEN exactly when the ill is in an illgrp',
  check: ({ st }) => {
    for (const ill of st.ills) {
      if (ill.mem.freed || ill.phyint.isIpmp) continue;
      const under = ill.grp !== null;
      for (const ire of ill.ires) {
        const hideable = ire.type !== 'IRE_BROADCAST' && ire.type !== 'IRE_LOCAL';
        if (ire.testhidden !== (under && hideable)) return `${ill.name}: ${ire.type} testhidden ${ire.testhidden} while ${under ? 'in' : 'out of'} its illgrp`;
      }
    }
    return null;
  },
};

export const datapathInvariants: Invariant<HasStack>[] = [noHoldOnDeadIll, castIllActive, boundIllActive];
export const datapathEndChecks: EndCheck<HasStack>[] = [holdsReleased, testhiddenMatchesMembership];
