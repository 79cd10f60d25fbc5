/**
 * nsm: the command line. Exit codes: 0 pass, 1 failure found, 2 bad input,
 * 3 incomplete (an exhaustive search ran out of budget).
 */
import { parseArgs } from 'node:util';
import type { ParamValue } from '../core/scenario.ts';
import { STRATEGY_NAMES, type StrategyName } from '../core/strategies.ts';
import { formatFailure } from '../core/failure.ts';
import { formatTimeline, countPreemptions } from '../core/trace/report.ts';
import { replayToken } from '../core/trace/replay.ts';
import { TokenError } from '../core/trace/token.ts';
import { findScenario, scenarios } from '../scenarios/registry.ts';
import { checkScenario, type CheckOptions } from './check.ts';
import { UsageError } from './errors.ts';
import { intFlag, secondsFlag } from './numbers.ts';

const HELP: Record<string, string> = {
  '': `nsm: explore kernel locking protocols under a deterministic scheduler

usage: nsm <command> [options]

commands:
  list      list the scenarios
  check     explore one scenario (or --all) and report a verdict
  replay    re-run a replay token and show its timeline
  start     check every scenario with the default verification (npm start)

Run 'nsm <command> --help' for a command's options and examples.`,
  list: `usage: nsm list [--json]

Lists every scenario: name, system, threads, mutants, description.

examples:
  nsm list
  nsm list --json`,
  check: `usage: nsm check <scenario> [options]
       nsm check --all [options]

options:
  --strategy S      random | pct | dfs | dpor | portfolio   (default dpor)
  --seed N          seed for random and PCT (default 1)
  --schedules N     stop after N executions (default: unbounded for dfs/dpor, 1000 otherwise)
  --time S          stop after S seconds (default 60)
  --depth D         PCT bug depth (default 3)
  --preemptions P   preemption bound for dfs/dpor
  --delays D        delay bound for dfs/dpor
  --mutant NAME     switch on a catalogued bug
  --param K=V       set a scenario parameter (repeatable)
  --no-shrink       report the failing schedule as found
  --json            print one JSON object (one per line with --all)

exit codes: 0 pass, 1 failure found, 2 bad input, 3 incomplete

examples:
  nsm check tb-counter
  nsm check tb-counter --mutant tb-unlocked-increment --strategy pct --depth 2
  nsm check tb-counter --param threads=4 --strategy dpor --json`,
  replay: `usage: nsm replay <token> [--json]

Re-runs the execution a token names, bit-exactly, and prints its timeline
and verdict. A token made for another scenario, other options or an older
model is refused (exit 2) or diverges (exit 1, spec 'replay').

examples:
  nsm replay nsm1:tb-counter:tb-unlocked-increment:-:...`,
  start: `usage: nsm start [--time S]

Checks every registered scenario with DPOR (bounded by --time seconds per
scenario, default 20) and prints one summary table.`,
};

function parseParams(vals: string[] | undefined): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const kv of vals ?? []) {
    const m = /^([A-Za-z_][\w-]*)=(.*)$/.exec(kv);
    if (!m) throw new UsageError(`--param expects K=V, got '${kv}'`);
    const v = m[2]!;
    out[m[1]!] = v === 'true' ? true : v === 'false' ? false : /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
  }
  return out;
}

type Flags = Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }>;

function parse(argv: string[], options: Flags): { values: Record<string, any>; positionals: string[] } {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true }) as { values: Record<string, any>; positionals: string[] };
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0]!.replace(/^TypeError \[[A-Z_]+\]: /, ''));
  }
}

const checkFlags = {
  strategy: { type: 'string' },
  seed: { type: 'string' },
  schedules: { type: 'string' },
  time: { type: 'string' },
  depth: { type: 'string' },
  preemptions: { type: 'string' },
  delays: { type: 'string' },
  mutant: { type: 'string' },
  param: { type: 'string', multiple: true },
  'no-shrink': { type: 'boolean' },
  json: { type: 'boolean' },
  all: { type: 'boolean' },
} satisfies Flags;

function checkOptions(v: Record<string, unknown>, dfltTime: number): CheckOptions {
  const strategy = (v.strategy as string | undefined) ?? 'dpor';
  if (!(STRATEGY_NAMES as readonly string[]).includes(strategy)) throw new UsageError(`unknown strategy '${strategy}' (use one of ${STRATEGY_NAMES.join(', ')})`);
  return {
    strategy: strategy as StrategyName,
    seed: intFlag('seed', v.seed as string | undefined, 1),
    depth: intFlag('depth', v.depth as string | undefined, 3, 1),
    schedules: v.schedules === undefined ? undefined : intFlag('schedules', v.schedules as string, 0, 1),
    timeSec: secondsFlag('time', v.time as string | undefined, dfltTime),
    preemptions: v.preemptions === undefined ? undefined : intFlag('preemptions', v.preemptions as string, 0),
    delays: v.delays === undefined ? undefined : intFlag('delays', v.delays as string, 0),
    mutant: (v.mutant as string | undefined) ?? null,
    params: parseParams(v.param as string[] | undefined),
    shrink: !v['no-shrink'],
    write: true,
  };
}

const EXIT = { pass: 0, fail: 1, incomplete: 3 } as const;

function cmdList(argv: string[], out: (s: string) => void): number {
  const { values } = parse(argv, { json: { type: 'boolean' } });
  if (values.help) return out(HELP.list!), 0;
  if (values.json) {
    out(JSON.stringify(scenarios.map((s) => ({ name: s.name, system: s.system, threads: s.threads, mutants: s.mutants ?? [], params: s.params ?? {}, description: s.description }))));
    return 0;
  }
  const w = Math.max(...scenarios.map((s) => s.name.length)) + 2;
  out(`${'scenario'.padEnd(w)}${'system'.padEnd(10)}threads  description`);
  for (const s of scenarios) out(`${s.name.padEnd(w)}${s.system.padEnd(10)}${String(s.threads).padEnd(9)}${s.description}`);
  return 0;
}

function cmdCheck(argv: string[], out: (s: string) => void): number {
  const { values, positionals } = parse(argv, checkFlags);
  if (values.help) return out(HELP.check!), 0;
  const o = checkOptions(values, 60);
  let targets = scenarios;
  if (!values.all) {
    if (positionals.length !== 1) throw new UsageError('nsm check needs one scenario name (or --all); see nsm list');
    const sc = findScenario(positionals[0]!);
    if (!sc) throw new UsageError(`unknown scenario '${positionals[0]}' (see nsm list)`);
    targets = [sc];
  }
  for (const sc of targets) {
    if (o.mutant !== null && !(sc.mutants ?? []).includes(o.mutant)) {
      if (values.all) continue;
      throw new UsageError(`scenario '${sc.name}' has no mutant '${o.mutant}' (it has: ${(sc.mutants ?? []).join(', ') || 'none'})`);
    }
    for (const k of Object.keys(o.params)) {
      if (!(k in (sc.params ?? {}))) throw new UsageError(`scenario '${sc.name}' has no parameter '${k}' (it has: ${Object.keys(sc.params ?? {}).join(', ') || 'none'})`);
    }
  }
  let worst = 0;
  for (const sc of targets) {
    if (o.mutant !== null && !(sc.mutants ?? []).includes(o.mutant)) continue;
    const r = checkScenario(sc, o);
    if (values.json) out(JSON.stringify(r.json));
    else for (const l of r.lines) out(l);
    const code = EXIT[r.json.verdict];
    if (code === 1 || (code === 3 && worst === 0)) worst = code;
  }
  return worst;
}

function cmdReplay(argv: string[], out: (s: string) => void): number {
  const { values, positionals } = parse(argv, { json: { type: 'boolean' } });
  if (values.help) return out(HELP.replay!), 0;
  if (positionals.length !== 1) throw new UsageError('nsm replay needs one token');
  let r;
  try {
    r = replayToken(positionals[0]!, findScenario);
  } catch (e) {
    if (e instanceof TokenError) throw new UsageError(e.message);
    throw e;
  }
  const f = r.res.failure;
  if (values.json) {
    out(JSON.stringify({ scenario: r.scenario.name, mutant: r.target.mutant ?? null, verdict: f ? 'fail' : 'pass', steps: r.res.steps, preemptions: countPreemptions(r.ex), failure: f }));
  } else {
    out(`${f ? 'FAIL' : 'pass'}  ${r.scenario.name}${r.target.mutant ? ` (mutant ${r.target.mutant})` : ''}  ${r.res.steps} steps, ${countPreemptions(r.ex)} preemptions`);
    if (f) {
      out(`  ${formatFailure(f)}`);
      for (const d of f.details) out(`  ${d}`);
    }
    for (const l of formatTimeline(r.ex)) out(l);
  }
  return f ? 1 : 0;
}

function cmdStart(argv: string[], out: (s: string) => void): number {
  const { values } = parse(argv, { time: { type: 'string' } });
  if (values.help) return out(HELP.start!), 0;
  const time = secondsFlag('time', values.time, 20);
  const rows: string[][] = [['scenario', 'strategy', 'verdict', 'schedules', 'steps', 'seconds']];
  let worst = 0;
  for (const sc of scenarios) {
    const r = checkScenario(sc, { ...checkOptions({}, time), write: true });
    rows.push([sc.name, r.json.strategy, r.json.verdict + (r.json.complete ? ' (complete)' : ''), r.json.schedules.toLocaleString('en-US'), r.json.steps.toLocaleString('en-US'), (r.json.elapsedMs / 1000).toFixed(2)]);
    if (r.json.verdict === 'fail') {
      worst = 1;
      for (const l of r.lines) out(l);
    }
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) out(r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
  return worst;
}

/** Run nsm with argv; returns the exit code. `out` receives each output line. */
export async function main(argv: string[], out: (s: string) => void = (s) => console.log(s), err: (s: string) => void = (s) => console.error(s)): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        out(HELP['']!);
        return cmd === undefined ? 2 : 0;
      case 'list':
        return cmdList(rest, out);
      case 'check':
        return cmdCheck(rest, out);
      case 'replay':
        return cmdReplay(rest, out);
      case 'start':
        return cmdStart(rest, out);
      default:
        throw new UsageError(`unknown command '${cmd}' (see nsm --help)`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      err(`nsm: ${e.message}`);
      return 2;
    }
    throw e;
  }
}
