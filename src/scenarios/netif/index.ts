/** The XNU skywalk netif nexus scenarios (system 'xnu', names prefixed nx-). */
export { netifScenarios } from './scenarios.ts';
