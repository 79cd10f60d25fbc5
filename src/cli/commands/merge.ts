/** nsm merge. */
import { existsSync } from 'node:fs';
import { UsageError } from '../errors.ts';
import { formatCoverage } from '../coverage.ts';
import { loadResult, mergeResults } from '../fuzz/campaign.ts';
import { parse } from '../args.ts';

export const help = `usage: nsm merge <result.json>... [--json]

Combines the result files of the shards of one campaign: schedules, steps,
failures (deduplicated) and coverage.

examples:
  nsm merge shard0/result.json shard1/result.json`;

export function run(argv: string[], out: (s: string) => void): number {
  const { values, positionals } = parse(argv, { json: { type: 'boolean' } });
  if (values.help) return out(help), 0;
  if (positionals.length === 0) throw new UsageError('nsm merge needs result files');
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
