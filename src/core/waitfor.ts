/**
 * Deadlock reporting: for every blocked thread, its pending effect and the
 * threads it waits for; a wait-for cycle if there is one.
 */
import type { Execution, Thread } from './execution.ts';

export function waitForReport(ex: Execution, blocked: Thread[]): { details: string[]; cycle: string | null } {
  const details: string[] = [];
  const edges = new Map<number, number[]>();
  for (const t of blocked) {
    const eff = t.pending;
    if (!eff) continue;
    const by = eff.blockers(ex, t);
    edges.set(t.id, by);
    const held = t.held.length ? `; holds ${t.held.map((h) => h.name).join(', ')}` : '';
    const who = by.length ? `; waits for ${by.map((b) => ex.thread(b).name).join(', ')}` : '';
    const site = eff.site ? ` at ${eff.site}` : '';
    details.push(`${t.name}${t.daemon ? ' (daemon)' : ''} blocked in ${eff.describe(ex)}${site}${held}${who}`);
  }
  // Find a cycle by following edges from each blocked thread.
  for (const start of edges.keys()) {
    const path: number[] = [];
    const seen = new Map<number, number>();
    let cur: number | undefined = start;
    while (cur !== undefined && !seen.has(cur)) {
      seen.set(cur, path.length);
      path.push(cur);
      cur = edges.get(cur)?.[0];
    }
    if (cur !== undefined) {
      const cyc = path.slice(seen.get(cur)!).concat([cur]);
      return { details, cycle: cyc.map((i) => ex.thread(i).name).join(' -> ') };
    }
  }
  return { details, cycle: null };
}
