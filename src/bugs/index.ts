/** The whole catalogue, by system. */
import { ifnetFindings, ifnetMutants } from './ifnet.ts';
import { ipmpFindings, ipmpMutants } from './ipmp.ts';
import { netstackFindings, netstackMutants } from './netstack.ts';
import { textbookMutants } from './textbook.ts';
import type { FindingEntry, MutantEntry } from './types.ts';

export const mutants: MutantEntry[] = [...textbookMutants, ...netstackMutants, ...ipmpMutants, ...ifnetMutants];
export const findings: FindingEntry[] = [...netstackFindings, ...ipmpFindings, ...ifnetFindings];
export type { FindingEntry, MutantEntry, SearchSpec } from './types.ts';
