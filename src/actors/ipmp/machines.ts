/**
 * Lifecycles of the IPMP model as xstate v5 machines (context-free,
 * finite), compiled once into transition tables (src/actors/machine.ts).
 * An event a machine does not accept in its state fails the execution.
 */
import { setup } from 'xstate';
import { compileMachine } from '../machine.ts';

/** ipxop_t writership: ipsq_try_enter/ipsq_enter/ipsq_dq "become writer" -> ENTER; ipsq_dq "empty" or the join release -> EXIT. */
export const xopMachineDef = setup({}).createMachine({
  id: 'ipmp-xop',
  initial: 'idle',
  states: {
    idle: { on: { ENTER: 'owned' } },
    owned: { on: { EXIT: 'idle', REENTER: 'owned' } },
  },
});

/**
 * Phyint membership (illumos-ipmp.md §3.3): phase 1 under the own xop
 * (JOIN_REQ, ipmp_phyint_join_grp), the xop switch in ipsq_dq (SWITCH_IN),
 * phase 2 under the group xop (JOIN_ILLGRPS, ip_join_illgrps); leave
 * (LEAVE_REQ, ipmp_phyint_leave_grp) then the switch back (SWITCH_OUT).
 * phyint_free (FREE) of a member requests the leave and frees the phyint
 * before the switch back happens.
 */
export const membershipMachineDef = setup({}).createMachine({
  id: 'ipmp-phyint',
  initial: 'out',
  states: {
    out: { on: { JOIN_REQ: 'joinReq', FREE: 'freed' } },
    joinReq: { on: { SWITCH_IN: 'inRing' } },
    inRing: { on: { JOIN_ILLGRPS: 'member' } },
    member: { on: { LEAVE_REQ: 'leaveReq' } },
    leaveReq: { on: { SWITCH_OUT: 'out', FREE: 'freedLeaving' } },
    freedLeaving: { on: { SWITCH_OUT: 'freed' } },
    freed: { type: 'final' },
  },
});

/** Underlying ill: illgrp membership, activity, and teardown. */
export const illMachineDef = setup({}).createMachine({
  id: 'ipmp-ill',
  initial: 'out',
  states: {
    out: { on: { JOIN_ILLGRP: 'under', CONDEMN: 'condemned' } },
    under: { on: { ACTIVATE: 'active', LEAVE_ILLGRP: 'out', CONDEMN: 'condemnedUnder' } },
    active: { on: { DEACTIVATE: 'under', CONDEMN: 'condemnedActive' } },
    condemnedActive: { on: { DEACTIVATE: 'condemnedUnder' } },
    condemnedUnder: { on: { LEAVE_ILLGRP: 'condemned' } },
    condemned: { on: { FREE: 'freed' } },
    freed: { type: 'final' },
  },
});

/** ipmp_grp_t: created live, renamed in place, destroyed. */
export const grpMachineDef = setup({}).createMachine({
  id: 'ipmp-grp',
  initial: 'live',
  states: {
    live: { on: { RENAME: 'live', DESTROY: 'destroyed' } },
    destroyed: { type: 'final' },
  },
});

export const xopMachine = compileMachine(xopMachineDef);
export const membershipMachine = compileMachine(membershipMachineDef);
export const illMachine = compileMachine(illMachineDef);
export const grpMachine = compileMachine(grpMachineDef);
export const ipmpMachines = [xopMachine, membershipMachine, illMachine, grpMachine];
