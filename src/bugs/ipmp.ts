/** Catalogue entries of the ipmp model (see types.ts). */
import type { FindingEntry, MutantEntry } from './types.ts';

export const ipmpMutants: MutantEntry[] = [];
export const ipmpFindings: FindingEntry[] = [];
