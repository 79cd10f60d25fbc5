/**
 * Catalogue entries of the textbook scenarios (see types.ts). The "C line"
 * of a textbook bug is the line of the scenario file that it weakens.
 */
import type { MutantEntry } from './types.ts';
import type { TextbookMutant } from '../scenarios/textbook/mutants.ts';

export const textbookMutants: MutantEntry<TextbookMutant>[] = [
  {
    mutant: 'tb-unlocked-increment',
    system: 'textbook',
    scenario: 'tb-counter',
    cLine: 'src/scenarios/textbook/counter.ts incrementer',
    description: 'read-modify-write of the counter without the mutex (lost update)',
    expect: { spec: 'no-lost-update', kind: 'end-state' },
    find: { strategy: 'dpor', schedules: 100 },
    token: 'nsm1:tb-counter:tb-unlocked-increment:-:5660d76b:6:AAABAQEA:oHqH:3467efb9',
    clean: { strategy: 'dpor', schedules: 10_000, params: { threads: 3 } },
  },
  {
    mutant: 'tb-abba',
    system: 'textbook',
    scenario: 'tb-abba',
    cLine: 'src/scenarios/textbook/abba.ts setup',
    description: 'second thread takes lock_b before lock_a (ABBA deadlock)',
    expect: { spec: 'deadlock', kind: 'deadlock' },
    find: { strategy: 'dpor', schedules: 100 },
    token: 'nsm1:tb-abba:tb-abba:-:0ac99eca:4:AAABAQ:4II:23762d4f',
    clean: { strategy: 'dpor', schedules: 10_000 },
  },
  {
    mutant: 'tb-cv-if',
    system: 'textbook',
    scenario: 'tb-cv-wait-loop',
    cLine: 'src/scenarios/textbook/cvif.ts consumer',
    description: 'if instead of while around cv_wait (a barging consumer steals the item)',
    expect: { spec: 'kassert', kind: 'assert' },
    find: { strategy: 'dpor', schedules: 1000 },
    token: 'nsm1:tb-cv-wait-loop:tb-cv-if:-:14b1fbe7:7:AAEBAgACAQ:sHoODg:c66179c8',
    clean: { strategy: 'dpor', schedules: 10_000 },
  },
  {
    mutant: 'tb-signal-not-broadcast',
    system: 'textbook',
    scenario: 'tb-gate',
    cLine: 'src/scenarios/textbook/gate.ts opener',
    description: 'cv_signal where every waiter must wake (missing broadcast)',
    expect: { spec: 'deadlock', kind: 'deadlock' },
    find: { strategy: 'dpor', schedules: 100 },
    token: 'nsm1:tb-gate:tb-signal-not-broadcast:-:7a478e2b:7:AAABAQICAAA:4CK5Ag:675d7b18',
    clean: { strategy: 'dpor', schedules: 10_000 },
  },
  {
    mutant: 'tb-use-after-rele',
    system: 'textbook',
    scenario: 'tb-refcount',
    cLine: 'src/scenarios/textbook/rele.ts holder',
    description: 'reads the object after dropping its reference (use after free)',
    expect: { spec: 'no-use-after-free', kind: 'use-after-free' },
    find: { strategy: 'dpor', schedules: 100 },
    token: 'nsm1:tb-refcount:tb-use-after-rele:-:815aa7f3:6:AAABAQEA:oip5:e8b59418',
    clean: { strategy: 'dpor', schedules: 10_000 },
  },
];
