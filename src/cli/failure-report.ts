/**
 * From a failing schedule to what the user sees: shrink it, replay it with
 * full recording, mint its token, write the artefact, format the report.
 */
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatFailure, type Failure } from '../core/failure.ts';
import { fnv1a } from '../core/prng.ts';
import { runSchedule } from '../core/runner.ts';
import type { Scenario } from '../core/scenario.ts';
import { formatTimeline, timelineRows, countPreemptions } from '../core/trace/report.ts';
import { makeToken, type ReplayTarget } from '../core/trace/replay.ts';
import { shrinkSchedule } from '../core/trace/shrink.ts';
import { renderHtml, type RenderArtefact } from './render/html.ts';

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

export interface ReportedFailure {
  summary: FailureSummary;
  lines: string[];
}

export function artefactDir(): string {
  return process.env.NSM_DIR ?? '.nsm';
}

/** Write JSON atomically (temp file + rename) so a crash leaves no half file. */
export function writeJsonAtomic(path: string, value: unknown): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n');
  renameSync(tmp, path);
}

/** A failure artefact (.nsm/failures/*.json): what the renderers read, version 1. */
export type Artefact = RenderArtefact & { version: 1 };

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
    const lines = [`FAIL  ${sc.name}  ${formatFailure(f)}`, ...f.details.map((d) => `  ${d}`)];
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
    `  shrunk ${original} -> ${res.steps} steps, ${pre} preemption${pre === 1 ? '' : 's'}`,
    ...formatTimeline(ex, { maxRows: 80 }),
    `  replay: nsm replay ${token}`,
    `  vitest: expect(replayToken('${token}', findScenario).res.failure?.spec).toBe('${failure.spec}')`,
  ];
  return {
    summary: { spec: failure.spec, kind: failure.kind, message: failure.message, token, steps: res.steps, preemptions: pre, originalSteps: original, details: failure.details, artefact: null },
    lines,
    artefact,
    fileName,
  };
}

/** Write a built failure's artefact (deduplicated by file name); returns its path. */
export function writeArtefact(b: BuiltFailure): string | null {
  if (!b.artefact || !b.fileName) return null;
  const dir = join(artefactDir(), 'failures');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, b.fileName);
  const html = path.replace(/\.json$/, '.html');
  if (!existsSync(path)) {
    writeJsonAtomic(path, b.artefact);
    writeFileSync(html, renderHtml(b.artefact));
  }
  b.summary.artefact = path;
  b.lines.push(`  artefact: ${path}`);
  b.lines.push(`  html: ${html}`);
  return path;
}

export function reportFailure(sc: Scenario<any>, target: ReplayTarget, schedule: number[], f: Failure, opts: { shrink: boolean; write: boolean }): ReportedFailure {
  const b = buildFailure(sc, target, schedule, f, opts);
  if (opts.write) writeArtefact(b);
  return { summary: b.summary, lines: b.lines };
}
