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
