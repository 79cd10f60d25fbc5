/**
 * Lifecycles of the netif model as xstate v5 machines (context-free,
 * finite), compiled once to transition tables (src/actors/machine.ts).
 * The C state stays primary (NXF_* flags, nif_uuid and ports, NAF_* and
 * na_refcount, the channel lists); each machine is a checked shadow: the
 * model sends an event where the C code changes that state, and an event
 * the machine does not accept fails the execution.
 */
import { setup } from 'xstate';
import { compileMachine, type CompiledMachine } from '../machine.ts';

/**
 * kern_nexus [ext nexus.c]: nx_create sets NXF_ATTACHED; nx_close with
 * regular channels open sets NXF_CLOSED and the last ch_close detaches;
 * nx_detach (dtor, NXF_ATTACHED cleared) then the last nx_release frees.
 */
export const nexusDef = setup({}).createMachine({
  id: 'nx-nexus',
  initial: 'ATTACHED',
  states: {
    ATTACHED: { on: { CLOSE: 'CLOSED', DETACH: 'DETACHED' } },
    /** NXF_CLOSED: nx_find refuses it; the last ch_close calls nx_detach. */
    CLOSED: { on: { DETACH: 'DETACHED' } },
    DETACHED: { on: { FREE: 'FREED' } },
    FREED: { type: 'final' },
  },
});

/**
 * The nif's attachment (nif_uuid, nif_ifp, ports 0/1): UNATTACHED until
 * nx_netif_ctl_attach publishes (L5570, L6623-6630), back to UNATTACHED
 * at the end of nx_netif_ctl_detach (L5667-5677). DETACHING exists only
 * with the candidate fix of NX-1 (a mark set before the SK_UNLOCK of
 * L5655). FREED: nx_netif_destroy at the last release (L7217-7227).
 */
export const nifDef = setup({}).createMachine({
  id: 'nx-nif',
  initial: 'UNATTACHED',
  states: {
    UNATTACHED: { on: { ATTACH: 'ATTACHED', FREE: 'FREED' } },
    ATTACHED: { on: { DETACH_BEGIN: 'DETACHING', DETACH: 'UNATTACHED' } },
    DETACHING: { on: { DETACH: 'UNATTACHED' } },
    FREED: { type: 'final' },
  },
});

/**
 * nexus_netif_adapter, its publication: allocated, embryonic (ifnet in
 * na_private, no ioref) or bound to the ifp (na_ifp with an ioref),
 * published in the port table (L6625-6630), unpublished (nx_port_free),
 * released (last na_release: dtor + na_netif_free).
 */
export const naDef = setup({}).createMachine({
  id: 'nx-na',
  initial: 'ALLOC',
  states: {
        ALLOC: { on: { EMBRYO: 'EMBRYONIC', BIND_IFP: 'BOUND_IFP', PUBLISH: 'PUBLISHED', RELEASE: 'RELEASED' } },
        EMBRYONIC: { on: { FINALIZE: 'BOUND_IFP', PUBLISH: 'PUBLISHED_EMBRYONIC', RELEASE: 'RELEASED' } },
        BOUND_IFP: { on: { PUBLISH: 'PUBLISHED', RELEASE: 'RELEASED' } },
        PUBLISHED_EMBRYONIC: { on: { FINALIZE: 'PUBLISHED', UNPUBLISH: 'UNPUBLISHED', RELEASE: 'RELEASED' } },
        /** Detach releases the attach references (L5669-5670) before it frees the ports (L5671-5672). */
        PUBLISHED: { on: { UNPUBLISH: 'UNPUBLISHED', RELEASE: 'RELEASED' } },
        UNPUBLISHED: { on: { RELEASE: 'RELEASED' } },
        RELEASED: { type: 'final' },
  },
});

/**
 * The NA's use by channels: idle, owned (na_channels > 0; the first bind
 * creates the krings), active (NAF_ACTIVE, ON L6329 .. OFF L6347).
 */
export const naUseDef = setup({}).createMachine({
  id: 'nx-na-use',
  initial: 'IDLE',
  states: {
    IDLE: { on: { OWN: 'OWNED' } },
    OWNED: { on: { ACTIVATE: 'ACTIVE', DISOWN: 'IDLE' } },
    ACTIVE: { on: { DEACTIVATE: 'OWNED' } },
  },
});

/** kern_channel, as netif sees it: opening, connected (bound to an NA), closed; or the open failed. */
export const channelDef = setup({}).createMachine({
  id: 'nx-channel',
  initial: 'OPENING',
  states: {
    OPENING: { on: { CONNECT: 'CONNECTED', FAIL: 'FAILED' } },
    CONNECTED: { on: { CLOSE: 'CLOSED' } },
    CLOSED: { type: 'final' },
    FAILED: { type: 'final' },
  },
});

let compiled: { nexus: CompiledMachine; nif: CompiledMachine; na: CompiledMachine; naUse: CompiledMachine; channel: CompiledMachine } | null = null;
function all() {
  if (!compiled) compiled = { nexus: compileMachine(nexusDef), nif: compileMachine(nifDef), na: compileMachine(naDef), naUse: compileMachine(naUseDef), channel: compileMachine(channelDef) };
  return compiled;
}
export const nexusMachine = (): CompiledMachine => all().nexus;
export const nifMachine = (): CompiledMachine => all().nif;
export const naMachine = (): CompiledMachine => all().na;
export const naUseMachine = (): CompiledMachine => all().naUse;
export const channelMachine = (): CompiledMachine => all().channel;
export const netifMachines = (): CompiledMachine[] => [nexusMachine(), nifMachine(), naMachine(), naUseMachine(), channelMachine()];
