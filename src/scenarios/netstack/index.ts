/** Scenarios of the netstack model, in the order nsm list shows them. */
import type { Scenario } from '../../core/scenario.ts';
import { allNetstackScenarios } from './scenarios.ts';

export const netstackScenarios: Scenario<any>[] = [...allNetstackScenarios];
