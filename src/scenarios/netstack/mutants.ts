/** Names of the netstack mutants the model reads with nsBug() (the keyed table: src/actors/netstack/mutants.ts). */
import { netstackMutantTable } from '../../actors/netstack/mutants.ts';

export const NETSTACK_MUTANTS = netstackMutantTable.names;
