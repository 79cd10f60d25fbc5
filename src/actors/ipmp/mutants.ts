/**
 * The ipmp mutants, keyed (catalogue: src/bugs/ipmp.ts). The model
 * reads one with ipmpBug(ex, 'name'), typed by this table.
 */
import { mutantTable } from '../../core/mutants.ts';

export const ipmpMutantTable = mutantTable([
  'ipmp-dq-no-broadcast',
  'ipmp-dq-no-busy-check',
  'ipmp-dq-no-left-exit',
  'ipmp-dq-reader-on-switch',
  'ipmp-groupname-keep-ipmp-lock',
  'ipmp-grp-destroy-free-first',
  'ipmp-join-no-pend',
  'ipmp-join-switch-immediately',
  'ipmp-leave-keep-arpent',
  'ipmp-leave-no-swxop',
  'ipmp-modclose-no-refcnt-wait',
  'ipmp-refhold-no-condemned-check',
  'ipmp-rename-copy-before-remove',
  'ipmp-rename-no-eexist',
  'ipmp-timer-hold-ill-lock',
  'ipmp-tryenter-ignore-reentry-ok',
  'ipmp-unlink-no-members',
  'ipmp-unlink-no-pend',
  'ipmp-untimeout-under-ill-lock',
  'ipmp-vet-no-mactype',
]);
export type IpmpMutant = (typeof ipmpMutantTable.names)[number];
/** True when ipmp mutant `name` is switched on. */
export const ipmpBug = ipmpMutantTable.bug;
