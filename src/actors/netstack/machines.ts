/**
 * xstate v5 machines of the netstack model, compiled once to tables.
 *
 * The C flag words stay the primary state (netstack_flags, nms_flags); the
 * machines are checked shadows: the model sends an event at every point
 * where the C code changes the flags, and an event the machine does not
 * accept in its current state fails the execution.
 */
import { and, not, or, setup, stateIn } from 'xstate';
import { compileMachine, type CompiledMachine } from '../machine.ts';

/** Context-free guards; the cast only quiets xstate's generic inference. */
const G = (guard: unknown): never => guard as never;

/**
 * netstack_t lifecycle (netstack_flags plus list membership and memory):
 * allocated (L346) -> creating (L377/L387) -> active (L415-417)
 * [-> shuttingDown (L451) -> shutDown (L481)] -> closing (L513)
 * -> destroying (L541) -> inactive (L593) -> unlinked (L1085) -> freed (L1107).
 * A block allocated by a shared zone's zone_create is freed unused (L357).
 * A shared zone joins (L360) or leaves (L501) an active stack.
 */
export const netstackLifecycle = setup({}).createMachine({
  id: 'netstack',
  initial: 'allocated',
  states: {
    allocated: { on: { ZONE_CREATE_BEGIN: 'creating', FREE_UNUSED: 'freed' } },
    creating: { on: { CREATE_DONE: 'active' } },
    active: { on: { SHUTDOWN_BEGIN: 'shuttingDown', CLOSE: 'closing', ZONE_JOIN: 'active', ZONE_LEAVE: 'active' } },
    shuttingDown: { on: { SHUTDOWN_DONE: 'shutDown' } },
    shutDown: { on: { CLOSE: 'closing' } },
    closing: { on: { DESTROY_BEGIN: 'destroying' } },
    destroying: { on: { DESTROY_DONE: 'inactive' } },
    inactive: { on: { UNLINK: 'unlinked' } },
    unlinked: { on: { FREE: 'freed' } },
    freed: { type: 'final' },
  },
});

/**
 * nm_state_t: one region per phase of nms_flags (create, shutdown, destroy),
 * each none -> needed -> inprogress -> completed; a create may be cancelled
 * (L261); RESET (L307) clears all three once the destroy completed. The
 * guards are the orderings the marking sites promise: a shutdown is marked
 * only on a created (or being created) instance that is not destroyed and
 * claimed only once the create completed, a destroy only on a
 * created (or being created) instance, a claim never overlaps another phase's
 * claim, a destroy is never claimed while a shutdown is still pending, and a reset never wipes a pending shutdown.
 */
export const nmStateMachine = setup({}).createMachine({
  id: 'nm_state',
  type: 'parallel',
  on: {
    RESET: {
      target: ['.create.none', '.shutdown.none', '.destroy.none'],
      guard: G(and([stateIn('#nm_state.destroy.completed'), stateIn('#nm_state.create.completed'), not(stateIn('#nm_state.shutdown.needed')), not(stateIn('#nm_state.shutdown.inprogress'))])),
    },
  },
  states: {
    create: {
      initial: 'none',
      states: {
        none: { on: { MARK_CREATE: { target: 'needed', guard: G(and([stateIn('#nm_state.shutdown.none'), stateIn('#nm_state.destroy.none')])) } } },
        needed: { on: { CANCEL_CREATE: 'none', CLAIM_CREATE: 'inprogress' } },
        inprogress: { on: { COMPLETE_CREATE: 'completed' } },
        completed: {},
      },
    },
    shutdown: {
      initial: 'none',
      states: {
        none: { on: { MARK_SHUTDOWN: { target: 'needed', guard: G(and([or([stateIn('#nm_state.create.inprogress'), stateIn('#nm_state.create.completed')]), stateIn('#nm_state.destroy.none')])) } } },
        needed: { on: { CLAIM_SHUTDOWN: { target: 'inprogress', guard: G(and([stateIn('#nm_state.create.completed'), not(stateIn('#nm_state.destroy.inprogress'))])) } } },
        inprogress: { on: { COMPLETE_SHUTDOWN: 'completed' } },
        completed: {},
      },
    },
    destroy: {
      initial: 'none',
      states: {
        none: { on: { MARK_DESTROY: { target: 'needed', guard: G(or([stateIn('#nm_state.create.inprogress'), stateIn('#nm_state.create.completed')])) } } },
        needed: { on: { CLAIM_DESTROY: { target: 'inprogress', guard: G(and([stateIn('#nm_state.create.completed'), not(stateIn('#nm_state.shutdown.inprogress')), not(stateIn('#nm_state.shutdown.needed'))])) } } },
        inprogress: { on: { COMPLETE_DESTROY: 'completed' } },
        completed: {},
      },
    },
  },
});

let compiled: { lifecycle: CompiledMachine; nms: CompiledMachine } | null = null;

/** The two machines compiled to transition tables (once per process). */
export function netstackMachines(): { lifecycle: CompiledMachine; nms: CompiledMachine } {
  if (!compiled) compiled = { lifecycle: compileMachine(netstackLifecycle), nms: compileMachine(nmStateMachine) };
  return compiled;
}
