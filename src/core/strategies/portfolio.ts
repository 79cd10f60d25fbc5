/**
 * Portfolio: rotates executions among several strategies (Coyote's
 * portfolio idea), so one run gets exhaustive coverage where it is cheap and
 * random/PCT depth where it is not. Exhaustive when it contains an
 * exhaustive member: complete once that member completes.
 */
import type { Chooser, Execution, ExecResult } from '../execution.ts';
import type { OpenBranch, Strategy } from '../strategy.ts';

export class PortfolioStrategy implements Strategy {
  readonly name: string;
  private turn = 0;
  private last: Strategy | null = null;
  constructor(readonly members: Strategy[]) {
    this.name = `portfolio(${members.map((m) => m.name).join(',')})`;
  }
  get exhaustive(): boolean {
    return this.members.some((m) => m.exhaustive);
  }
  get complete(): boolean {
    return this.members.some((m) => m.exhaustive && m.complete);
  }
  next(): Chooser | null {
    if (this.complete) return null;
    for (let k = 0; k < this.members.length; k++) {
      const m = this.members[this.turn++ % this.members.length]!;
      const c = m.next();
      if (c) {
        this.last = m;
        return c;
      }
    }
    return null;
  }
  /** The open branches of the exhaustive member. */
  openBranches(limit?: number): OpenBranch[] {
    const m = this.members.find((x) => x.exhaustive && x.openBranches);
    return m ? m.openBranches!(limit) : [];
  }
  finished(ex: Execution, res: ExecResult): void {
    this.last?.finished(ex, res);
  }
}
