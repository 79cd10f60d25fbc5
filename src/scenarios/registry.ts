/** Every named scenario, in the order `nsm list` shows them. */
import type { Scenario } from '../core/scenario.ts';
import { crossScenarios } from './cross/index.ts';
import { ifnetScenarios } from './ifnet/index.ts';
import { ipmpScenarios } from './ipmp/index.ts';
import { netifScenarios } from './netif/index.ts';
import { netstackScenarios } from './netstack/index.ts';
import { textbookScenarios } from './textbook/index.ts';

export const scenarios: Scenario<any>[] = [...textbookScenarios, ...netstackScenarios, ...ipmpScenarios, ...ifnetScenarios, ...crossScenarios, ...netifScenarios];

/** Scenarios of the user's own modules (`nsm --load FILE`), found after the built-in ones. */
const userScenarios: Scenario<any>[] = [];

export function findScenario(name: string): Scenario<any> | undefined {
  return scenarios.find((s) => s.name === name) ?? userScenarios.find((s) => s.name === name);
}

/** The built-in scenarios, then those registered from the user's modules. */
export function allScenarios(): Scenario<any>[] {
  return [...scenarios, ...userScenarios];
}

/** Forget the user's scenarios (each `nsm` invocation starts from the built-in ones). */
export function clearUserScenarios(): void {
  userScenarios.length = 0;
}

/**
 * Add a user's scenarios (from a module given to `nsm --load`). A name that
 * is already taken, built-in or loaded before, is refused.
 */
export function registerScenarios(list: readonly Scenario<any>[], from: string): void {
  for (const sc of list) {
    const other = findScenario(sc.name);
    if (other === sc) continue;
    if (other) throw new Error(`${from}: scenario '${sc.name}' is already defined${scenarios.includes(other) ? ' (a built-in scenario)' : ''}; give it another name`);
    userScenarios.push(sc);
  }
}
