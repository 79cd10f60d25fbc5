/**
 * nsm explain: a failure told step by step. Input is a replay token or an
 * artefact file (.nsm/failures/*.json); output is a swimlane timeline with
 * the C line of each step, lock ownership and object states as they change,
 * preemptions marked; or Mermaid / HTML renderings.
 */
import { existsSync, readFileSync } from 'node:fs';
import { formatFailure } from '../core/failure.ts';
import { formatTimeline, timelineRows, type TimelineRow } from '../core/trace/report.ts';
import { replayToken } from '../core/trace/replay.ts';
import { TokenError } from '../core/trace/token.ts';
import { findScenario } from '../scenarios/registry.ts';
import { UsageError } from './errors.ts';
import type { Artefact } from './failure-report.ts';
import { artefactSchema, firstIssue } from './schema.ts';

/** Load an artefact file, or make one from a token by replaying it. */
export function loadArtefact(arg: string): Artefact {
  if (arg.endsWith('.json') || (existsSync(arg) && !arg.startsWith('nsm'))) {
    if (!existsSync(arg)) throw new UsageError(`no such artefact file: ${arg}`);
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(arg, 'utf8'));
    } catch {
      throw new UsageError(`artefact ${arg} is not valid JSON (corrupted?); re-create it with nsm replay <token>`);
    }
    const parsed = artefactSchema.safeParse(data);
    if (!parsed.success) throw new UsageError(`artefact ${arg} is not an nsm failure artefact (version 1): ${firstIssue(parsed.error)}; re-create it with nsm replay <token>`);
    const a = parsed.data as Artefact;
    checkAgainstToken(arg, a);
    return a;
  }
  let rep;
  try {
    rep = replayToken(arg, findScenario);
  } catch (e) {
    if (e instanceof TokenError) throw new UsageError(e.message);
    throw e;
  }
  const f = rep.res.failure;
  return {
    version: 1,
    scenario: rep.scenario.name,
    mutant: rep.target.mutant ?? null,
    params: rep.target.params ?? {},
    failure: f ?? { kind: 'assert', spec: 'none', message: 'the execution passes', step: rep.res.steps, thread: null, details: [] },
    token: arg.trim(),
    steps: rep.res.steps,
    preemptions: timelineRows(rep.ex).filter((r) => r.preempted).length,
    timeline: timelineRows(rep.ex),
  };
}

/**
 * An artefact is explained from its own timeline only if its token replays
 * to that very timeline: an edited token or timeline, or a model changed
 * since the artefact was written, is refused rather than told stale.
 */
function checkAgainstToken(file: string, a: Artefact): void {
  let rep;
  try {
    rep = replayToken(a.token, findScenario);
  } catch (e) {
    if (e instanceof TokenError) throw new UsageError(`artefact ${file}: its token does not replay: ${e.message}`);
    throw e;
  }
  const rows = timelineRows(rep.ex);
  const f = rep.res.failure;
  const same =
    rep.scenario.name === a.scenario &&
    (f?.spec ?? 'none') === a.failure.spec &&
    rows.length === a.timeline.length &&
    rows.every((r, i) => r.thread === a.timeline[i]!.thread && r.effects.join('|') === a.timeline[i]!.effects.join('|'));
  if (!same) throw new UsageError(`artefact ${file}: its timeline does not match what its token replays (edited, or written by another model version); explain the token itself: nsm explain ${a.token.slice(0, 24)}...`);
}

function changes(prev: Record<string, string> | null, cur: Record<string, string> | null): string[] {
  if (!cur) return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(cur)) if (!prev || prev[k] !== v) out.push(`${k}=${v}`);
  return out;
}

/** The text explanation: swimlanes plus lock and state changes. */
export function explainText(a: Artefact): string[] {
  const lines: string[] = [];
  lines.push(`${a.failure.spec === 'none' ? 'pass' : 'FAIL'}  ${a.scenario}${a.mutant ? ` (mutant ${a.mutant})` : ''}  ${a.steps} steps, ${a.preemptions} preemption${a.preemptions === 1 ? '' : 's'}`);
  if (a.failure.spec !== 'none') lines.push(`  violated: ${formatFailure(a.failure)}`);
  for (const d of a.failure.details) lines.push(`  ${d}`);
  const active = new Set(a.timeline.map((r) => r.thread));
  const threads = (a.timeline.length ? Object.keys(a.timeline[0]!.held) : []).filter((t) => active.has(t));
  const col = Math.max(28, Math.min(64, Math.floor(150 / Math.max(1, threads.length))));
  const clip = (s: string) => (s.length <= col ? s.padEnd(col) : s.slice(0, col - 1) + '…');
  lines.push('  step  ' + threads.map(clip).join(' '));
  let prevHeld = '';
  let prevObj: Record<string, string> | null = null;
  a.timeline.forEach((r: TimelineRow) => {
    const ti = threads.indexOf(r.thread);
    r.effects.forEach((e, k) => {
      const site = k === 0 && r.sites.length ? `  ${r.sites[0]}` : '';
      const cells = threads.map((_, i) => (i === ti ? clip((k ? '  ' : '') + e + site) : ' '.repeat(col)));
      lines.push(`  ${k === 0 ? String(r.step).padStart(4) : '    '}${k === 0 && r.preempted ? '*' : ' '} ${cells.join(' ').trimEnd()}`);
    });
    const held = threads.filter((t) => (r.held[t] ?? []).length).map((t) => `${t} holds ${r.held[t]!.join(', ')}`).join('; ');
    if (held !== prevHeld) lines.push(`          locks: ${held || 'none held'}`);
    prevHeld = held;
    const ch = changes(prevObj, r.objects);
    if (ch.length) lines.push(`          state: ${ch.join(', ')}`);
    prevObj = r.objects;
  });
  lines.push('  (* = preemption: the previous thread could have gone on)');
  lines.push(`  replay: nsm replay ${a.token}`);
  return lines;
}

export { formatTimeline };
