/** Scenarios of the FreeBSD ifnet model (system 'freebsd'), in the order nsm list shows them. */
import type { Scenario } from '../../core/scenario.ts';
import { fbBufringMpsc, fbQflushVsTransmit } from './bufring.ts';
import { fbDeferredStartAfterDetach, fbIfqMtxDestroyInUse, fbMacLabelLifetime, fbMpsafenetSerialization } from './deferred.ts';
import { fbFibDetachPurge, fbIfnetDisappear } from './disappear.ts';
import { fbFibLookupVsDetach, fbLleVsDetach } from './hooks.ts';
import { fbIfindexAba, fbIfindexDupAlloc, fbIfindexGrowUaf, fbPublishBeforeInit } from './index-table.ts';
import { fbAddmultiToctou, fbAllocPartial, fbGiantLor, fbMcastDetachLeak, fbMcastLlRef, fbSadlEqual } from './multicast.ts';
import { fbSlowtimoVsDetach } from './slowtimo.ts';
import { fbSysinitOrder, fbVnetCurvnet, fbVnetGlobalOnce, fbVnetMissedCtor, fbVnetMissedDtor, fbVnetUmaOutlive, fbLaggPortVsLinktask } from './vnet.ts';

export const ifnetScenarios: Scenario<any>[] = [fbIfindexGrowUaf, fbIfindexDupAlloc, fbIfnetDisappear, fbIfindexAba, fbSadlEqual, fbAddmultiToctou, fbDeferredStartAfterDetach, fbIfqMtxDestroyInUse, fbSysinitOrder, fbVnetGlobalOnce, fbVnetCurvnet, fbVnetUmaOutlive, fbVnetMissedCtor, fbVnetMissedDtor, fbBufringMpsc, fbSlowtimoVsDetach, fbPublishBeforeInit, fbQflushVsTransmit, fbFibDetachPurge, fbAllocPartial, fbGiantLor, fbMpsafenetSerialization, fbMcastDetachLeak, fbMcastLlRef, fbMacLabelLifetime, fbFibLookupVsDetach, fbLleVsDetach, fbLaggPortVsLinktask];
