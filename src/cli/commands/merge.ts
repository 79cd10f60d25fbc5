/** nsm merge. */
import { existsSync } from 'node:fs';
import { UsageError } from '../errors.ts';
import { formatCoverage } from '../coverage.ts';
import { loadResult, mergeResults } from '../fuzz/campaign.ts';
import { parse } from '../args.ts';
import { readFileSync } from 'node:fs';
import type { CheckJson } from '../check-scenario.ts';
import { mergeShards } from '../../core/strategies/split.ts';

/** The file as a split-search shard (nsm check --shard --json), or null when it is not one. */
function readShard(path: string): CheckJson | null {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
  const d = data as Partial<CheckJson>;
  return d && typeof d === 'object' && d.shard && typeof d.shard.tree === 'string' && Array.isArray(d.shard.closed) ? (d as CheckJson) : null;
}

/** The shards of one split search: complete or not, and every failure they found. */
function mergeSplit(shards: CheckJson[], json: boolean, out: (s: string) => void): number {
  const names = new Set(shards.map((s) => `${s.scenario}${s.mutant ? ` (mutant ${s.mutant})` : ''}`));
  if (names.size > 1) throw new UsageError(`the shards are of different searches: ${[...names].join(', ')}`);
  const m = mergeShards(shards.map((s) => s.shard!));
  const failures = [...new Map(shards.filter((s) => s.failure).map((s) => [s.failure!.token, s.failure!])).values()];
  const schedules = shards.reduce((a, s) => a + s.schedules, 0);
  const verdict = failures.length ? 'fail' : m.complete ? 'pass' : 'incomplete';
  if (json) out(JSON.stringify({ scenario: shards[0]!.scenario, mutant: shards[0]!.mutant, verdict, complete: m.complete, why: m.why, prefixes: m.prefixes, shards: shards.length, schedules, failures }));
  else {
    out(`${verdict.padEnd(12)}${[...names][0]}  ${shards.length} shards  ${schedules.toLocaleString('en-US')} schedules  ${m.complete ? `complete: all ${m.prefixes} prefixes at depth ${shards[0]!.shard!.depth} closed` : `not complete: ${m.why}`}`);
    for (const f of failures) out(`  ${f.spec}: ${f.message}\n    replay: nsm replay ${f.token}`);
  }
  return failures.length ? 1 : m.complete ? 0 : 3;
}

export const help = `usage: nsm merge <result.json>... [--json]

Combines the result files of the shards of one fuzz campaign: schedules,
steps, failures (deduplicated) and coverage. Given the --json outputs of the
shards of one split search (nsm check --shard i/n --json), it checks that they
prove the whole search complete: every shard present once, on the same prefix
tree, finished, and every prefix closed by one of them.

exit codes (split search): 0 complete and no failure, 1 a failure, 3 not complete

examples:
  nsm merge shard0/result.json shard1/result.json
  nsm merge s0.json s1.json`;

export function run(argv: string[], out: (s: string) => void): number {
  const { values, positionals } = parse(argv, { json: { type: 'boolean' } });
  if (values.help) return out(help), 0;
  if (positionals.length === 0) throw new UsageError('nsm merge needs result files');
  for (const p of positionals) if (!existsSync(p)) throw new UsageError(`no such result file: ${p}`);
  const shards = positionals.map(readShard);
  if (shards.every((s) => s !== null)) return mergeSplit(shards as CheckJson[], values.json === true, out);
  if (shards.some((s) => s !== null)) throw new UsageError('nsm merge takes fuzz campaign results or split-search shards (nsm check --shard --json), not both');
  const merged = mergeResults(positionals.map((p) => {
    if (!existsSync(p)) throw new UsageError(`no such result file: ${p}`);
    return loadResult(p);
  }));
  if (values.json) out(JSON.stringify(merged));
  else {
    out(`${merged.failures.length ? 'FAIL' : 'no failure'}  ${merged.config.scenario}  ${positionals.length} shards  ${merged.schedules.toLocaleString('en-US')} schedules  ${merged.doneBatches.length} batches`);
    for (const f of merged.failures) out(`  ${f.spec}: ${f.message}\n    replay: nsm replay ${f.token}`);
    for (const l of formatCoverage(merged.coverage)) out(l);
  }
  return merged.failures.length ? 1 : 0;
}
