/**
 * netstack-model public API: what a model, a test suite and a search need.
 * See README.md for a tour and docs/porting.md for porting a C function.
 * Everything else of the engine (executions, threads, effects, tokens,
 * shrinking, the strategy classes but DFS) is in 'netstack-model/internal'
 * (src/internal.ts), which is not a stable API.
 */

// Writing a model: threads, scenarios, specs, failures, the engine's operations.
export type { KThread } from './core/effect.ts';
export { kassert, kfail, type FailureKind } from './core/errors.ts';
export type { Failure } from './core/failure.ts';
export { access, choose, join, localAccess, preempt, receive, send, spawn } from './core/ops.ts';
export { opaqueToGuard } from './core/guard.ts';
export { defineScenario, type ParamValue, type Scenario } from './core/scenario.ts';
export type { EndCheck, Invariant } from './core/spec.ts';
export { ParamError } from './core/params.ts';

// Checking from a test suite: throws the failure block (timeline, replay token).
export { check, CheckFailure, IncompleteSearch, replay, type CheckConfig, type CheckReport, type ReplayReport, type ScenarioSource } from './api/check.ts';

// Exploring by hand: a strategy, explore(), and what to do with its result.
export { explore, type RunOptions, type RunResult } from './core/runner.ts';
export { RunContext } from './core/execution.ts';
export type { Strategy } from './core/strategy.ts';
export { DEFAULTS, makeStrategy, STRATEGY_NAMES, type SearchConfig, type StrategyName } from './core/config.ts';
export { DfsStrategy } from './core/strategies/dfs.ts';
export { makeToken } from './core/trace/replay.ts';
export { countPreemptions, formatTimeline } from './core/trace/report.ts';

// Kernel primitives (the modelling vocabulary: one family per kernel type).
export { KMutex, MUTEX_HELD, mutexEnter, mutexExit, mutexTryEnter } from './locks/kmutex.ts';
export { KCondvar, cvBroadcast, cvSignal, cvTimedwait, cvWait } from './locks/kcondvar.ts';
export { KRwlock, RW_LOCK_HELD, RW_READ_HELD, RW_WRITE_HELD, rwDowngrade, rwEnter, rwExit, rwTryEnter, rwTryUpgrade, type RwMode } from './locks/krwlock.ts';
export { KSema, semaP, semaTryP, semaV } from './locks/ksema.ts';
export { KRefcount, refHold, refRele } from './locks/refcount.ts';
export { KTaskq, taskqDispatch } from './locks/taskq.ts';
export { armTimeout, Callout, timeout, untimeout } from './locks/callout.ts';
export { spinUntil } from './locks/spin.ts';
export { KMem, kmemAllocNosleep, kmemAllocNosleepAll, kmemFree, memAccess } from './locks/kmem.ts';

// Scenario registry (also in 'netstack-model/models', with the bug catalogue).
export { findScenario, scenarios } from './scenarios/registry.ts';
