/**
 * Replay one recorded schedule bit-exactly. A thread choice that names a
 * thread which is not enabled, or a schedule that runs out, is a divergence
 * ("step N: expected ..., got ...").
 */
import { ModelFailure } from '../errors.ts';
import type { Chooser, Execution } from '../execution.ts';
import type { Strategy } from '../strategy.ts';

export class ReplayStrategy implements Strategy {
  readonly name = 'replay';
  readonly exhaustive = false;
  private used = false;
  constructor(
    readonly schedule: readonly number[],
    /** Optional per-step signatures to detect a changed model. */
    readonly sigs: readonly number[] | null = null,
  ) {}
  get complete(): boolean {
    return this.used;
  }
  next(): Chooser | null {
    if (this.used) return null;
    this.used = true;
    let pos = 0;
    const sched = this.schedule;
    const sigs = this.sigs;
    let checked = 0;
    const checkSigs = (ex: Execution) => {
      if (!sigs) return;
      for (; checked < ex.sigs.length && checked < sigs.length; checked++) {
        if (ex.sigs[checked] !== sigs[checked]) {
          const rec = ex.trace?.[checked];
          const got = rec ? `${ex.thread(rec.tid).name} ${rec.effects[0]!.describe(ex)}` : 'a different step';
          throw new ModelFailure(
            'divergence',
            'replay',
            `step ${checked}: expected the recorded step (signature ${sigs[checked]}), got ${got}; the model or scenario changed since the token was made`,
          );
        }
      }
    };
    return {
      pickThread: (ex: Execution, enabled: readonly number[]) => {
        checkSigs(ex);
        if (pos >= sched.length) {
          throw new ModelFailure('divergence', 'replay', `step ${ex.stepIndex}: expected the schedule to end here, got more enabled threads (${enabled.map((t) => ex.thread(t).name).join(', ')})`);
        }
        const tid = sched[pos++]!;
        const i = enabled.indexOf(tid);
        if (i < 0) {
          const name = tid < ex.threads.length ? ex.thread(tid).name : `thread ${tid}`;
          throw new ModelFailure(
            'divergence',
            'replay',
            `step ${ex.stepIndex}: expected ${name} to be enabled, got ${enabled.map((t) => ex.thread(t).name).join(', ')}`,
          );
        }
        return i;
      },
      pickValue: (ex: Execution, n: number, label: string) => {
        if (pos >= sched.length) throw new ModelFailure('divergence', 'replay', `step ${ex.stepIndex}: expected the schedule to end, got choice '${label}'`);
        const v = sched[pos++]!;
        if (v >= n) throw new ModelFailure('divergence', 'replay', `step ${ex.stepIndex}: expected choice '${label}' < ${n}, got ${v}`);
        return v;
      },
    };
  }
  finished(): void {}
}
