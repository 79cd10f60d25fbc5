/** fast-check arbitraries shared by the properties. */
import fc from 'fast-check';

/** A schedule: any list of numbers is one (see ChoiceListStrategy); it shrinks with the list. */
export function scheduleArb(maxLength = 400): fc.Arbitrary<number[]> {
  return fc.array(fc.nat({ max: 1000 }), { maxLength });
}
