/** nsm replay. */
import { formatFailure } from '../../core/failure.ts';
import { formatTimeline, countPreemptions } from '../../core/trace/report.ts';
import { replayToken } from '../../core/trace/replay.ts';
import { TokenError } from '../../core/trace/token.ts';
import { findScenario } from '../../scenarios/registry.ts';
import { UsageError } from '../errors.ts';
import { parse } from '../args.ts';

export const help = `usage: nsm replay <token> [--json]

Re-runs the execution a token names, bit-exactly, and prints its timeline
and verdict. A token made for another scenario, other options or an older
model is refused (exit 2) or diverges (exit 1, spec 'replay').

examples:
  nsm replay nsm1:tb-counter:tb-unlocked-increment:-:...`;

export function run(argv: string[], out: (s: string) => void): number {
  const { values, positionals } = parse(argv, { json: { type: 'boolean' } });
  if (values.help) return out(help), 0;
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
