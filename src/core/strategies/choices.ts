/**
 * A schedule given as a list of numbers (each taken modulo the number of
 * options; 0 once the list runs out). Any list is a valid schedule, so a
 * fast-check `fc.array(fc.nat())` is a schedule arbitrary, and shrinking
 * the list shrinks the schedule. `scheduleArb()` in properties/ uses it.
 */
import type { Chooser } from '../execution.ts';
import type { Strategy } from '../strategy.ts';

export function choiceListChooser(list: readonly number[]): Chooser {
  let pos = 0;
  const next = (n: number) => (pos < list.length ? list[pos++]! % n : 0);
  return {
    pickThread: (_ex, enabled) => next(enabled.length),
    pickValue: (_ex, n) => next(n),
  };
}

export class ChoiceListStrategy implements Strategy {
  readonly name = 'choices';
  readonly exhaustive = false;
  private used = false;
  constructor(readonly list: readonly number[]) {}
  get complete(): boolean {
    return this.used;
  }
  next(): Chooser | null {
    if (this.used) return null;
    this.used = true;
    return choiceListChooser(this.list);
  }
  finished(): void {}
}
