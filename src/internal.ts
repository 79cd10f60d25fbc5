/**
 * netstack-model/internal: every name of the engine, for tools built on it
 * (custom strategies, trace tooling, the engine's own tests). Not a stable
 * API: names here may change between minor versions. A model and a test
 * suite need only 'netstack-model' (src/index.ts).
 */

// Core: threads, effects, executions, scenarios, specs.
export { Effect, type KThread } from './core/effect.ts';
export { kassert, kfail, ModelFailure, type FailureKind } from './core/errors.ts';
export { Execution, RunContext, Thread, type Chooser, type ExecOptions, type ExecResult, type StepRecord } from './core/execution.ts';
export { formatFailure, type Failure } from './core/failure.ts';
export { access, choose, join, localAccess, preempt, receive, send, spawn } from './core/ops.ts';
export { opaqueToGuard } from './core/guard.ts';
export { Prng } from './core/prng.ts';
export { defineScenario, type ParamValue, type Scenario } from './core/scenario.ts';
export type { EndCheck, Invariant } from './core/spec.ts';

// Checking from a test suite: throws the failure block (timeline, replay token).
export { check, CheckFailure, IncompleteSearch, replay, type CheckConfig, type CheckReport, type ReplayReport, type ScenarioSource } from './api/check.ts';
export { checkParam, paramSpecs, ParamError, parseParam, resolveParams, type ParamSpec, type ParamType } from './core/params.ts';

// Running and strategies.
export { execOptions, explore, runSchedule, type RunOptions, type RunResult } from './core/runner.ts';
export type { Strategy } from './core/strategy.ts';
export { ConfigError, DEFAULTS, makeStrategy, resolveSearch, resolveTarget, STRATEGY_NAMES, validateSearch, type SearchConfig, type StrategyConfig, type StrategyName, type Target } from './core/config.ts';
export { DfsStrategy, type DfsOptions } from './core/strategies/dfs.ts';
export { independent } from './core/footprint.ts';
export { mergeShards, type ShardReport } from './core/strategies/split.ts';
export { StateCache, Summary, type SubtreeEvent, type Witness } from './core/strategies/state-cache.ts';
export { IterativeBoundStrategy, type BoundKind, type BoundRound } from './core/strategies/iterative.ts';
export { PctStrategy } from './core/strategies/pct.ts';
export { PortfolioStrategy } from './core/strategies/portfolio.ts';
export { RandomStrategy } from './core/strategies/random.ts';
export { ReplayStrategy } from './core/strategies/replay.ts';

// Traces: tokens, replay, shrinking, timelines.
export { decodeToken, encodeToken, TokenError, TOKEN_VERSION, type TokenData } from './core/trace/token.ts';
export { makeToken, replayToken, type Replayed, type ReplayTarget } from './core/trace/replay.ts';
export { runLenient, shrinkSchedule, type ShrinkOutcome } from './core/trace/shrink.ts';
export { countPreemptions, formatTimeline, timelineRows, type TimelineRow } from './core/trace/report.ts';

// Kernel primitives.
export { KMutex, MUTEX_HELD, mutexEnter, mutexExit, mutexTryEnter } from './locks/kmutex.ts';
export { KCondvar, cvBroadcast, cvSignal, cvTimedwait, cvWait } from './locks/kcondvar.ts';
export { KRwlock, RW_LOCK_HELD, RW_READ_HELD, RW_WRITE_HELD, rwDowngrade, rwEnter, rwExit, rwTryEnter, rwTryUpgrade, type RwMode } from './locks/krwlock.ts';
export { KSema, semaP, semaTryP, semaV } from './locks/ksema.ts';
export { KRefcount, refHold, refRele } from './locks/refcount.ts';
export { KTaskq, taskqDispatch } from './locks/taskq.ts';
export { armTimeout, Callout, timeout, untimeout } from './locks/callout.ts';
export { spinUntil } from './locks/spin.ts';
export { KMem, kmemAllocNosleep, kmemAllocNosleepAll, kmemFree, memAccess } from './locks/kmem.ts';
export { LockOrderGraph } from './locks/lockorder.ts';
export { Contention } from './locks/contention.ts';
export { ChoiceListStrategy, choiceListChooser } from './core/strategies/choices.ts';

// xstate machines compiled to tables.
export { compileMachine, MachineCoverage, MachineRef, type CompiledMachine } from './actors/machine.ts';

// Scenario registry (also in 'netstack-model/models', with the bug catalogue).
export { findScenario, scenarios } from './scenarios/registry.ts';
