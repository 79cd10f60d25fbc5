/**
 * The netif mutants, keyed (catalogue: src/bugs/netif.ts). The model
 * reads one with nxBug(ex, 'name'), typed by this table.
 */
import { mutantTable } from '../../core/mutants.ts';

export const netifMutantTable = mutantTable([
  'nx-no-g1-ch-count-busy',
  'nx-no-g2-if-na-busy',
  'nx-no-g2-uuid-busy',
  'nx-no-g3-na-find-port0',
  'nx-no-g5-start-wait',
  'nx-no-g6-spec-disconnect-order',
  'nx-no-g7-kr-drop-enter',
  'nx-no-g7-rx-drop-recheck',
  'nx-no-g7-refill-drop-recheck',
  'nx-no-g8-doorbell-active',
  'nx-no-g8-refill-active',
  'nx-no-g10-owned-busy',
]);
export type NetifMutant = (typeof netifMutantTable.names)[number];
/** True when netif mutant `name` is switched on. */
export const nxBug = netifMutantTable.bug;
