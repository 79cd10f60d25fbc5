/** nsm shrink. */
import { replayToken } from '../../core/trace/replay.ts';
import { TokenError } from '../../core/trace/token.ts';
import { findScenario } from '../../scenarios/registry.ts';
import { UsageError } from '../errors.ts';
import { buildFailure } from '../failure-report.ts';
import { parse } from '../args.ts';

export const help = `usage: nsm shrink <token> [--json]

Shrinks a failing token's schedule further (fewer steps, then fewer
preemptions) and prints the new token and its timeline.

examples:
  nsm shrink nsm1:tb-gate:tb-signal-not-broadcast:-:...`;

export function run(argv: string[], out: (s: string) => void): number {
  const { values, positionals } = parse(argv, { json: { type: 'boolean' } });
  if (values.help) return out(help), 0;
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
