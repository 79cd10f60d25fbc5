/**
 * Typed mutant tables. The engine knows no mutant by name (a mutant is a
 * string in ExecOptions, read by Execution.bug): each modelled system keys
 * its own table in the actors layer (actors/<system>/mutants.ts), and its
 * model reads a mutant through the table's `bug`, whose argument is the
 * union of the keys, so a misspelt mutant is a compile error instead of a
 * guard that silently never weakens.
 */
import type { Execution } from './execution.ts';

export interface MutantTable<K extends string> {
  /** Every key, in declaration order. */
  readonly names: readonly K[];
  /** True when `name` is a key of this table. */
  has(name: string): name is K;
  /** True when mutant `name` is switched on in `ex` (Execution.bug, typed). */
  bug(ex: Execution, name: K): boolean;
  /** A scenario's `mutants` list, checked against the keys at compile time. */
  pick(...names: K[]): K[];
}

export function mutantTable<const K extends string>(names: readonly K[]): MutantTable<K> {
  const set = new Set<string>(names);
  if (set.size !== names.length) throw new Error(`mutant table names a mutant twice: ${names.filter((n, i) => names.indexOf(n) !== i).join(', ')}`);
  return {
    names,
    has: (name: string): name is K => set.has(name),
    bug: (ex, name) => ex.bug(name),
    pick: (...picked) => picked,
  };
}
