/** Catalogue entries of the netstack model (see types.ts). */
import type { FindingEntry, MutantEntry } from './types.ts';

export const netstackMutants: MutantEntry[] = [];
export const netstackFindings: FindingEntry[] = [];
