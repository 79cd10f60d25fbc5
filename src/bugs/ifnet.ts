/**
 * Catalogue entries of the FreeBSD ifnet model (see types.ts). These are
 * historical bugs of if.c, fixed upstream: each mutant is the code before
 * one commit (named in the mutant), the clean model is the code after it.
 * "log L<n>" cites the if.c commit log; a commit not in the log is named
 * as such. Found by the portfolio, pinned from an exhaustive DPOR run,
 * shown absent by exhaustive DPOR of the fixed model.
 */
import type { FindingEntry, MutantEntry } from './types.ts';

export const ifnetMutants: MutantEntry[] = [
  {
    mutant: 'fb-pre-46dd6e44-byindex-unlocked',
    system: 'freebsd',
    scenario: 'fb-ifindex-grow-uaf',
    cLine: 'if.c log L278-283 (ifnet_byindex takes the ifnet lock)',
    description: 'before the ifindex_table locking commit: ifnet_byindex loads V_ifindex_table and reads the slot with no lock, so if_grow frees the array under it',
    expect: { spec: 'no-use-after-free', kind: 'use-after-free' },
    find: { strategy: 'portfolio', schedules: 200 },
    token: 'nsm1:fb-ifindex-grow-uaf:fb-pre-46dd6e44-byindex-unlocked:-:f76fa8b9:5:AAABAQA:Ub8K:69885642',
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
    token: 'nsm1:fb-ifindex-dup-alloc:fb-pre-ifindex-alloc-locked:-:ddf57f89:8:AAABAQEBAAA:YfVONQ:6269eb83',
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
    token: 'nsm1:fb-ifnet-disappear:fb-pre-r191423-ifunit-noref:-:844aa335:8:AAABAQEBAQE:N23T6g:eabdde72',
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
    token: 'nsm1:fb-ifindex-aba:fb-pre-byindexgen:-:226f3357:10:AAEBAQEBAgIAAQ:kcb8BQc:a5ac88a9',
    clean: { strategy: 'dpor', schedules: 10_000 },
  },
  {
    mutant: 'fb-pre-sa-dl-equal',
    system: 'freebsd',
    scenario: 'fb-sadl-equal',
    cLine: 'if.c log L566-567 (sa_dl_equal replaces sa_equal for sockaddr_dl)',
    description: 'before sa_dl_equal: if_findmulti compares AF_LINK groups with sa_equal, so the same MAC with another sdl_index is a second membership',
    expect: { spec: 'MC-5', kind: 'invariant' },
    find: { strategy: 'portfolio', schedules: 50 },
    token: 'nsm1:fb-sadl-equal:fb-pre-sa-dl-equal:-:357fc7ef:5:AAAAAAA:QbMF:2e645536',
    clean: { strategy: 'dpor', schedules: 100 },
  },
  {
    mutant: 'fb-pre-needsgiant-removal',
    system: 'freebsd',
    scenario: 'fb-deferred-start-after-detach',
    cLine: 'if.c log L32-36 (IFF_NEEDSGIANT removed: no more deferred if_start)',
    description: 'before the IFF_NEEDSGIANT removal: if_start on a Giant driver queues if_starttask, which if_detach does not drain and which holds no reference; the last if_rele frees the ifnet under it',
    expect: { spec: 'TQ-1', kind: 'invariant' },
    find: { strategy: 'portfolio', schedules: 200 },
    token: 'nsm1:fb-deferred-start-after-detach:fb-pre-needsgiant-removal:-:0d34d48a:12:AQEBAQECAgICAgIC:1ZW0-MQb:92ef4244',
    clean: { strategy: 'dpor', schedules: 10_000 },
  },
  {
    mutant: 'fb-ifq-destroy-in-detach',
    system: 'freebsd',
    scenario: 'fb-ifq-mtx-destroy-in-use',
    cLine: 'if.c log L298-300 (if_snd.ifq_mtx initialised by if_attach); the era if_detach destroys it, the later if.c in if_free_internal (not in the log)',
    description: 'if_detach destroys if_snd.ifq_mtx while a sender that holds a reference still uses it: mtx_lock of a destroyed mutex, or mtx_destroy of an owned one',
    expect: { spec: 'LK-1', kind: 'assert' },
    find: { strategy: 'portfolio', schedules: 200 },
    token: 'nsm1:fb-ifq-mtx-destroy-in-use:fb-ifq-destroy-in-detach:-:660bbe9a:7:AAABAQEBAA:YfX5BQ:55ad183c',
    clean: { strategy: 'dpor', schedules: 10_000 },
  },
];

/**
 * Races in the if.c code as modelled (not fixed by a commit of the log).
 * FB-1 is the race the SIOCADDMULTI handler's own comment admits.
 */
export const ifnetFindings: FindingEntry[] = [
  {
    id: 'FB-1',
    system: 'freebsd',
    scenario: 'fb-addmulti-toctou',
    title: 'two userland SIOCADDMULTI of one group both succeed: the lookup and if_addmulti are separate IF_ADDR_LOCK sections',
    cLines: 'if.c log L563-565 (AF_LINK joins through the ioctl); ifhwioctl SIOCADDMULTI, "may also lose a race"',
    expect: { spec: 'MC-6', kind: 'invariant' },
    find: { strategy: 'portfolio', schedules: 200 },
    token: 'nsm1:fb-addmulti-toctou:-:-:632c2c9d:6:AAABAQEA:QXOk:84232252',
    fix: { params: { fixAddmultiAtomic: true }, verify: { strategy: 'dpor', schedules: 1000 } },
  },
];
