/** Textbook concurrency bugs, each a scenario with a mutant and a fixed default. */
import type { Scenario } from '../../core/scenario.ts';
import { abba } from './abba.ts';
import { counter } from './counter.ts';
import { cvIf } from './cvif.ts';
import { gate } from './gate.ts';
import { rele } from './rele.ts';

export const textbookScenarios: Scenario<any>[] = [counter, abba, cvIf, gate, rele];
