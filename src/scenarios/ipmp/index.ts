/** Scenarios of the ipmp model, in the order nsm list shows them. */
import type { Scenario } from '../../core/scenario.ts';

export const ipmpScenarios: Scenario<any>[] = [];
