/**
 * Lock-order graph (witness/lockdep style). Every acquire of lock class B
 * while holding class A adds the edge A -> B; the graph lives for a whole
 * run, across executions. A cycle is a potential deadlock even when no
 * execution deadlocked, and is reported once at the end of the run.
 */
import type { Execution, RunContext } from '../core/execution.ts';
import type { Failure } from '../core/failure.ts';
import { opaqueToGuard } from '../core/guard.ts';

interface EdgeInfo {
  thread: string;
  execution: number;
  step: number;
  /**
   * The schedule and signatures of the execution that first took the edge:
   * that execution's own arrays, complete once it has ended (the witness a
   * report turns into a replay token).
   */
  schedule: readonly number[];
  sigs: readonly number[];
}

export class LockOrderGraph {
  readonly edges = new Map<string, Map<string, EdgeInfo>>();

  static of(run: RunContext): LockOrderGraph {
    let g = run.shared.get('lock-order') as LockOrderGraph | undefined;
    if (!g) {
      g = new LockOrderGraph();
      run.shared.set('lock-order', g);
      const graph = g;
      run.runChecks.set('lock-order', () => graph.cycleFailure());
    }
    return g;
  }

  /** Record that the running thread acquires `cls` while holding the locks `held` (Thread.held). */
  acquireHeld(ex: Execution, held: readonly { readonly cls: string }[], cls: string): void {
    for (let i = 0; i < held.length; i++) this.edge(ex, held[i]!.cls, cls);
  }

  /** Record that the running thread acquires `cls` while holding `heldClasses`. */
  acquire(ex: Execution, heldClasses: readonly string[], cls: string): void {
    for (const a of heldClasses) this.edge(ex, a, cls);
  }

  private edge(ex: Execution, a: string, cls: string): void {
    if (a === cls) return;
    let m = this.edges.get(a);
    if (!m) this.edges.set(a, (m = new Map()));
    if (!m.has(cls)) {
      m.set(cls, { thread: ex.current?.name ?? '?', execution: ex.options.run.currentExecution, step: ex.stepIndex, schedule: ex.scheduleSoFar, sigs: ex.sigsSoFar });
    }
  }

  /** A cycle in the graph, as a list of classes, or null. */
  findCycle(): string[] | null {
    const color = new Map<string, number>();
    const stack: string[] = [];
    const visit = (a: string): string[] | null => {
      color.set(a, 1);
      stack.push(a);
      for (const b of this.edges.get(a)?.keys() ?? []) {
        const c = color.get(b) ?? 0;
        if (c === 1) return stack.slice(stack.indexOf(b)).concat([b]);
        if (c === 0) {
          const r = visit(b);
          if (r) return r;
        }
      }
      stack.pop();
      color.set(a, 2);
      return null;
    };
    for (const a of [...this.edges.keys()].sort()) {
      if ((color.get(a) ?? 0) === 0) {
        const r = visit(a);
        if (r) return r;
      }
    }
    return null;
  }

  cycleFailure(): Failure | null {
    const cyc = this.findCycle();
    if (!cyc) return null;
    const details: string[] = [];
    const witnesses: NonNullable<Failure['witnesses']> = [];
    for (let i = 0; i + 1 < cyc.length; i++) {
      const e = this.edges.get(cyc[i]!)!.get(cyc[i + 1]!)!;
      details.push(`${cyc[i]} -> ${cyc[i + 1]}: ${e.thread} at step ${e.step} of execution ${e.execution}`);
      witnesses.push({ what: `${cyc[i]} -> ${cyc[i + 1]}`, schedule: e.schedule.slice(), sigs: e.sigs.slice() });
    }
    return {
      kind: 'lock-order',
      spec: 'lock-order',
      message: `lock-order cycle ${cyc.join(' -> ')} (potential deadlock)`,
      step: 0,
      thread: null,
      details,
      witnesses,
    };
  }
}
opaqueToGuard(LockOrderGraph.prototype);
