/**
 * The textbook mutants, keyed (catalogue: src/bugs/textbook.ts). The
 * textbook "model" is its scenario files, so the table lives here, next to
 * them; each scenario reads its mutant with tbBug(ex, 'name'), typed by it.
 */
import { mutantTable } from '../../core/mutants.ts';

export const textbookMutantTable = mutantTable(['tb-abba', 'tb-unlocked-increment', 'tb-cv-if', 'tb-signal-not-broadcast', 'tb-use-after-rele']);
export type TextbookMutant = (typeof textbookMutantTable.names)[number];
/** True when textbook mutant `name` is switched on. */
export const tbBug = textbookMutantTable.bug;
