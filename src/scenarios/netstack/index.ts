/** Scenarios of the netstack model, in the order nsm list shows them. */
import type { Scenario } from '../../core/scenario.ts';

export const netstackScenarios: Scenario<any>[] = [];
