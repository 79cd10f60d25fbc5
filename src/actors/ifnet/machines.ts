/**
 * The ifnet lifecycle of the FreeBSD if.c model as an xstate v5 machine
 * (context-free, finite), compiled once to a transition table
 * (src/actors/machine.ts). The C state stays primary (ifindex_table slot,
 * V_ifnet membership, IFF_DYING, the memory); the machine is a checked
 * shadow: the model sends an event where the C code changes that state,
 * and an event the machine does not accept fails the execution.
 *
 * The order follows the code, not the list of names in the issue: if_alloc
 * publishes the ifnet in ifindex_table before if_attach links it on
 * V_ifnet; if_detach unlinks it; if_free_type then sets IFF_DYING and gives
 * the index back, and the memory goes at the last if_rele (after the
 * ifunit_ref commit) or at once (before it). An ifnet that was never
 * attached (a driver's attach failed) is freed from `published`.
 */
import { setup } from 'xstate';
import { compileMachine, type CompiledMachine } from '../machine.ts';

export const ifnetLifecycleDef = setup({}).createMachine({
  id: 'ifnet',
  initial: 'ALLOCATED',
  states: {
    /** malloc'ed by if_alloc, no index yet. */
    ALLOCATED: { on: { PUBLISH: 'PUBLISHED' } },
    /** ifnet_setbyindex(idx, ifp): reachable by index, not on V_ifnet. */
    PUBLISHED: { on: { ATTACH: 'ATTACHED', DYING: 'DYING' } },
    /** TAILQ_INSERT_TAIL(&V_ifnet): reachable by name (ifunit). */
    ATTACHED: { on: { UNLINK: 'DETACHED' } },
    /** TAILQ_REMOVE by if_detach: reachable by index only. */
    DETACHED: { on: { DYING: 'DYING' } },
    /** if_free_type: IFF_DYING set, index released; references may remain. */
    DYING: { on: { FREE: 'FREED' } },
    FREED: { type: 'final' },
  },
});

let compiled: CompiledMachine | null = null;

/** The ifnet machine compiled to a transition table (once per process). */
export function ifnetMachine(): CompiledMachine {
  if (!compiled) compiled = compileMachine(ifnetLifecycleDef);
  return compiled;
}

/**
 * The vnet lifecycle (struct vnet, vnet.c of FreeBSD 8): vnet_alloc mallocs
 * it UNINIT and runs the constructors (vnet_sysinit); it is INITIALIZED
 * from their return until vnet_destroy begins (DESTROYING: unlisted, the
 * destructors run); FREED after free(vnet, M_VNET). Whether it is on
 * vnet_head is separate state (Vnet.listed): vnet_alloc lists it after
 * INITIALIZED, vnet_destroy unlists it before DESTROYING's destructors.
 */
export const vnetLifecycleDef = setup({}).createMachine({
  id: 'vnet',
  initial: 'UNINIT',
  states: {
    /** malloc'ed, V_ data copied from the master image, constructors not (all) run. */
    UNINIT: { on: { INIT: 'INITIALIZED' } },
    /** vnet_sysinit returned: every constructor on the list at that time ran. */
    INITIALIZED: { on: { DESTROY: 'DESTROYING' } },
    /** vnet_destroy: unlisted; destructors running (vnet_sysuninit). */
    DESTROYING: { on: { FREE: 'FREED' } },
    FREED: { type: 'final' },
  },
});

let compiledVnet: CompiledMachine | null = null;

/** The vnet machine compiled to a transition table (once per process). */
export function vnetMachine(): CompiledMachine {
  if (!compiledVnet) compiledVnet = compileMachine(vnetLifecycleDef);
  return compiledVnet;
}

/**
 * One slot of ifindex_table (one index), as if.c uses it: FREE (never
 * used), RESERVED (the later ifindex_alloc_locked: the index is taken
 * under IFNET_WLOCK before the ifnet is in it), BOUND (ifnet_setbyindex(idx,
 * ifp): the slot names one ifnet), CLEARED (ifnet_setbyindex(idx, NULL) by
 * if_free_type: free again, but used before). Every BIND starts a new
 * generation of the slot (IfnetGlobals.slotGen, IDX-5's ifnet_byindexgen);
 * the machine is context-free, so the generation is kept beside it.
 *
 * The era if_alloc (log L285-290) has no reservation: it binds a slot it
 * found free with no lock held, so BIND is accepted from FREE and CLEARED
 * too. A BIND of a BOUND slot (two allocations took the same index) is not
 * accepted: IDX-2 says so first, see ifindex.ts. Slot copies made by if_grow
 * are the same slots (the index is the identity, not the array).
 */
export const ifindexSlotDef = setup({}).createMachine({
  id: 'ifindex-slot',
  initial: 'FREE',
  states: {
    /** Never used: ife_ifnet NULL, generation 0. */
    FREE: { on: { RESERVE: 'RESERVED', BIND: 'BOUND' } },
    /** Taken by an allocation under IFNET_WLOCK, the ifnet not stored yet. */
    RESERVED: { on: { BIND: 'BOUND' } },
    /** ife_ifnet = ifp; a new generation. */
    BOUND: { on: { CLEAR: 'CLEARED' } },
    /** ife_ifnet = NULL again by if_free_type; the index may be handed out again. */
    CLEARED: { on: { RESERVE: 'RESERVED', BIND: 'BOUND' } },
  },
});

let compiledSlot: CompiledMachine | null = null;

/** The ifindex slot machine compiled to a transition table (once per process). */
export function ifindexSlotMachine(): CompiledMachine {
  if (!compiledSlot) compiledSlot = compileMachine(ifindexSlotDef);
  return compiledSlot;
}

/**
 * One multicast membership (struct ifmultiaddr) of if.c: ALLOCATED by
 * if_allocmulti; LINKED on ifp->if_multiaddrs (TAILQ_INSERT_HEAD, under
 * IF_ADDR_LOCK); UNLINKED (TAILQ_REMOVE) or ORPHANED (if_delmulti_locked
 * with `detaching` NULLed ifma_ifp: "so that upper protocol layers will
 * notice"; the era purge leaves a still-referenced ifma on the list of
 * the dying ifnet, and its last leave frees it without a TAILQ_REMOVE,
 * having no ifp); FREED by if_freemulti. The link-layer companion
 * (ifma_llifma) is an ifmultiaddr with a machine of its own. ifma_refcount
 * is kept beside the machine (it is not finite); if_freemulti asserts it is
 * 0 (mcdetach.ts).
 */
export const ifmaLifecycleDef = setup({}).createMachine({
  id: 'ifma',
  initial: 'ALLOCATED',
  states: {
    /** if_allocmulti: ifma_refcount 1, not on any list. */
    ALLOCATED: { on: { LINK: 'LINKED' } },
    /** On ifma_ifp->if_multiaddrs; if_findmulti can find it. */
    LINKED: { on: { UNLINK: 'UNLINKED', ORPHAN: 'ORPHANED' } },
    /** ifma_ifp NULL while still on the dying ifnet's list (era if_purgemaddrs, a reference left). */
    ORPHANED: { on: { UNLINK: 'UNLINKED', FREE: 'FREED' } },
    /** Off the list; held only by the references left. */
    UNLINKED: { on: { FREE: 'FREED' } },
    FREED: { type: 'final' },
  },
});

let compiledIfma: CompiledMachine | null = null;

/** The multicast membership machine compiled to a transition table (once per process). */
export function ifmaMachine(): CompiledMachine {
  if (!compiledIfma) compiledIfma = compileMachine(ifmaLifecycleDef);
  return compiledIfma;
}
