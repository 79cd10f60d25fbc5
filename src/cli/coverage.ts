/**
 * Coverage of a run or campaign, as plain data that merges by union:
 * xstate machine states and transitions reached (of the compiled totals),
 * pairs of object states seen at the same time, and lock contention.
 */
import { MachineCoverage } from '../actors/machine.ts';
import type { RunContext } from '../core/execution.ts';
import { Contention } from '../locks/contention.ts';

export interface CoverageData {
  states: Record<string, string[]>;
  transitions: Record<string, string[]>;
  totals: Record<string, { states: number; transitions: number }>;
  pairs: string[];
  contention: { mutexes: string[]; cvsMultiWaiter: string[]; rwWriterWaited: string[] };
}

export function emptyCoverage(): CoverageData {
  return { states: {}, transitions: {}, totals: {}, pairs: [], contention: { mutexes: [], cvsMultiWaiter: [], rwWriterWaited: [] } };
}

export function coverageOf(run: RunContext): CoverageData {
  const mc = run.shared.get('machine-coverage') as MachineCoverage | undefined;
  const ct = run.shared.get('contention') as Contention | undefined;
  const out = emptyCoverage();
  if (mc) {
    for (const [id, s] of mc.states) out.states[id] = [...s].sort();
    for (const [id, t] of mc.transitions) out.transitions[id] = [...t].sort();
    for (const [id, m] of mc.machines) out.totals[id] = { states: m.states.length, transitions: m.table.size };
    out.pairs = [...mc.pairs].sort();
  }
  if (ct) out.contention = ct.toJSON();
  return out;
}

function union(a: string[] = [], b: string[] = []): string[] {
  return [...new Set([...a, ...b])].sort();
}

export function mergeCoverage(a: CoverageData, b: CoverageData): CoverageData {
  const out = emptyCoverage();
  for (const id of new Set([...Object.keys(a.states), ...Object.keys(b.states)])) out.states[id] = union(a.states[id], b.states[id]);
  for (const id of new Set([...Object.keys(a.transitions), ...Object.keys(b.transitions)])) out.transitions[id] = union(a.transitions[id], b.transitions[id]);
  out.totals = { ...a.totals, ...b.totals };
  out.pairs = union(a.pairs, b.pairs);
  out.contention = {
    mutexes: union(a.contention.mutexes, b.contention.mutexes),
    cvsMultiWaiter: union(a.contention.cvsMultiWaiter, b.contention.cvsMultiWaiter),
    rwWriterWaited: union(a.contention.rwWriterWaited, b.contention.rwWriterWaited),
  };
  return out;
}

/** Percentage of transitions reached over all machines seen (100 when none). */
export function transitionPercent(c: CoverageData): number {
  let reached = 0;
  let total = 0;
  for (const [id, t] of Object.entries(c.totals)) {
    total += t.transitions;
    reached += (c.transitions[id] ?? []).length;
  }
  return total === 0 ? 100 : (100 * reached) / total;
}

export function formatCoverage(c: CoverageData): string[] {
  const lines: string[] = [];
  const ids = Object.keys(c.totals).sort();
  if (ids.length === 0) lines.push('  machines: none in this scenario');
  for (const id of ids) {
    const t = c.totals[id]!;
    lines.push(`  machine ${id}: ${(c.states[id] ?? []).length}/${t.states} states, ${(c.transitions[id] ?? []).length}/${t.transitions} transitions`);
  }
  if (ids.length) lines.push(`  transitions overall: ${transitionPercent(c).toFixed(1)}%; state pairs seen together: ${c.pairs.length}`);
  const ct = c.contention;
  lines.push(`  contended mutexes: ${ct.mutexes.join(', ') || 'none'}`);
  lines.push(`  cvs with 2+ sleepers: ${ct.cvsMultiWaiter.join(', ') || 'none'}`);
  lines.push(`  rwlocks where a writer waited: ${ct.rwWriterWaited.join(', ') || 'none'}`);
  return lines;
}
