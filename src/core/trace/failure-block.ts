/**
 * From a failing schedule to the block a user reads: shrink it, replay it
 * with full recording, mint its token, format the timeline. Nothing is
 * written here (the CLI writes artefacts; the library throws the block).
 */
import { formatFailure, type Failure } from '../failure.ts';
import { fnv1a } from '../prng.ts';
import { runSchedule } from '../runner.ts';
import type { Scenario } from '../scenario.ts';
import { specStatement } from '../spec.ts';
import { formatTimeline, timelineRows, countPreemptions, type TimelineRow } from './report.ts';
import { makeToken, type ReplayTarget } from './replay.ts';
import { shrinkSchedule } from './shrink.ts';

export interface FailureSummary {
  spec: string;
  kind: string;
  message: string;
  token: string;
  steps: number;
  preemptions: number;
  originalSteps: number;
  details: string[];
  artefact: string | null;
}

/** A failure artefact (.nsm/failures/*.json): what the renderers read, version 1. */
export interface Artefact {
  version: 1;
  scenario: string;
  mutant: string | null;
  params: Record<string, unknown>;
  failure: Failure;
  token: string;
  steps: number;
  preemptions: number;
  timeline: TimelineRow[];
}

export interface BuiltFailure {
  summary: FailureSummary;
  lines: string[];
  /** Null for run-level failures (lock-order cycles) that have no single schedule. */
  artefact: Artefact | null;
  /** File name (no directory) the artefact is written under: dedup key. */
  fileName: string | null;
}

/** Shrink, replay with recording, mint the token; nothing is written. */
export function buildFailure(sc: Scenario<any>, target: ReplayTarget, schedule: number[], f: Failure, opts: { shrink: boolean }): BuiltFailure {
  let sched = schedule;
  let original = -1;
  if (opts.shrink && schedule.length > 0) {
    const s = shrinkSchedule(sc, target, schedule);
    if (s) {
      sched = s.schedule;
      original = s.originalSteps;
    }
  }
  if (schedule.length === 0) {
    // A run-wide failure: each witness execution (a lock-order edge taken) as its replay.
    // One line per witness execution (one execution may witness several edges).
    const byToken = new Map<string, string[]>();
    for (const w of f.witnesses ?? []) {
      const t = makeToken(sc, target, w.schedule, w.sigs);
      byToken.set(t, [...(byToken.get(t) ?? []), w.what]);
    }
    const witnesses = [...byToken].map(([t, what]) => `  witness of ${what.join(', ')}: nsm replay ${t}`);
    const lines = [`FAIL  ${sc.name}${target.mutant ? ` (mutant ${target.mutant})` : ''}  ${formatFailure(f)}`, ...f.details.map((d) => `  ${d}`), ...specLine(sc, f), ...witnesses];
    return { summary: { spec: f.spec, kind: f.kind, message: f.message, token: '', steps: 0, preemptions: 0, originalSteps: 0, details: f.details, artefact: null }, lines, artefact: null, fileName: null };
  }
  const { ex, res } = runSchedule(sc, sched, target);
  const failure = res.failure ?? f;
  const token = makeToken(sc, target, res.schedule, res.sigs);
  const pre = countPreemptions(ex);
  if (original < 0) original = res.steps;
  const sig = fnv1a(`${failure.spec}|${res.schedule.join(',')}`).toString(16).padStart(8, '0');
  const fileName = `${sc.name}--${target.mutant ?? 'model'}--${failure.spec.replace(/[^\w.-]/g, '_')}--${sig}.json`;
  const artefact: Artefact = { version: 1, scenario: sc.name, mutant: target.mutant ?? null, params: target.params ?? {}, failure, token, steps: res.steps, preemptions: pre, timeline: timelineRows(ex) };
  const lines = [
    `FAIL  ${sc.name}${target.mutant ? ` (mutant ${target.mutant})` : ''}  ${formatFailure(failure)}`,
    ...failure.details.map((d) => `  ${d}`),
    ...specLine(sc, failure),
    shrunkLine(opts.shrink, original, res.steps, pre),
    ...formatTimeline(ex, { maxRows: 80 }),
    `  replay: nsm replay ${token}`,
    `  vitest: replayTest('${token}', { spec: '${failure.spec}' })`,
  ];
  return {
    summary: { spec: failure.spec, kind: failure.kind, message: failure.message, token, steps: res.steps, preemptions: pre, originalSteps: original, details: failure.details, artefact: null },
    lines,
    artefact,
    fileName,
  };
}


/** What shrinking did, in one line: `shrunk 52 -> 44 steps, 3 preemptions`. */
function shrunkLine(shrink: boolean, before: number, after: number, pre: number): string {
  const p = `${pre} preemption${pre === 1 ? '' : 's'}`;
  if (!shrink) return `  ${after} steps, ${p} (not shrunk: --no-shrink)`;
  if (before === after) return `  ${after} steps, ${p} (shrinking found no shorter schedule)`;
  return `  shrunk ${before} -> ${after} steps, ${p}`;
}

/** What the violated spec states, once, so its name needs no look-up. */
function specLine(sc: Scenario<any>, f: Failure): string[] {
  const spec = [...(sc.invariants ?? []), ...(sc.endChecks ?? [])].find((s) => s.name === f.spec);
  if (spec) return [`  ${spec.name}: ${spec.statement}`];
  const registered = specStatement(f.spec);
  if (registered) return [`  ${f.spec}: ${registered}`];
  const builtin: Record<string, string> = {
    deadlock: 'some threads have not finished and none can run (the wait-for cycle is above)',
    'step-limit': 'an execution ran past its step limit (a livelock, or raise maxSteps)',
    kassert: 'an ASSERT of the model (a kassert) failed',
    'lock-discipline': 'a lock was released by a thread that does not hold it, or held when its thread returned',
    'no-use-after-free': 'a freed object was touched',
    'lock-order': 'locks are taken in one global order (a cycle of lock classes is a potential deadlock, even if no execution deadlocked)',
    'declared-accesses': 'two threads change one location only in steps their footprints order (the model must declare its accesses, or DPOR cannot be trusted)',
  };
  return builtin[f.spec] ? [`  ${f.spec}: ${builtin[f.spec]}`] : [];
}
