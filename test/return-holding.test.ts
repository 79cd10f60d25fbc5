/** A thread that returns holding a lock: lock-discipline by default, the C behaviour (a deadlock later) on request. */
import { describe, expect, it } from 'vitest';
import { explore } from '../src/core/runner.ts';
import { defineScenario, type Scenario } from '../src/core/scenario.ts';
import { DfsStrategy } from '../src/core/strategies/dfs.ts';
import { KMutex, mutexEnter, mutexExit } from '../src/locks/kmutex.ts';

function forgetful(mode: 'fail' | 'keep' | undefined): Scenario<{ lock: KMutex }> {
  return defineScenario({
    name: `forgetful-${mode ?? 'default'}`,
    description: 'T1 returns without mutex_exit; T2 wants the lock',
    system: 'test',
    threads: 2,
    returnHoldingLocks: mode,
    setup(ex) {
      const s = { lock: new KMutex(ex, 'lock') };
      ex.spawn('T1', (function* () {
        yield* mutexEnter(s.lock);
      })());
      ex.spawn('T2', (function* () {
        yield* mutexEnter(s.lock);
        yield* mutexExit(s.lock);
      })());
      return s;
    },
  });
}

describe('returning with a lock held', () => {
  it('is a lock-discipline failure by default', () => {
    for (const mode of [undefined, 'fail'] as const) {
      const r = explore(forgetful(mode), new DfsStrategy({ dpor: true }));
      expect(r.failure?.failure.kind).toBe('lock-discipline');
      expect(r.failure?.failure.message).toBe('thread T1 returned holding lock');
    }
  });
  it("with returnHoldingLocks: 'keep' the lock stays held and T2 deadlocks, as in C; the other order passes", () => {
    const r = explore(forgetful('keep'), new DfsStrategy({ dpor: true }), { keepGoing: true });
    expect(r.complete).toBe(true);
    expect(r.failures).toBe(1); // T1 first: T2 waits forever; T2 first: both finish
    expect(r.schedules).toBe(2);
    expect(r.failure?.failure.kind).toBe('deadlock');
    expect(r.failure?.failure.details.join('\n')).toMatch(/T2.*lock/);
  });
});
