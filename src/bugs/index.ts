/** The whole catalogue, by system. */
import { ifnetFindings, ifnetMutants } from './ifnet.ts';
import { ipmpFindings, ipmpMutants } from './ipmp.ts';
import { netifFindings, netifMutants } from './netif.ts';
import { netstackFindings, netstackMutants } from './netstack.ts';
import { textbookMutants } from './textbook.ts';
import type { FindingEntry, MutantEntry } from './types.ts';

export const mutants: MutantEntry[] = [...textbookMutants, ...netstackMutants, ...ipmpMutants, ...ifnetMutants, ...netifMutants];
export const findings: FindingEntry[] = [...netstackFindings, ...ipmpFindings, ...ifnetFindings, ...netifFindings];
export type { FindingEntry, MutantEntry, SearchSpec } from './types.ts';
