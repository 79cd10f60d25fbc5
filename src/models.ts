/**
 * netstack-model/models: the kernel models as scenarios, and the catalogue
 * of known bugs (mutants of the C code's guards, and findings: races in the
 * C code as written), each with the search that finds it and a pinned
 * replay token.
 *
 * @example
 * import { check } from 'netstack-model';
 * import { findScenario } from 'netstack-model/models';
 * check(findScenario('ns-register-vs-zone-create')!);   // every interleaving
 */
export { findScenario, scenarios } from './scenarios/registry.ts';
export { findings, mutants, type FindingEntry, type MutantEntry, type SearchSpec } from './bugs/index.ts';
export { allMachines } from './actors/registry.ts';
