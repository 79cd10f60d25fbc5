/**
 * Catalogue entries of the FreeBSD ifnet model (see types.ts). These are
 * historical bugs of if.c, fixed upstream: each mutant is the code before
 * one commit (named in the mutant), the clean model is the code after it.
 * "log L<n>" cites the if.c commit log; a commit not in the log is named
 * as such. Found by the portfolio, pinned from an exhaustive DPOR run,
 * shown absent by exhaustive DPOR of the fixed model.
 */
import type { MutantEntry } from './types.ts';

export const ifnetMutants: MutantEntry[] = [
  {
    mutant: 'fb-pre-46dd6e44-byindex-unlocked',
    system: 'freebsd',
    scenario: 'fb-ifindex-grow-uaf',
    cLine: 'if.c log L278-283 (ifnet_byindex takes the ifnet lock)',
    description: 'before the ifindex_table locking commit: ifnet_byindex loads V_ifindex_table and reads the slot with no lock, so if_grow frees the array under it',
    expect: { spec: 'no-use-after-free', kind: 'use-after-free' },
    find: { strategy: 'portfolio', schedules: 200 },
    token: 'nsm1:fb-ifindex-grow-uaf:fb-pre-46dd6e44-byindex-unlocked:-:f76fa8b9:5:AAABAQA:J_AD:4499c476',
    clean: { strategy: 'dpor', schedules: 10_000 },
  },
  {
    mutant: 'fb-pre-ifindex-alloc-locked',
    system: 'freebsd',
    scenario: 'fb-ifindex-dup-alloc',
    cLine: 'if.c log L285-290, L293-294 (if_alloc "XXX: should be locked!"; fixed by the later ifindex_alloc_locked, not in the log)',
    description: 'if_alloc after the locking commit: the free-slot scan takes the lock per slot, V_if_index and if_grow run unlocked, only ifnet_setbyindex is under IFNET_WLOCK; two allocations take the same index',
    expect: { spec: 'IDX-2', kind: 'invariant' },
    find: { strategy: 'portfolio', schedules: 200 },
    token: 'nsm1:fb-ifindex-dup-alloc:fb-pre-ifindex-alloc-locked:-:ddf57f89:8:AAABAQEBAAA:Z1a0Rw:b7e36799',
    clean: { strategy: 'dpor', schedules: 10_000 },
  },
  {
    mutant: 'fb-pre-r191423-ifunit-noref',
    system: 'freebsd',
    scenario: 'fb-ifnet-disappear',
    cLine: 'if.c log L291-292, L28-31 ("disappearing ifnets"; fixed by ifunit_ref/if_rele, r191423, not in the log)',
    description: 'before ifunit_ref: ifioctl keeps the bare pointer ifunit returns across the driver call, and if_free frees at once',
    expect: { spec: 'REF-1', kind: 'invariant' },
    find: { strategy: 'portfolio', schedules: 200 },
    token: 'nsm1:fb-ifnet-disappear:fb-pre-r191423-ifunit-noref:-:844aa335:8:AAABAQEBAQE:lLA5NA:a454f015',
    clean: { strategy: 'dpor', schedules: 10_000 },
  },
  {
    mutant: 'fb-pre-byindexgen',
    system: 'freebsd',
    scenario: 'fb-ifindex-aba',
    cLine: 'if.c log L241-250, L281-283 (an index held by a cdev unit or sdl_index; fixed by ifnet_byindexgen, not in the log)',
    description: 'a holder of an index resolves it with ifnet_byindex after the index was freed and given to a new ifnet, and gets the new one',
    expect: { spec: 'IDX-5', kind: 'invariant' },
    find: { strategy: 'portfolio', schedules: 200 },
    token: 'nsm1:fb-ifindex-aba:fb-pre-byindexgen:-:226f3357:10:AAEBAQEBAgIAAQ:l5nEw6o:13b2182b',
    clean: { strategy: 'dpor', schedules: 10_000 },
  },
];
