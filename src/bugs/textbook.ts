/** Catalogue entries of the textbook scenarios (see types.ts). */
import type { MutantEntry } from './types.ts';

export const textbookMutants: MutantEntry[] = [];
