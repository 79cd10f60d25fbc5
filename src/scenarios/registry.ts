/** Every named scenario, in the order `nsm list` shows them. */
import type { Scenario } from '../core/scenario.ts';
import { counter } from './textbook/counter.ts';

export const scenarios: Scenario<any>[] = [counter];

export function findScenario(name: string): Scenario<any> | undefined {
  return scenarios.find((s) => s.name === name);
}
