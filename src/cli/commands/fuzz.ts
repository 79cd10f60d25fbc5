/** nsm fuzz. */
import { join } from 'node:path';
import { findScenario } from '../../scenarios/registry.ts';
import { UsageError } from '../errors.ts';
import { artefactDir, ensureWritableDir } from '../failure-report.ts';
import { formatCoverage } from '../coverage.ts';
import { runCampaign } from '../fuzz/campaign.ts';
import { DEFAULTS, FUZZ_STRATEGY_NAMES, type FuzzStrategy } from '../../core/config.ts';
import { intFlag, secondsFlag } from '../numbers.ts';
import { cliMutant, maxWorkers, parse, parseParams, shardFlag, typedParams } from '../args.ts';
import { loadedModules } from '../load.ts';

export const help = `usage: nsm fuzz --scenario NAME [options]

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
  nsm fuzz --scenario tb-cv-wait-loop --mutant tb-cv-if --schedules 5000
  nsm fuzz --scenario tb-gate --time 60 --workers 2
  nsm fuzz --scenario tb-gate --schedules 100000 --shard 0/4   # one of four machines
  nsm merge .nsm/campaigns/*shard*/result.json`;

export async function run(argv: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
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
  if (values.help) return out(help), 0;
  const name = values.scenario as string | undefined;
  if (!name) throw new UsageError('nsm fuzz needs --scenario NAME (see nsm list)');
  const sc = findScenario(name);
  if (!sc) throw new UsageError(`unknown scenario '${name}' (see nsm list)`);
  const strategy = (values.strategy as string | undefined) ?? DEFAULTS.fuzzStrategy;
  if (!(FUZZ_STRATEGY_NAMES as readonly string[]).includes(strategy)) throw new UsageError(`fuzz strategy must be random, pct or portfolio, got '${strategy}'`);
  const mutant = cliMutant(sc, (values.mutant as string | undefined) ?? null);
  const params = typedParams(sc, parseParams(values.param as string[] | undefined));
  const schedules = values.schedules === undefined ? 0 : intFlag('schedules', values.schedules as string, 0, 1);
  const timeSec = values.time === undefined ? (schedules ? 0 : 60) : secondsFlag('time', values.time as string, 60);
  const cfg = {
    scenario: sc.name,
    strategy: strategy as FuzzStrategy,
    depth: intFlag('depth', values.depth as string | undefined, DEFAULTS.depth, 1),
    seed: intFlag('seed', values.seed as string | undefined, DEFAULTS.seed),
    mutant,
    params,
    batch: intFlag('batch', values.batch as string | undefined, DEFAULTS.fuzzBatch, 1),
    schedules,
    shard: shardFlag(values.shard as string | undefined),
  };
  ensureWritableDir(join(artefactDir(), 'campaigns'));
  const tty = Boolean(process.stderr.isTTY) && !values.json;
  const { result, dir, newFailures } = await runCampaign(cfg, {
    load: loadedModules,
    workers: intFlag('workers', values.workers as string | undefined, 1, 1, maxWorkers()),
    timeSec,
    resume: Boolean(values.resume),
    tty,
    progressEvery: secondsFlag('progress-every', values['progress-every'] as string | undefined, 5),
    progress: values.json ? null : (line, final) => (tty ? process.stderr.write(`\r${line}${final ? '\n' : ''}`) : err(line)),
  });
  if (values.json) out(JSON.stringify({ ...result, dir }));
  else {
    out(`${result.failures.length ? 'FAIL' : 'no failure'}  ${sc.name}${mutant ? ` (mutant ${mutant})` : ''}  ${result.schedules.toLocaleString('en-US')} schedules  ${result.steps.toLocaleString('en-US')} steps  ${(result.elapsedMs / 1000).toFixed(1)} s  [${strategy}${cfg.shard.count > 1 ? `, shard ${cfg.shard.index}/${cfg.shard.count}` : ''}]${result.interrupted ? '  (interrupted: --resume continues)' : ''}`);
    for (const f of newFailures) out(`  new failure: ${f.spec}: ${f.message} (${f.steps} steps, ${f.preemptions} preemptions)\n    replay: nsm replay ${f.token}${f.artefact ? `\n    artefact: ${f.artefact}` : ''}`);
    for (const l of formatCoverage(result.coverage)) out(l);
    out(`  campaign: ${dir}`);
  }
  return result.failures.length ? 1 : 0;
}
