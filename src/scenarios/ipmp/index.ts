/** Scenarios of the ipmp model, in the order nsm list shows them. */
import type { Scenario } from '../../core/scenario.ts';
import { ipmpArpDestroy, ipmpBoundDeactivate, ipmpCastDeactivate, ipmpTransmitLeave } from './datapath.ts';
import { ipmpJoinJoin } from './join-join.ts';
import { ipmpLeaveRejoin } from './rejoin.ts';
import { ipmpUnplumbJoin, ipmpUnplumbKstat } from './unplumb.ts';
import { ipmpBadRequests, ipmpExchange, ipmpJoinLeave, ipmpKstatLeave, ipmpLeaveTimer, ipmpMixedMedia, ipmpRenameLookup, ipmpUnplumbQueued } from './group-ioctls.ts';

export const ipmpScenarios: Scenario<any>[] = [
  ipmpJoinJoin,
  ipmpJoinLeave,
  ipmpLeaveTimer,
  ipmpUnplumbQueued,
  ipmpRenameLookup,
  ipmpExchange,
  ipmpKstatLeave,
  ipmpMixedMedia,
  ipmpBadRequests,
  ipmpLeaveRejoin,
  ipmpUnplumbJoin,
  ipmpUnplumbKstat,
  ipmpTransmitLeave,
  ipmpCastDeactivate,
  ipmpBoundDeactivate,
  ipmpArpDestroy,
];
