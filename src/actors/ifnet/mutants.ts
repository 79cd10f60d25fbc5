/**
 * The FreeBSD ifnet/VNET mutants, keyed (catalogue: src/bugs/ifnet.ts): each
 * is the code before a commit of the if.c log, or a weakened guard of the
 * code modelled from the design notes. The model reads one with
 * fbBug(ex, 'name'), typed by this table.
 */
import { mutantTable } from '../../core/mutants.ts';

export const ifnetMutantTable = mutantTable([
  'fb-pre-46dd6e44-byindex-unlocked',
  'fb-pre-ifindex-alloc-locked',
  'fb-pre-r191423-ifunit-noref',
  'fb-pre-byindexgen',
  'fb-pre-sa-dl-equal',
  'fb-pre-needsgiant-removal',
  'fb-ifq-destroy-in-detach',
  'fb-slowtimo-sysinit-before-if-init',
  'fb-pre-is-default-vnet-gate',
  'fb-pre-curvnet-linktask',
  'fb-linktask-curvnet-no-restore',
  'fb-vnet-destroy-with-live-items',
  'fb-bufring-no-cas',
  'fb-bufring-tail-before-slot',
  'fb-bufring-no-tail-wait',
  'fb-bufring-slot-load-early',
  'fb-slowtimo-watchdog-unlocked',
  'fb-detach-under-driver-lock',
  'fb-pre-bf5b2167-init-in-attach',
  'fb-qflush-unlocked',
  'fb-detach-purge-fib0-only',
  'fb-pre-addgroup-alloc-first',
  'fb-addmulti-giant-under-addr-lock',
  'fb-post-mpsafenet-giant-reliant',
  'fb-pre-ec002fee-delmulti-lookup',
  'fb-llifma-no-ref',
  'fb-mac-destroy-in-detach',
  'fb-rt-ifp-noref',
  'fb-lltable-free-ignores-ref',
  'fb-lagg-linkstate-unlocked',
]);
export type IfnetMutant = (typeof ifnetMutantTable.names)[number];
/** True when ifnet mutant `name` is switched on. */
export const fbBug = ifnetMutantTable.bug;
