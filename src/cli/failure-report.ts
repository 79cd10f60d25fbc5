/**
 * Failure artefacts on disk: where they go (.nsm/, or $NSM_DIR), atomic
 * writes, and the report of one failure with its artefact written.
 */
import { accessSync, constants, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { UsageError } from './errors.ts';
import { join } from 'node:path';
import type { Failure } from '../core/failure.ts';
import type { Scenario } from '../core/scenario.ts';
import type { ReplayTarget } from '../core/trace/replay.ts';
import { buildFailure, type BuiltFailure, type FailureSummary } from '../core/trace/failure-block.ts';
import { renderHtml } from './render/html.ts';

export { buildFailure, type Artefact, type BuiltFailure, type FailureSummary } from '../core/trace/failure-block.ts';

export function artefactDir(): string {
  return process.env.NSM_DIR ?? '.nsm';
}

/**
 * Make sure `dir` (under the artefact directory) exists and can be written,
 * before any work whose results would go there: a read-only place is one
 * line and exit 2, not a stack trace after a long search.
 */
export function ensureWritableDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new UsageError(`cannot write to ${dir} (${code}): run from a writable directory or set NSM_DIR to one`);
  }
}

/** Write JSON atomically (temp file + rename) so a crash leaves no half file. */
export function writeJsonAtomic(path: string, value: unknown): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n');
  renameSync(tmp, path);
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

export interface ReportedFailure {
  summary: FailureSummary;
  lines: string[];
}

export function reportFailure(sc: Scenario<any>, target: ReplayTarget, schedule: number[], f: Failure, opts: { shrink: boolean; write: boolean }): ReportedFailure {
  const b = buildFailure(sc, target, schedule, f, opts);
  if (opts.write) writeArtefact(b);
  return { summary: b.summary, lines: b.lines };
}
