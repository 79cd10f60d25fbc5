/** Every named scenario, in the order `nsm list` shows them. */
import type { Scenario } from '../core/scenario.ts';
import { ipmpScenarios } from './ipmp/index.ts';
import { netstackScenarios } from './netstack/index.ts';
import { textbookScenarios } from './textbook/index.ts';

export const scenarios: Scenario<any>[] = [...textbookScenarios, ...netstackScenarios, ...ipmpScenarios];

export function findScenario(name: string): Scenario<any> | undefined {
  return scenarios.find((s) => s.name === name);
}
