/**
 * Readable traces: a per-thread swimlane timeline of a recorded execution,
 * with the C line of each step, preemptions marked, and the locks each
 * thread holds after the step.
 */
import type { Execution, StepRecord } from '../execution.ts';

export interface TimelineRow {
  step: number;
  thread: string;
  /** The scheduling point, then the local effects of the step. */
  effects: string[];
  sites: string[];
  preempted: boolean;
  now: number;
  /** Locks held by each thread after the step, by thread name. */
  held: Record<string, string[]>;
  /** Object states after the step (Scenario.snapshot), or null. */
  objects: Record<string, string> | null;
}

/** The C line (Effect.site) of a recorded execution's last step: where a failing one fails. */
export function lastSite(trace: readonly StepRecord[] | null): string | undefined {
  return trace?.[trace.length - 1]?.effects[0]?.site;
}

export function timelineRows(ex: Execution): TimelineRow[] {
  const tr = ex.trace ?? [];
  const rows: TimelineRow[] = [];
  let prev = -1;
  tr.forEach((r: StepRecord, i) => {
    const preempted = prev >= 0 && r.tid !== prev && r.enabled.includes(prev);
    rows.push({
      step: i,
      thread: ex.thread(r.tid).name,
      effects: r.effects.map((e) => e.describe(ex)),
      sites: r.effects.map((e) => e.site ?? '').filter((s) => s !== ''),
      preempted,
      now: r.now,
      held: Object.fromEntries(ex.threads.map((t) => [t.name, r.held[t.id] ?? []])),
      objects: r.objects,
    });
    prev = r.tid;
  });
  return rows;
}

export function countPreemptions(ex: Execution): number {
  return timelineRows(ex).filter((r) => r.preempted).length;
}

function clip(s: string, w: number): string {
  return s.length <= w ? s.padEnd(w) : s.slice(0, w - 1) + '…';
}

/** An effect and its C line in `w` characters: the effect is shortened first, the C line kept. */
function cell(effect: string, site: string, w: number): string {
  if (!site) return clip(effect, w);
  const full = `${effect}  ${site}`;
  if (full.length <= w) return full.padEnd(w);
  const room = w - site.length - 2;
  if (room < 8) return clip(full, w);
  return `${clip(effect, room)}  ${site}`;
}

/** Swimlane text: one column per thread, one row per effect. */
export function formatTimeline(ex: Execution, opts: { width?: number; maxRows?: number } = {}): string[] {
  const rows = timelineRows(ex);
  // One column per thread that took a step (idle daemons get none).
  const active = new Set(rows.map((r) => r.thread));
  const names = ex.threads.map((t) => t.name).filter((n) => active.has(n));
  // Fit 100 columns (the step number takes 8): 45 characters a thread for
  // two threads, 30 for three; never narrower than 24.
  const col = opts.width ?? Math.max(24, Math.min(64, Math.floor((100 - 8 - (names.length - 1)) / Math.max(1, names.length))));
  const lines: string[] = [];
  lines.push(('  step  ' + names.map((n) => clip(n, col)).join(' ')).trimEnd());
  const tidOf = new Map(names.map((n, i) => [n, i]));
  let shown = rows;
  const max = opts.maxRows ?? Infinity;
  if (rows.length > max) shown = rows.slice(rows.length - max);
  if (shown.length < rows.length) lines.push(`  ...   (${rows.length - shown.length} earlier steps not shown)`);
  for (const r of shown) {
    const tid = tidOf.get(r.thread)!;
    r.effects.forEach((e, k) => {
      const site = k === 0 && r.sites.length ? r.sites[0]! : '';
      const cells = names.map((_, i) => (i === tid ? cell((k === 0 ? '' : '  ') + e, site, col) : ' '.repeat(col)));
      const mark = k === 0 ? (r.preempted ? '*' : ' ') : ' ';
      const num = k === 0 ? String(r.step).padStart(4) : '    ';
      lines.push(`  ${num}${mark} ${cells.join(' ').trimEnd()}`);
    });
  }
  lines.push('  (* = preemption: the previous thread could have gone on)');
  if (rows.some((r) => r.effects.some((e) => e.startsWith('preempt')))) {
    lines.push("  ('preempt ...' = a scheduling point where the C code runs without a lock, e.g. a callback; docs/engine.md)");
  }
  return lines;
}
