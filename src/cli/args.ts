/** Argument parsing shared by the commands: flags, --param values, numbers, shards. */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import type { ParamValue, Scenario } from '../core/scenario.ts';
import { ParamError, parseParam } from '../core/params.ts';
import { checkMutant, ConfigError, DEFAULTS, validateSearch, type StrategyName } from '../core/config.ts';
import { type CheckOptions } from './check-scenario.ts';
import { UsageError } from './errors.ts';
import { intFlag, secondsFlag } from './numbers.ts';

/** `--param K=V` values as text; each is parsed by its scenario's declared type (typedParams). */
export function parseParams(vals: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of vals ?? []) {
    const m = /^([A-Za-z_][\w-]*)=(.*)$/.exec(kv);
    if (!m) throw new UsageError(`--param expects K=V, got '${kv}'`);
    out[m[1]!] = m[2]!;
  }
  return out;
}

/** Parse each `--param` value by the scenario's declared type and range (one line and exit 2 if bad). */
export function typedParams(sc: Scenario<any>, raw: Record<string, string>): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  try {
    for (const [k, v] of Object.entries(raw)) out[k] = parseParam(sc, k, v);
  } catch (e) {
    if (e instanceof ParamError) throw new UsageError(e.message);
    throw e;
  }
  return out;
}

export type Flags = Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }>;

export function parse(argv: string[], options: Flags): { values: Record<string, any>; positionals: string[] } {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true }) as { values: Record<string, any>; positionals: string[] };
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0]!;
    const unknown = /Unknown option '([^']+)'/.exec(msg);
    if (unknown) throw new UsageError(`unknown option '${unknown[1]}' (see --help)`);
    const ambiguous = /Option '(--[\w-]+)[^']*' argument is ambiguous/.exec(msg);
    if (ambiguous) {
      const i = argv.indexOf(ambiguous[1]!);
      throw new UsageError(`${ambiguous[1]} got '${argv[i + 1] ?? ''}', which looks like an option: values are 0 or more (write ${ambiguous[1]}=VALUE for a value that starts with '-')`);
    }
    throw new UsageError(msg.replace(/^TypeError \[[A-Z_]+\]: /, '').replace(/\. To specify.*$/, ''));
  }
}

export const checkFlags = {
  strategy: { type: 'string' },
  seed: { type: 'string' },
  schedules: { type: 'string' },
  time: { type: 'string' },
  depth: { type: 'string' },
  'pct-steps': { type: 'string' },
  guard: { type: 'string' },
  preemptions: { type: 'string' },
  delays: { type: 'string' },
  mutant: { type: 'string' },
  param: { type: 'string', multiple: true },
  'no-shrink': { type: 'boolean' },
  'no-write': { type: 'boolean' },
  'state-cache': { type: 'boolean' },
  'no-state-cache': { type: 'boolean' },
  wakeup: { type: 'boolean' },
  'check-hits': { type: 'string' },
  shard: { type: 'string' },
  'split-depth': { type: 'string' },
  workers: { type: 'string' },
  progress: { type: 'string' },
  json: { type: 'boolean' },
  all: { type: 'boolean' },
  timelines: { type: 'boolean' },
} satisfies Flags;

/** nsm's search flags, parsed and checked (config.ts validateSearch, in the --flag voice). */
export function checkOptions(v: Record<string, unknown>, dfltTime: number): CheckOptions & { rawParams: Record<string, string> } {
  const strategy = ((v.strategy as string | undefined) ?? DEFAULTS.strategy) as StrategyName;
  const splitGiven = v.shard !== undefined || v['split-depth'] !== undefined || v.workers !== undefined;
  // The default dpor search caches states where the scenario declares them
  // (checkScenario decides, knowing the scenario); not with a bound or a split,
  // which state caching does not take.
  const autoStateCache = !v['state-cache'] && !v['no-state-cache'] && strategy === 'dpor' && v.preemptions === undefined && !splitGiven;
  try {
    const split = splitGiven ? { depth: 0, shard: 0, shards: 1 } : undefined;
    // --check-hits goes with --state-cache, or with the default search that caches by itself.
    const caching = Boolean(v['state-cache']) || (autoStateCache && v['check-hits'] !== undefined);
    validateSearch({ strategy, stateCache: caching, wakeup: Boolean(v.wakeup), checkHits: v['check-hits'] === undefined ? undefined : 0, delays: v.delays as any, preemptions: v.preemptions as any, pctSteps: v['pct-steps'] as any, split }, 'flag');
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(e.message);
    throw e;
  }
  if (v.shard !== undefined && v.workers !== undefined) throw new UsageError('--shard runs one shard here, --workers runs them all in worker threads: give one');
  if (v['split-depth'] !== undefined && v.shard === undefined && v.workers === undefined) throw new UsageError('--split-depth needs --shard i/n or --workers N');
  if (v['state-cache'] && v['no-state-cache']) throw new UsageError('--state-cache and --no-state-cache: give one');
  return {
    strategy,
    seed: intFlag('seed', v.seed as string | undefined, DEFAULTS.seed),
    depth: intFlag('depth', v.depth as string | undefined, DEFAULTS.depth, 1),
    guard: v.guard === undefined ? undefined : intFlag('guard', v.guard as string, 0),
    pctSteps: v['pct-steps'] === undefined ? undefined : intFlag('pct-steps', v['pct-steps'] as string, 0, 1),
    schedules: v.schedules === undefined ? undefined : intFlag('schedules', v.schedules as string, 0, 1),
    timeSec: secondsFlag('time', v.time as string | undefined, dfltTime),
    preemptions: v.preemptions === undefined ? undefined : intFlag('preemptions', v.preemptions as string, 0),
    delays: v.delays === undefined ? undefined : intFlag('delays', v.delays as string, 0),
    mutant: (v.mutant as string | undefined) ?? null,
    params: {},
    rawParams: parseParams(v.param as string[] | undefined),
    shrink: !v['no-shrink'],
    write: !v['no-write'],
    stateCache: Boolean(v['state-cache']),
    autoStateCache,
    wakeup: Boolean(v.wakeup),
    checkHits: v['check-hits'] === undefined ? undefined : v['check-hits'] === 'all' ? Number.POSITIVE_INFINITY : intFlag('check-hits', v['check-hits'] as string, 0),
    split: v.shard === undefined ? undefined : splitFlag(v.shard as string, v['split-depth'] as string | undefined),
    workers: v.workers === undefined ? undefined : intFlag('workers', v.workers as string, 1, 1, maxWorkers()),
    splitDepth: v['split-depth'] === undefined ? DEFAULTS.splitDepth : intFlag('split-depth', v['split-depth'] as string, 0),
    progressEvery: v.progress === undefined ? 0 : secondsFlag('progress', v.progress as string, 10),
  };
}

/** The mutant check (config.ts checkMutant) as a usage error. */
export function cliMutant(sc: Scenario<any>, mutant: string | null): string | null {
  try {
    return checkMutant(sc, mutant);
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(e.message);
    throw e;
  }
}

export const EXIT = { pass: 0, 'no-failure-found': 0, fail: 1, incomplete: 3 } as const;

/** More worker threads than twice the cores only adds contention. */
export function maxWorkers(): number {
  return Math.max(1, availableParallelism()) * 2;
}

/** The split of a DPOR search: --shard i/n, --split-depth d (default DEFAULTS.splitDepth). */
export function splitFlag(shard: string, depth: string | undefined): { shard: number; shards: number; depth: number } {
  const s = shardFlag(shard);
  return { shard: s.index, shards: s.count, depth: depth === undefined ? DEFAULTS.splitDepth : intFlag('split-depth', depth, 0) };
}

export function shardFlag(v: string | undefined): { index: number; count: number } {
  if (v === undefined) return { index: 0, count: 1 };
  const m = /^(\d+)\/(\d+)$/.exec(v);
  if (!m || Number(m[2]) < 1 || Number(m[1]) >= Number(m[2])) throw new UsageError(`--shard expects i/n with 0 <= i < n, got '${v}'`);
  return { index: Number(m[1]), count: Number(m[2]) };
}
