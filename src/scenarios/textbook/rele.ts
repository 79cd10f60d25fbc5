/**
 * Textbook: two holders share a reference-counted object; each uses it
 * under its lock, drops its reference, and the last one frees it. Mutant
 * tb-use-after-rele reads a field after dropping the reference (unlocked):
 * if the other holder dropped the last reference meanwhile and freed the
 * object, that read is a use-after-free.
 *
 * Scheduling points: mutex_enter, the mutant's unlocked read.
 */
import type { KThread } from '../../core/effect.ts';
import type { Execution } from '../../core/execution.ts';
import { defineScenario } from '../../core/scenario.ts';
import { KMem, kmemFree, memAccess } from '../../locks/kmem.ts';
import { KMutex, mutexEnter, mutexExit } from '../../locks/kmutex.ts';
import { KRefcount, refRele } from '../../locks/refcount.ts';
import { tbBug, textbookMutantTable } from './mutants.ts';

interface ObjState {
  mem: KMem;
  lock: KMutex;
  ref: KRefcount;
  /** Protected by lock. */
  uses: number;
}

function* holder(ex: Execution, s: ObjState): KThread<void> {
  yield* mutexEnter(s.lock);
  yield* memAccess(s.mem, 'w', 'uses');
  s.uses++;
  const n = yield* refRele(s.ref);
  // n decides who frees: a generator local the state key must see (the
  // checked hits of stateful DPOR found it missing).
  ex.programPoint(`released, ${n} left`);
  yield* mutexExit(s.lock);
  if (tbBug(ex, 'tb-use-after-rele')) yield* memAccess(s.mem, 'r', 'uses', true);
  if (n === 0) yield* kmemFree(s.mem);
}

export const rele = defineScenario<ObjState>({
  name: 'tb-refcount',
  description: 'two holders release a shared object, the last one frees it (use after release)',
  system: 'textbook',
  threads: 2,
  mutants: textbookMutantTable.pick('tb-use-after-rele'),
  granularity: 'mutex_enter, the mutant unlocked read',
  setup(ex) {
    const mem = new KMem(ex, 'obj');
    const s: ObjState = { mem, lock: new KMutex(ex, 'obj_lock', { mem }), ref: new KRefcount(ex, 'obj_ref', 2), uses: 0 };
    ex.spawn('H1', holder(ex, s));
    ex.spawn('H2', holder(ex, s));
    return s;
  },
  stateHash: (s) => String(s.uses),
  endChecks: [{ name: 'freed-once', statement: 'the object is freed after both uses', check: (s) => (s.mem.freed && s.uses === 2 ? null : `freed=${s.mem.freed} uses=${s.uses}`) }],
});
