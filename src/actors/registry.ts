/** Every compiled xstate machine of the models (for export, coverage totals and the equivalence test). */
import type { CompiledMachine } from './machine.ts';
import { ifindexSlotMachine, ifmaMachine, ifnetMachine, vnetMachine } from './ifnet/machines.ts';
import { ipmpMachines } from './ipmp/machines.ts';
import { netifMachines } from './netif/machines.ts';
import { netstackMachines } from './netstack/machines.ts';

export function allMachines(): CompiledMachine[] {
  const n = netstackMachines();
  return [n.lifecycle, n.nms, ...ipmpMachines, ifnetMachine(), vnetMachine(), ifindexSlotMachine(), ifmaMachine(), ...netifMachines()];
}
