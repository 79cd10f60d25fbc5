/**
 * The netstack mutants, keyed (catalogue: src/bugs/netstack.ts). The model
 * reads one with nsBug(ex, 'name'), typed by this table.
 */
import { mutantTable } from '../../core/mutants.ts';

export const netstackMutantTable = mutantTable([
  'ns-no-restart-after-wait',
  'ns-no-wait-creator',
  'ns-follow-next-after-apply',
  'ns-destroy-no-wait',
  'ns-shutdown-no-wait',
  'ns-unregister-keeps-create-needed',
  'ns-created-completed-only',
  'ns-dying-late',
  'ns-create-dying-module',
  'ns-no-zone-create-flag',
  'ns-no-broadcast-zone-created',
  'ns-no-broadcast-after-create',
  'ns-no-broadcast-after-shutdown',
  'ns-no-broadcast-after-destroy',
  'ns-closing-after-rele',
  'ns-rele-reread',
  'ns-hold-if-active-closing-only',
  'ns-find-stackid-no-closing',
  'ns-next-no-closing',
  'ns-inactive-destroy-first',
  'ns-inactive-forward-order',
  'ns-unregister-destroy-first',
  'ns-wait-keeps-g-lock',
  'ns-wait-retake-inverted',
  'ns-unregister-no-reset',
  'ns-reap-no-sema-v',
  'ns-shutdown-shared-stack',
  'ns-inactive-no-shutdown-mark',
  'ns-creator-wait-if',
  'ns-nms-wait-if',
  'ns-create-no-wait',
  'ns-creator-wait-keeps-g-lock',
  'ns-creator-retake-inverted',
  'ns-zone-shutdown-forward-order',
]);
export type NetstackMutant = (typeof netstackMutantTable.names)[number];
/** True when netstack mutant `name` is switched on. */
export const nsBug = netstackMutantTable.bug;
