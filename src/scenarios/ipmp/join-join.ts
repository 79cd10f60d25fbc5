/**
 * ipmp-join-join: two interfaces join one IPMP group at the same time
 * (SIOCSLIFGROUPNAME on e0 and e1). Each runs phase 1 on its own xop, is
 * switched into the group xop at ipsq_exit, and runs ip_join_illgrps there,
 * or has it run by the other if that one is the group writer.
 */
import { defineScenario } from '../../core/scenario.ts';
import { ipProcessIoctl, ipSioctlGroupname } from '../../actors/ipmp/ioctl.ts';
import { Errno, type IpmpStack, type Ill } from '../../actors/ipmp/types.ts';
import { errnoIs, ipmpEndChecks, ipmpInvariants } from '../../specs/ipmp/index.ts';
import { IPMP_GRANULARITY, makeGroup, makeIf, newStack } from './world.ts';
import { ipmpMutantTable } from '../../actors/ipmp/mutants.ts';

interface S {
  st: IpmpStack;
  e: Ill[];
}

export const ipmpJoinJoin = defineScenario<S>({
  name: 'ipmp-join-join',
  description: 'two interfaces join one IPMP group concurrently (SIOCSLIFGROUPNAME, xop switch, ip_join_illgrps)',
  system: 'ipmp',
  threads: 2,
  params: { fixMactype: false, fixKstats: false, fixTimer: false },
  mutants: ipmpMutantTable.pick('ipmp-dq-reader-on-switch', 'ipmp-dq-no-busy-check', 'ipmp-groupname-keep-ipmp-lock', 'ipmp-join-no-pend', 'ipmp-tryenter-ignore-reentry-ok', 'ipmp-join-switch-immediately'),
  granularity: IPMP_GRANULARITY,
  maxSteps: 3000,
  stateWalk: true,
  setup(ex) {
    const st = newStack(ex);
    makeGroup(ex, st, 'ipmp0');
    const e = [makeIf(st, 'e0').ill, makeIf(st, 'e1').ill];
    e.forEach((ill, i) => ex.spawn(`T${i + 1}`, ipProcessIoctl(ex, st, ill, `join ${ill.name}`, () => ipSioctlGroupname(ex, st, ill, 'ipmp0'))));
    return { st, e };
  },
  invariants: ipmpInvariants,
  endChecks: [
    ...ipmpEndChecks,
    {
      name: 'join-result',
      statement: 'both joins succeed and both phyints end as members of the group, in its illgrp',
      check: ({ st, e }) => {
        for (const ill of e) {
          const r = errnoIs(st, `join ${ill.name}`, [Errno.OK]);
          if (r) return r;
          if (ill.phyint.m.state !== 'member' || ill.grp === null) return `${ill.name} not a member (${ill.phyint.m.state})`;
        }
        return null;
      },
    },
  ],
});
