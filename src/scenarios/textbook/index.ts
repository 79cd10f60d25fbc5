/** Textbook concurrency bugs, each a scenario with a mutant and a fixed default. */
import type { Scenario } from '../../core/scenario.ts';
import { counter } from './counter.ts';

export const textbookScenarios: Scenario<any>[] = [counter];
