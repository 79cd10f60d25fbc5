/**
 * nsm: the command line. Exit codes: 0 pass, 1 failure found, 2 bad input,
 * 3 incomplete (an exhaustive search ran out of budget).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { findings, mutants } from '../bugs/index.ts';
import { fixParamsFor, knownFinding } from '../bugs/known.ts';
import type { ParamValue, Scenario } from '../core/scenario.ts';
import { ParamError, paramSpecs, parseParam } from '../core/params.ts';
import { STRATEGY_NAMES, type StrategyName } from '../core/strategies.ts';
import { formatFailure } from '../core/failure.ts';
import { formatTimeline, countPreemptions } from '../core/trace/report.ts';
import { replayToken } from '../core/trace/replay.ts';
import { TokenError } from '../core/trace/token.ts';
import { allScenarios, clearUserScenarios, findScenario } from '../scenarios/registry.ts';
import { loadScenarioModules, takeLoadFlags } from './load.ts';
import { checkScenario, type CheckOptions } from './check.ts';
import { UsageError } from './errors.ts';
import { explainText, loadArtefact } from './explain.ts';
import { artefactDir, buildFailure, ensureWritableDir } from './failure-report.ts';
import { regress } from './regress.ts';
import { repinFiles } from './repin.ts';
import { coverageOf, formatCoverage, transitionPercent } from './coverage.ts';
import { loadResult, mergeResults, runCampaign } from './fuzz/campaign.ts';
import type { FuzzStrategy } from './fuzz/batch.ts';
import { RunContext } from '../core/execution.ts';
import { explore } from '../core/runner.ts';
import { makeStrategy } from '../core/strategies.ts';
import { table } from './table.ts';
import { intFlag, secondsFlag } from './numbers.ts';

const HELP: Record<string, string> = {
  '': `nsm: explore kernel locking protocols under a deterministic scheduler

usage: nsm <command> [options]

commands:
  list      list the scenarios
  check     explore one scenario (or --all) and report a verdict
  replay    re-run a replay token and show its timeline
  shrink    shrink a failing token further
  explain   tell a failure step by step (text, Mermaid, HTML)
  regress   replay every pinned token and rerun every catalogued search
  repin     refresh the replay tokens written in files after a model change
  mutants   list the bug catalogue
  fuzz      run a fuzz campaign (workers, checkpoints, shards, --resume)
  merge     combine the result files of a sharded campaign
  coverage  machine, state-pair and contention coverage of a scenario
  export    write the xstate machines as Mermaid state diagrams
  start     regress + check --all, one table (what npm start runs)

Run 'nsm <command> --help' (or 'nsm help <command>') for a command's options
and examples.

Your own scenarios: --load FILE (any command, repeatable) imports an ES module
(.js/.mjs, or .ts with tsx installed) and registers every scenario it
exports; its names and replay tokens then work like the built-in ones:
  nsm check --load ./models.js handoff
  nsm replay --load ./models.js nsm1:handoff:-:-:...`,
  list: `usage: nsm list [--json]

Lists every scenario: name, system, threads, number of mutants, description.
--json adds each scenario's mutants and parameters (type, range, default).

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
  --delays D        delay bound for dfs
  --mutant NAME     switch on a catalogued bug
  --param K=V       set a scenario parameter (repeatable)
  --no-shrink       report the failing schedule as found
  --no-write        write no artefact (by default each failure is written as JSON + HTML
                    under .nsm/failures/, or under $NSM_DIR/failures/ when NSM_DIR is set)
  --state-cache     with dfs: prune states seen before (scenarios with a stateHash)
  --progress S      a progress line on stderr every S seconds: schedules, steps, rate, and
                    for dfs/dpor the depth of the current path and the branches still open
                    on it (DPOR adds branches as it finds races, so no completion estimate)
  --all             every registered scenario; a failure that is a catalogued finding
                    (a race in the C code as written) is one line, then the model with
                    its candidate fixes is checked; ends with a summary table
  --timelines       with --all: the full timeline of known findings too
  --json            print one JSON object (one per line with --all)

exit codes: 0 pass, 1 failure found (with --all: one that is not a known finding,
            or a known finding whose fixes fail), 2 bad input, 3 incomplete

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
  start: `usage: nsm start [--time S] [--json]

The default verification (what 'npm start' runs): 'nsm regress' (every
pinned token replayed, every catalogued search rerun), then 'nsm check --all'
with DPOR bounded by --time seconds per scenario (default 10), printed as
one table. A failure that is a catalogued finding of the C code is shown as
such; exit 1 only for an unexpected failure or a regression.

examples:
  nsm start
  nsm start --time 30`,
  regress: `usage: nsm regress [--only NAME] [--json]

Replays every pinned replay token of the catalogue (mutants and findings)
and reruns every catalogued search; each must still fail its expected spec.
Exit 1 if any does not.

examples:
  nsm regress
  nsm regress --only tb-abba --json`,
  repin: `usage: nsm repin <file>... [--check] [--json]

Finds every replay token in the files. A token that still replays is left
alone. One that diverges (the model changed: new objects, other steps) has
its schedule re-run leniently; if that still fails, the token is replaced by
the one of the execution that ran and its failure is shown for review.
A token whose schedule no longer fails is listed as lost and left as it was
(re-run its search). --check only reports. Exit 1 if any token is lost, or
with --check if any would change.

examples:
  nsm repin src/bugs/netstack.ts docs/findings.md
  nsm repin --check README.md`,
  shrink: `usage: nsm shrink <token> [--json]

Shrinks a failing token's schedule further (fewer steps, then fewer
preemptions) and prints the new token and its timeline.

examples:
  nsm shrink nsm1:tb-gate:tb-signal-not-broadcast:-:...`,
  explain: `usage: nsm explain <token|artefact.json> [--format text|mermaid|html] [--out FILE]

Tells a failure step by step: a per-thread swimlane with the C line of each
step, lock ownership and object states as they change, preemptions marked.
--format mermaid prints a Mermaid sequence diagram; --format html writes a
self-contained HTML report (to --out, default .nsm/reports/<name>.html).

examples:
  nsm explain .nsm/failures/tb-gate--tb-signal-not-broadcast--deadlock--a5c9b020.json
  nsm explain nsm1:tb-abba:tb-abba:-:... --format mermaid`,
  fuzz: `usage: nsm fuzz --scenario NAME [options]

Runs a fuzz campaign: random/PCT schedules in reproducible batches, every
failure shrunk and written at once under .nsm/failures/ (deduplicated by
spec and shrunk schedule), a checkpoint after every batch under
.nsm/campaigns/<campaign>/ (result.json when it ends).

options:
  --scenario NAME   scenario to fuzz (required)
  --strategy S      random | pct | portfolio (default portfolio)
  --depth D         PCT depth (default 3)
  --seed N          campaign seed (default 1)
  --time S          stop after S seconds (default 60 unless --schedules)
  --schedules N     total schedules over all shards
  --batch N         schedules per batch (default 200)
  --workers N       worker threads (default 1: in this thread)
  --mutant NAME     switch on a catalogued bug
  --param K=V       scenario parameter (repeatable)
  --shard i/n       run only shard i of n (batch b belongs to shard b mod n)
  --resume          continue an interrupted campaign from its checkpoint
  --progress-every S  seconds between progress lines when not a terminal (default 5)
  --json            print the campaign result as JSON

exit codes: 0 no failure, 1 failure found, 2 bad input

examples:
  nsm fuzz --scenario tb-cv-wait-loop --mutant tb-cv-if --strategy pct --depth 2 --schedules 5000
  nsm fuzz --scenario tb-gate --time 60 --workers 2
  nsm fuzz --scenario tb-gate --schedules 100000 --shard 0/4   # one of four machines
  nsm merge .nsm/campaigns/*shard*/result.json`,
  merge: `usage: nsm merge <result.json>... [--json]

Combines the result files of the shards of one campaign: schedules, steps,
failures (deduplicated) and coverage.

examples:
  nsm merge shard0/result.json shard1/result.json`,
  coverage: `usage: nsm coverage <scenario> [--strategy S] [--schedules N] [--seed N] [--mutant M]
                    [--min-transitions PCT] [--json]

Explores a scenario and reports coverage: xstate machine states and
transitions reached, pairs of object states seen at the same time, lock
contention (contended mutexes, cvs with 2+ sleepers, rwlocks where a writer
waited). With --min-transitions, exit 1 below that floor.

examples:
  nsm coverage tb-gate
  nsm coverage ns-register-vs-zone-create --strategy random --schedules 2000 --min-transitions 80`,
  export: `usage: nsm export machines [--out DIR]

Writes every xstate machine of the models as a Mermaid state diagram, one
Markdown file per machine, under --out (default docs/machines/).

examples:
  nsm export machines
  nsm export machines --out /tmp/machines`,
  mutants: `usage: nsm mutants [--system S] [--json]

Lists the catalogue: every mutant with its scenario, the C line whose guard
it weakens, the spec it violates and the search that finds it.

examples:
  nsm mutants
  nsm mutants --system netstack --json`,
};

/** `--param K=V` values as text; each is parsed by its scenario's declared type (typedParams). */
function parseParams(vals: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of vals ?? []) {
    const m = /^([A-Za-z_][\w-]*)=(.*)$/.exec(kv);
    if (!m) throw new UsageError(`--param expects K=V, got '${kv}'`);
    out[m[1]!] = m[2]!;
  }
  return out;
}

/** Parse each `--param` value by the scenario's declared type and range (one line and exit 2 if bad). */
function typedParams(sc: Scenario<any>, raw: Record<string, string>): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  try {
    for (const [k, v] of Object.entries(raw)) out[k] = parseParam(sc, k, v);
  } catch (e) {
    if (e instanceof ParamError) throw new UsageError(e.message);
    throw e;
  }
  return out;
}

type Flags = Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }>;

function parse(argv: string[], options: Flags): { values: Record<string, any>; positionals: string[] } {
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
  'no-write': { type: 'boolean' },
  'state-cache': { type: 'boolean' },
  progress: { type: 'string' },
  json: { type: 'boolean' },
  all: { type: 'boolean' },
  timelines: { type: 'boolean' },
} satisfies Flags;

function checkOptions(v: Record<string, unknown>, dfltTime: number): CheckOptions & { rawParams: Record<string, string> } {
  const strategy = (v.strategy as string | undefined) ?? 'dpor';
  if (!(STRATEGY_NAMES as readonly string[]).includes(strategy)) throw new UsageError(`unknown strategy '${strategy}' (use one of ${STRATEGY_NAMES.join(', ')})`);
  if (v['state-cache'] && strategy !== 'dfs') throw new UsageError('--state-cache works with --strategy dfs only (it is not sound with DPOR)');
  if (v.delays !== undefined && strategy !== 'dfs') throw new UsageError('--delays bounds --strategy dfs only (DPOR is complete within a preemption bound, as bounded POR, but not within a delay bound; random and pct take no bound)');
  return {
    strategy: strategy as StrategyName,
    seed: intFlag('seed', v.seed as string | undefined, 1),
    depth: intFlag('depth', v.depth as string | undefined, 3, 1),
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
    progressEvery: v.progress === undefined ? 0 : secondsFlag('progress', v.progress as string, 10),
  };
}

const EXIT = { pass: 0, fail: 1, incomplete: 3 } as const;
const FS_CODES = new Set(['EACCES', 'EROFS', 'EPERM', 'ENOSPC', 'ENOENT', 'EISDIR', 'ENOTDIR', 'EEXIST']);

function cmdList(argv: string[], out: (s: string) => void): number {
  const { values } = parse(argv, { json: { type: 'boolean' } });
  if (values.help) return out(HELP.list!), 0;
  if (values.json) {
    out(JSON.stringify(allScenarios().map((s) => ({ name: s.name, system: s.system, threads: s.threads, mutants: s.mutants ?? [], params: s.params ?? {}, paramTypes: paramSpecs(s), description: s.description }))));
    return 0;
  }
  const t = [['scenario', 'system', 'threads', 'mutants', 'description']];
  for (const s of allScenarios()) t.push([s.name, s.system, String(s.threads), String((s.mutants ?? []).length), s.description]);
  for (const l of table(t)) out(l);
  out('');
  out("parameters: nsm list --json (name, type, range, default); mutants: nsm mutants");
  return 0;
}

function cmdCheck(argv: string[], out: (s: string) => void, err: (s: string) => void): number {
  const { values, positionals } = parse(argv, checkFlags);
  if (values.help) return out(HELP.check!), 0;
  const o = { ...checkOptions(values, 60), progressLine: err };
  let targets = allScenarios();
  if (values.all) {
    if (positionals.length > 0) throw new UsageError(`nsm check --all takes no scenario name (got '${positionals.join(' ')}'): use one or the other`);
  } else {
    if (positionals.length !== 1) throw new UsageError('nsm check needs one scenario name (or --all); see nsm list');
    const sc = findScenario(positionals[0]!);
    if (!sc) throw new UsageError(`unknown scenario '${positionals[0]}' (see nsm list)`);
    targets = [sc];
  }
  const paramsOf = new Map<Scenario<any>, Record<string, ParamValue>>();
  for (const sc of targets) {
    if (o.mutant !== null && !(sc.mutants ?? []).includes(o.mutant)) {
      if (values.all) continue;
      throw new UsageError(`scenario '${sc.name}' has no mutant '${o.mutant}' (it has: ${(sc.mutants ?? []).join(', ') || 'none'})`);
    }
    paramsOf.set(sc, typedParams(sc, o.rawParams));
  }
  if (o.write) ensureWritableDir(join(artefactDir(), 'failures'));
  let worst = 0;
  const rows: string[][] = [['scenario', 'strategy', 'verdict', 'schedules', 'steps', 'seconds']];
  for (const sc of targets) {
    if (o.mutant !== null && !(sc.mutants ?? []).includes(o.mutant)) continue;
    const so = { ...o, params: paramsOf.get(sc)! };
    let code: number;
    if (values.all && !values.json) {
      const r = checkKnowing(sc, so, out, Boolean(values.timelines));
      rows.push(r.row);
      code = r.code;
    } else {
      const r = checkScenario(sc, so);
      if (values.json) out(JSON.stringify(r.json));
      else for (const l of r.lines) out(l);
      code = EXIT[r.json.verdict];
    }
    if (code === 1 || (code === 3 && worst === 0)) worst = code;
  }
  if (values.all && !values.json) {
    out('');
    for (const l of table(rows)) out(l);
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
    const pre = countPreemptions(r.ex);
    out(`${f ? 'FAIL' : 'pass'}  ${r.scenario.name}${r.target.mutant ? ` (mutant ${r.target.mutant})` : ''}  ${r.res.steps} steps, ${pre} preemption${pre === 1 ? '' : 's'}`);
    if (f) {
      out(`  ${formatFailure(f)}`);
      for (const d of f.details) out(`  ${d}`);
    }
    for (const l of formatTimeline(r.ex)) out(l);
  }
  return f ? 1 : 0;
}

const fmtVerdict = (v: string, complete: boolean) => v + (complete ? ' (complete)' : '');

/**
 * Check one scenario the way `nsm start` and `nsm check --all` do: a
 * failure of the unmodified model that is a catalogued finding (a race of
 * the C code as written) is told in one line (its whole timeline with
 * `timelines`), then the model with the candidate fixes is checked. Any other
 * failure is told in full. Returns the summary row (scenario, strategy,
 * verdict, schedules, steps, seconds) and the exit code it earns.
 */
function checkKnowing(sc: Scenario<any>, o: CheckOptions, out: (s: string) => void, timelines: boolean): { row: string[]; json: unknown[]; code: number } {
  const r = checkScenario(sc, o);
  const json: unknown[] = [r.json];
  let verdict = fmtVerdict(r.json.verdict, r.json.complete);
  let row = r.json;
  let code = EXIT[r.json.verdict];
  const known = r.json.verdict === 'fail' && o.mutant === null ? knownFinding(sc.name, r.json.failure?.spec) : undefined;
  if (known) {
    const f = r.json.failure!;
    out(`finding     ${sc.name}  ${known.id}, a race in the C code as written (docs/findings.md): ${f.spec}: ${f.message}`);
    out(`              replay: nsm replay ${f.token}`);
    if (timelines) for (const l of r.lines) out(l);
    const fixes = fixParamsFor(sc);
    const fixed = checkScenario(sc, { ...o, params: { ...o.params, ...fixes } });
    json.push({ ...fixed.json, fixes });
    verdict = `finding ${known.id}; with fixes: ${fmtVerdict(fixed.json.verdict, fixed.json.complete)}`;
    row = fixed.json;
    code = EXIT[fixed.json.verdict];
    for (const l of fixed.lines) out(fixed.json.verdict === 'fail' ? l : `  with fixes (${Object.keys(fixes).join(', ')}): ${l.trim()}`);
  } else for (const l of r.lines) out(l);
  return { row: [sc.name, row.strategy, verdict, row.schedules.toLocaleString('en-US'), row.steps.toLocaleString('en-US'), (row.elapsedMs / 1000).toFixed(2)], json, code };
}

function cmdStart(argv: string[], out: (s: string) => void): number {
  const { values } = parse(argv, { time: { type: 'string' }, json: { type: 'boolean' } });
  if (values.help) return out(HELP.start!), 0;
  const time = secondsFlag('time', values.time, 10);
  ensureWritableDir(join(artefactDir(), 'failures'));
  const rows: string[][] = [['what', 'scenario', 'strategy', 'verdict', 'schedules', 'steps', 'seconds']];
  const json: unknown[] = [];
  let worst = 0;
  const t0 = performance.now();
  const reg = regress();
  const bad = reg.filter((r) => r.replay !== 'ok' || r.search !== 'ok');
  for (const r of bad) out(`REGRESSION  ${r.kind} ${r.name} (${r.scenario}): replay ${r.replay}; search ${r.search}`);
  if (bad.length) worst = 1;
  rows.push(['regress', `${reg.length} catalogued bugs`, 'replay+search', bad.length ? `${bad.length} regressed` : 'all reproduce', String(reg.reduce((a, r) => a + r.schedules, 0)), '', ((performance.now() - t0) / 1000).toFixed(2)]);
  json.push({ regress: reg });
  for (const sc of allScenarios()) {
    const r = checkKnowing(sc, { ...checkOptions({}, time), write: true }, out, false);
    json.push(...r.json);
    rows.push(['check', ...r.row]);
    worst = Math.max(worst, r.code === 3 ? 0 : r.code);
  }
  if (values.json) out(JSON.stringify(json));
  else for (const l of table(rows)) out(l);
  return worst;
}

function cmdRegress(argv: string[], out: (s: string) => void): number {
  const { values } = parse(argv, { only: { type: 'string' }, json: { type: 'boolean' } });
  if (values.help) return out(HELP.regress!), 0;
  const only = values.only as string | undefined;
  if (only && !mutants.some((m) => m.mutant === only) && !findings.some((f) => f.id === only)) throw new UsageError(`no catalogued mutant or finding named '${only}' (see nsm mutants)`);
  const rows = regress(only ? (n) => n === only : undefined);
  if (values.json) out(JSON.stringify(rows));
  else {
    const t = [['kind', 'name', 'scenario', 'spec', 'replay', 'search', 'schedules']];
    for (const r of rows) t.push([r.kind, r.name, r.scenario, r.spec, r.replay, r.search, String(r.schedules)]);
    for (const l of table(t)) out(l);
    const bad = rows.filter((r) => r.replay !== 'ok' || r.search !== 'ok').length;
    out(`${rows.length - bad} of ${rows.length} reproduce${bad ? `; ${bad} regressed` : ''}`);
  }
  return rows.every((r) => r.replay === 'ok' && r.search === 'ok') ? 0 : 1;
}

function cmdRepin(argv: string[], out: (s: string) => void): number {
  const { values, positionals } = parse(argv, { check: { type: 'boolean' }, json: { type: 'boolean' } });
  if (values.help) return out(HELP.repin!), 0;
  if (positionals.length === 0) throw new UsageError('nsm repin needs at least one file');
  for (const f of positionals) if (!existsSync(f)) throw new UsageError(`no file '${f}'`);
  const rows = repinFiles(positionals, !values.check);
  if (values.json) out(JSON.stringify(rows));
  else {
    for (const r of rows) {
      if (r.status === 'ok') continue;
      out(`${r.status === 'lost' ? 'LOST    ' : values.check ? 'STALE   ' : 'REPINNED'} ${r.file}: ${r.token.slice(0, 48)}...`);
      out(`         ${r.detail}`);
    }
    const n = (s: string) => rows.filter((r) => r.status === s).length;
    out(`${rows.length} token(s): ${n('ok')} replay, ${n('repinned')} ${values.check ? 'stale' : 'repinned'}, ${n('lost')} lost`);
  }
  return rows.some((r) => r.status === 'lost' || (values.check && r.status === 'repinned')) ? 1 : 0;
}

function cmdShrink(argv: string[], out: (s: string) => void): number {
  const { values, positionals } = parse(argv, { json: { type: 'boolean' } });
  if (values.help) return out(HELP.shrink!), 0;
  if (positionals.length !== 1) throw new UsageError('nsm shrink needs one token');
  let rep;
  try {
    rep = replayToken(positionals[0]!, findScenario);
  } catch (e) {
    if (e instanceof TokenError) throw new UsageError(e.message);
    throw e;
  }
  const f = rep.res.failure;
  if (!f || f.kind === 'divergence') throw new UsageError(f ? `the token no longer replays: ${f.message}` : 'the token replays to a passing execution: nothing to shrink');
  const b = buildFailure(rep.scenario, rep.target, rep.res.schedule.slice(), f, { shrink: true });
  if (values.json) out(JSON.stringify({ scenario: rep.scenario.name, spec: b.summary.spec, token: b.summary.token, steps: b.summary.steps, preemptions: b.summary.preemptions, before: rep.res.steps }));
  else for (const l of b.lines) out(l);
  return 1;
}

async function cmdExplain(argv: string[], out: (s: string) => void): Promise<number> {
  const { values, positionals } = parse(argv, { format: { type: 'string' }, out: { type: 'string' } });
  if (values.help) return out(HELP.explain!), 0;
  if (positionals.length !== 1) throw new UsageError('nsm explain needs one token or artefact file');
  const format = (values.format as string | undefined) ?? 'text';
  if (!['text', 'mermaid', 'html'].includes(format)) throw new UsageError(`--format must be text, mermaid or html, got '${format}'`);
  const a = loadArtefact(positionals[0]!);
  if (format === 'text') for (const l of explainText(a)) out(l);
  else if (format === 'mermaid') {
    const { mermaidSequence } = await import('./render/mermaid.ts');
    out(mermaidSequence(a));
  } else {
    const { renderHtml } = await import('./render/html.ts');
    const given = values.out as string | undefined;
    const path = given ?? join(artefactDir(), 'reports', `${a.scenario}--${a.mutant ?? 'model'}--${a.failure.spec}.html`);
    if (given === undefined) ensureWritableDir(dirname(path));
    else if (!existsSync(dirname(path) || '.')) throw new UsageError(`--out ${given}: no directory ${dirname(given)} (nsm creates none for --out; make it first)`);
    writeFileSync(path, renderHtml(a));
    out(`html: ${path}`);
  }
  return a.failure.spec === 'none' ? 0 : 1;
}

/** More worker threads than twice the cores only adds contention. */
function maxWorkers(): number {
  return Math.max(1, availableParallelism()) * 2;
}

function shardFlag(v: string | undefined): { index: number; count: number } {
  if (v === undefined) return { index: 0, count: 1 };
  const m = /^(\d+)\/(\d+)$/.exec(v);
  if (!m || Number(m[2]) < 1 || Number(m[1]) >= Number(m[2])) throw new UsageError(`--shard expects i/n with 0 <= i < n, got '${v}'`);
  return { index: Number(m[1]), count: Number(m[2]) };
}

async function cmdFuzz(argv: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const { values } = parse(argv, {
    scenario: { type: 'string' },
    strategy: { type: 'string' },
    depth: { type: 'string' },
    seed: { type: 'string' },
    time: { type: 'string' },
    schedules: { type: 'string' },
    batch: { type: 'string' },
    workers: { type: 'string' },
    mutant: { type: 'string' },
    param: { type: 'string', multiple: true },
    shard: { type: 'string' },
    resume: { type: 'boolean' },
    'progress-every': { type: 'string' },
    json: { type: 'boolean' },
  });
  if (values.help) return out(HELP.fuzz!), 0;
  const name = values.scenario as string | undefined;
  if (!name) throw new UsageError('nsm fuzz needs --scenario NAME (see nsm list)');
  const sc = findScenario(name);
  if (!sc) throw new UsageError(`unknown scenario '${name}' (see nsm list)`);
  const strategy = (values.strategy as string | undefined) ?? 'portfolio';
  if (!['random', 'pct', 'portfolio'].includes(strategy)) throw new UsageError(`fuzz strategy must be random, pct or portfolio, got '${strategy}'`);
  const mutant = (values.mutant as string | undefined) ?? null;
  if (mutant !== null && !(sc.mutants ?? []).includes(mutant)) throw new UsageError(`scenario '${sc.name}' has no mutant '${mutant}' (it has: ${(sc.mutants ?? []).join(', ') || 'none'})`);
  const params = typedParams(sc, parseParams(values.param as string[] | undefined));
  const schedules = values.schedules === undefined ? 0 : intFlag('schedules', values.schedules as string, 0, 1);
  const timeSec = values.time === undefined ? (schedules ? 0 : 60) : secondsFlag('time', values.time as string, 60);
  const cfg = {
    scenario: sc.name,
    strategy: strategy as FuzzStrategy,
    depth: intFlag('depth', values.depth as string | undefined, 3, 1),
    seed: intFlag('seed', values.seed as string | undefined, 1),
    mutant,
    params,
    batch: intFlag('batch', values.batch as string | undefined, 200, 1),
    schedules,
    shard: shardFlag(values.shard as string | undefined),
  };
  ensureWritableDir(join(artefactDir(), 'campaigns'));
  const tty = Boolean(process.stderr.isTTY) && !values.json;
  const { result, dir, newFailures } = await runCampaign(cfg, {
    load: loaded,
    workers: intFlag('workers', values.workers as string | undefined, 1, 1, maxWorkers()),
    timeSec,
    resume: Boolean(values.resume),
    tty,
    progressEvery: secondsFlag('progress-every', values['progress-every'] as string | undefined, 5),
    progress: values.json ? null : (line, final) => (tty ? process.stderr.write(`\r${line}${final ? '\n' : ''}`) : err(line)),
  });
  if (values.json) out(JSON.stringify({ ...result, dir }));
  else {
    out(`${result.failures.length ? 'FAIL' : 'pass'}  ${sc.name}${mutant ? ` (mutant ${mutant})` : ''}  ${result.schedules.toLocaleString('en-US')} schedules  ${result.steps.toLocaleString('en-US')} steps  ${(result.elapsedMs / 1000).toFixed(1)} s  [${strategy}${cfg.shard.count > 1 ? `, shard ${cfg.shard.index}/${cfg.shard.count}` : ''}]${result.interrupted ? '  (interrupted: --resume continues)' : ''}`);
    for (const f of newFailures) out(`  new failure: ${f.spec}: ${f.message} (${f.steps} steps, ${f.preemptions} preemptions)\n    replay: nsm replay ${f.token}${f.artefact ? `\n    artefact: ${f.artefact}` : ''}`);
    for (const l of formatCoverage(result.coverage)) out(l);
    out(`  campaign: ${dir}`);
  }
  return result.failures.length ? 1 : 0;
}

function cmdMerge(argv: string[], out: (s: string) => void): number {
  const { values, positionals } = parse(argv, { json: { type: 'boolean' } });
  if (values.help) return out(HELP.merge!), 0;
  if (positionals.length === 0) throw new UsageError('nsm merge needs result files');
  const merged = mergeResults(positionals.map((p) => {
    if (!existsSync(p)) throw new UsageError(`no such result file: ${p}`);
    return loadResult(p);
  }));
  if (values.json) out(JSON.stringify(merged));
  else {
    out(`${merged.failures.length ? 'FAIL' : 'pass'}  ${merged.config.scenario}  ${positionals.length} shards  ${merged.schedules.toLocaleString('en-US')} schedules  ${merged.doneBatches.length} batches`);
    for (const f of merged.failures) out(`  ${f.spec}: ${f.message}\n    replay: nsm replay ${f.token}`);
    for (const l of formatCoverage(merged.coverage)) out(l);
  }
  return merged.failures.length ? 1 : 0;
}

function cmdCoverage(argv: string[], out: (s: string) => void): number {
  const { values, positionals } = parse(argv, { strategy: { type: 'string' }, schedules: { type: 'string' }, seed: { type: 'string' }, mutant: { type: 'string' }, 'min-transitions': { type: 'string' }, json: { type: 'boolean' } });
  if (values.help) return out(HELP.coverage!), 0;
  if (positionals.length !== 1) throw new UsageError('nsm coverage needs one scenario name');
  const sc = findScenario(positionals[0]!);
  if (!sc) throw new UsageError(`unknown scenario '${positionals[0]}' (see nsm list)`);
  const o = checkOptions({ strategy: values.strategy ?? 'random', seed: values.seed, schedules: values.schedules ?? '2000', mutant: values.mutant }, 60);
  const min = values['min-transitions'] === undefined ? null : Number(values['min-transitions']);
  if (min !== null && !(min >= 0 && min <= 100)) throw new UsageError(`--min-transitions expects a percentage 0-100, got '${values['min-transitions']}'`);
  const run = new RunContext();
  const r = explore(sc, makeStrategy(o.strategy, { seed: o.seed, depth: o.depth }), { mutant: o.mutant, schedules: o.schedules, run, keepGoing: true });
  const cov = coverageOf(run);
  const pct = transitionPercent(cov);
  const below = min !== null && pct < min;
  if (values.json) out(JSON.stringify({ scenario: sc.name, schedules: r.schedules, coverage: cov, transitionPercent: pct, floor: min, ok: !below }));
  else {
    out(`coverage  ${sc.name}  ${r.schedules.toLocaleString('en-US')} schedules [${r.strategy}]`);
    for (const l of formatCoverage(cov)) out(l);
    if (below) out(`  below the floor: ${pct.toFixed(1)}% < ${min}% of transitions`);
  }
  return below ? 1 : 0;
}

async function cmdExport(argv: string[], out: (s: string) => void): Promise<number> {
  const { values, positionals } = parse(argv, { out: { type: 'string' } });
  if (values.help) return out(HELP.export!), 0;
  if (positionals.length !== 1 || positionals[0] !== 'machines') throw new UsageError("nsm export knows one thing to export: 'machines' (nsm export machines)");
  const dir = (values.out as string | undefined) ?? join('docs', 'machines');
  const { allMachines } = await import('../actors/registry.ts');
  const { mermaidStateDiagram } = await import('./render/mermaid.ts');
  mkdirSync(dir, { recursive: true });
  const index: string[] = ['# Machines', '', 'Generated by `nsm export machines` from the xstate definitions in `src/actors/`.', ''];
  for (const m of allMachines()) {
    const file = `${m.id}.md`;
    writeFileSync(join(dir, file), `# ${m.id}\n\n${m.states.length} states, ${m.table.size} transitions; initial state \`${m.initial}\`.\n\n\`\`\`mermaid\n${mermaidStateDiagram(m)}\n\`\`\`\n`);
    index.push(`- [${m.id}](${file}): ${m.states.length} states, ${m.table.size} transitions`);
    out(`wrote ${join(dir, file)}`);
  }
  writeFileSync(join(dir, 'README.md'), index.join('\n') + '\n');
  return 0;
}

function cmdMutants(argv: string[], out: (s: string) => void): number {
  const { values } = parse(argv, { system: { type: 'string' }, json: { type: 'boolean' } });
  if (values.help) return out(HELP.mutants!), 0;
  const sys = values.system as string | undefined;
  const ms = mutants.filter((m) => !sys || m.system === sys);
  if (sys && ms.length === 0) throw new UsageError(`no mutants for system '${sys}' (systems: ${[...new Set(mutants.map((m) => m.system))].join(', ')})`);
  if (values.json) {
    out(JSON.stringify(ms));
    return 0;
  }
  const t = [['mutant', 'scenario', 'weakens', 'violates', 'found by']];
  for (const m of ms) t.push([m.mutant, m.scenario, m.cLine, m.expect.spec, `${m.find.strategy} <= ${m.find.schedules}`]);
  for (const l of table(t)) out(l);
  for (const m of ms) out(`  ${m.mutant}: ${m.description}`);
  return 0;
}

/** Run nsm with argv; returns the exit code. `out` receives each output line. */
export async function main(argv: string[], out: (s: string) => void = (s) => console.log(s), err: (s: string) => void = (s) => console.error(s)): Promise<number> {
  try {
    // --load FILE (any command, repeatable): the user's scenarios, registered before the command runs.
    const { files, rest: args } = takeLoadFlags(argv);
    clearUserScenarios();
    await loadScenarioModules(files);
    loaded = files;
    return await dispatch(args, out, err);
  } catch (e) {
    return reportError(e, err);
  }
}

/** Modules given with --load, for the fuzz workers (each loads them too). */
let loaded: string[] = [];

async function dispatch(argv: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const [cmd, ...rest] = argv;
  {
    switch (cmd) {
      case undefined:
        out(HELP['']!);
        throw new UsageError('no command given (see the commands above)');
      case '--help':
      case '-h':
        out(HELP['']!);
        return 0;
      case 'help':
        if (rest.length === 0) return out(HELP['']!), 0;
        if (!(rest[0]! in HELP) || rest[0] === '') throw new UsageError(`no command '${rest[0]}' (see nsm --help)`);
        out(HELP[rest[0]!]!);
        return 0;
      case 'list':
        return cmdList(rest, out);
      case 'check':
        return cmdCheck(rest, out, err);
      case 'replay':
        return cmdReplay(rest, out);
      case 'start':
        return cmdStart(rest, out);
      case 'regress':
        return cmdRegress(rest, out);
      case 'repin':
        return cmdRepin(rest, out);
      case 'shrink':
        return cmdShrink(rest, out);
      case 'explain':
        return await cmdExplain(rest, out);
      case 'mutants':
        return cmdMutants(rest, out);
      case 'fuzz':
        return await cmdFuzz(rest, out, err);
      case 'merge':
        return cmdMerge(rest, out);
      case 'coverage':
        return cmdCoverage(rest, out);
      case 'export':
        return await cmdExport(rest, out);
      default:
        throw new UsageError(`unknown command '${cmd}' (see nsm --help)`);
    }
  }
}

function reportError(e: unknown, err: (s: string) => void): number {
  {
    if (e instanceof UsageError || e instanceof ParamError) {
      err(`nsm: ${e.message}`);
      return 2;
    }
    // A file that cannot be read or written (read-only directory, full disk): one line, exit 2.
    const fsErr = e as NodeJS.ErrnoException;
    if (fsErr && typeof fsErr.code === 'string' && typeof fsErr.syscall === 'string' && FS_CODES.has(fsErr.code)) {
      err(`nsm: cannot ${fsErr.syscall} ${fsErr.path ?? ''}: ${fsErr.code}${fsErr.code === 'EACCES' || fsErr.code === 'EROFS' ? ' (set NSM_DIR to a writable directory)' : ''}`);
      return 2;
    }
    throw e;
  }
}
