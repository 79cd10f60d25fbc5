/** Unit behaviour of the primitives that the laws do not cover: timers, allocation failure, mailboxes, joins, rwlock upgrades. */
import { describe, expect, it } from 'vitest';
import type { KThread } from '../src/core/effect.ts';
import { kassert } from '../src/core/errors.ts';
import { join, preempt, receive, send, spawn } from '../src/core/ops.ts';
import { explore } from '../src/core/runner.ts';
import { findScenario } from '../src/scenarios/registry.ts';
import { defineScenario, type Scenario } from '../src/core/scenario.ts';
import { DfsStrategy } from '../src/core/strategies/dfs.ts';
import { timeout, untimeout, type Callout } from '../src/locks/callout.ts';
import { KCondvar, cvTimedwait } from '../src/locks/kcondvar.ts';
import { kmemAllocNosleep, kmemAllocNosleepAll } from '../src/locks/kmem.ts';
import { KMutex, mutexEnter, mutexExit, mutexTryEnter } from '../src/locks/kmutex.ts';
import { KRwlock, rwDowngrade, rwEnter, rwExit, rwTryUpgrade } from '../src/locks/krwlock.ts';
import { KTaskq, taskqDispatch } from '../src/locks/taskq.ts';

/** Every outcome (terminal state key or failure) over all interleavings. */
function outcomes<S>(sc: Scenario<S>, key: (s: S) => string): Set<string> {
  const out = new Set<string>();
  const r = explore(sc as Scenario<any>, new DfsStrategy({ dpor: false }), {
    keepGoing: true,
    onExecution: (ex, res) => out.add(res.failure ? `FAIL ${res.failure.spec}: ${res.failure.message}` : key(ex.state as S)),
  });
  expect(r.complete).toBe(true);
  return out;
}

describe('timeout/untimeout on the virtual clock', () => {
  it('untimeout of a pending callout cancels it; of a running one waits for it; the callback never runs after untimeout returns', () => {
    const sc = defineScenario({
      name: 't',
      description: '',
      system: 'test',
      threads: 1,
      setup(ex) {
        const s = { ran: 0, after: false, co: null as Callout | null, now: -1 };
        ex.spawn('owner', (function* (): KThread<void> {
          s.co = yield* timeout('tick', function* () {
            kassert(!s.after, 'callback after untimeout returned');
            s.ran++;
            s.now = ex.now;
          }, 10);
          yield* untimeout(s.co);
          s.after = true;
        })());
        return s;
      },
    });
    const o = outcomes(sc, (s) => `ran=${s.ran} now=${s.now}`);
    expect(o).toEqual(new Set(['ran=0 now=-1', 'ran=1 now=10']));
  });

  it('timers fire in deadline order and cv_timedwait times out on the virtual clock', () => {
    const sc = defineScenario({
      name: 't2',
      description: '',
      system: 'test',
      threads: 1,
      setup(ex) {
        const s = { order: [] as string[], m: new KMutex(ex, 'm'), cv: new KCondvar(ex, 'cv'), rv: 0 };
        ex.spawn('T', (function* (): KThread<void> {
          yield* timeout('late', function* () {
            s.order.push(`late@${ex.now}`);
          }, 20);
          yield* timeout('early', function* () {
            s.order.push(`early@${ex.now}`);
          }, 5);
          yield* mutexEnter(s.m);
          s.rv = yield* cvTimedwait(s.cv, s.m, 12);
          s.order.push(`timedout@${ex.now}`);
          yield* mutexExit(s.m);
        })());
        return s;
      },
    });
    const o = outcomes(sc, (s) => `${s.order.join(',')} rv=${s.rv}`);
    // The wait's deadline is now + 12 when it goes to sleep: the timers that
    // fired before that moved the clock. Time never goes backwards.
    expect(o).toEqual(new Set(['early@5,timedout@12,late@20 rv=-1', 'early@5,timedout@17,late@20 rv=-1', 'early@5,late@20,timedout@32 rv=-1']));
  });
});

describe('allocation and dispatch failures are recorded choices', () => {
  it('KM_NOSLEEP fails only when the scenario allows it, and then in some executions', () => {
    const mk = (allocFail: boolean) =>
      defineScenario({
        name: 'a',
        description: '',
        system: 'test',
        threads: 1,
        allocFail,
        setup(ex) {
          const s = { ok: [] as boolean[], tq: new KTaskq(ex, 'tq', 1) };
          ex.spawn('T', (function* (): KThread<void> {
            s.ok.push(yield* kmemAllocNosleep('buf'));
            s.ok.push(yield* taskqDispatch(s.tq, 'job', function* () {}, 'TQ_NOSLEEP'));
          })());
          return s;
        },
      });
    expect(outcomes(mk(false), (s) => s.ok.join(','))).toEqual(new Set(['true,true']));
    expect(outcomes(mk(true), (s) => s.ok.join(','))).toEqual(new Set(['true,true', 'true,false', 'false,true', 'false,false']));
  });

  it('allocations tested together are one choice: all succeed, or the group fails', () => {
    const sc = defineScenario({
      name: 'a2',
      description: '',
      system: 'test',
      threads: 1,
      allocFail: true,
      setup(ex) {
        const s = { ok: [] as boolean[] };
        ex.spawn('T', (function* (): KThread<void> {
          s.ok.push(yield* kmemAllocNosleepAll(['up', 'down']));
        })());
        return s;
      },
    });
    let executions = 0;
    explore(sc, new DfsStrategy({ dpor: false }), { onExecution: () => executions++ });
    expect(outcomes(sc, (s) => s.ok.join(','))).toEqual(new Set(['true', 'false']));
    // Two executions, not one per combination of the two allocations.
    expect(executions).toBe(2);
  });
});

describe('threads and mailboxes', () => {
  it('spawn, join returns the result, send/receive deliver in order', () => {
    const sc = defineScenario({
      name: 'mb',
      description: '',
      system: 'test',
      threads: 1,
      setup(ex) {
        const s = { got: [] as unknown[], joined: 0 as unknown };
        ex.spawn('parent', (function* (): KThread<void> {
          const child = yield* spawn('child', (function* (): KThread<number> {
            s.got.push(yield* receive());
            s.got.push(yield* receive());
            return 42;
          })());
          yield* send(ex, child, 'a');
          yield* send(ex, child, 'b');
          s.joined = yield* join(ex, child);
        })());
        return s;
      },
    });
    expect(outcomes(sc, (s) => `${s.got.join('')} ${String(s.joined)}`)).toEqual(new Set(['ab 42']));
  });
});

describe('krwlock upgrade and downgrade; mutex_tryenter', () => {
  it('rw_tryupgrade succeeds only for the sole reader; downgrade lets readers in', () => {
    const sc = defineScenario({
      name: 'rw',
      description: '',
      system: 'test',
      threads: 2,
      setup(ex) {
        const s = { l: new KRwlock(ex, 'l'), up: [] as boolean[] };
        for (const n of ['A', 'B'])
          ex.spawn(n, (function* (): KThread<void> {
            yield* rwEnter(s.l, 'RW_READER');
            const ok = yield* rwTryUpgrade(s.l);
            s.up.push(ok);
            if (ok) yield* rwDowngrade(s.l);
            yield* rwExit(s.l);
          })());
        return s;
      },
    });
    const o = outcomes(sc, (s) => s.up.map(String).sort().join(','));
    expect(o.has('true,true')).toBe(true); // one after the other
    expect(o.has('false,true')).toBe(true); // both readers at once: the first to try fails
    for (const x of o) expect(x.startsWith('FAIL')).toBe(false);
  });

  it('mutex_tryenter fails while held and never blocks', () => {
    const sc = defineScenario({
      name: 'try',
      description: '',
      system: 'test',
      threads: 2,
      setup(ex) {
        const s = { m: new KMutex(ex, 'm'), got: [] as boolean[] };
        for (const n of ['A', 'B'])
          ex.spawn(n, (function* (): KThread<void> {
            const ok = yield* mutexTryEnter(s.m);
            s.got.push(ok);
            if (ok) {
              yield* preempt('holding m');
              yield* mutexExit(s.m);
            }
          })());
        return s;
      },
    });
    expect(outcomes(sc, (s) => s.got.map(String).sort().join(','))).toEqual(new Set(['true,true', 'false,true']));
  });

  it('mutex_exit by a non-owner and recursive mutex_enter are failures', () => {
    const sc = defineScenario({
      name: 'bad',
      description: '',
      system: 'test',
      threads: 1,
      setup(ex) {
        const m = new KMutex(ex, 'm');
        ex.spawn('A', (function* (): KThread<void> {
          yield* mutexEnter(m);
          yield* mutexEnter(m);
        })());
        return {};
      },
    });
    const o = outcomes(sc, () => 'ok');
    expect([...o][0]).toMatch(/recursive mutex_enter\(m\) by A/);
  });
});

describe('spurious wake-ups', () => {
  it('spurious: n allows n per thread: each more is more schedules, every one passes the gate', () => {
    const gate = findScenario('tb-gate')!;
    const counts = [false, true, 2].map((spurious) => {
      const r = explore({ ...gate, spurious }, new DfsStrategy({ dpor: true }));
      expect([r.verdict, r.complete], String(spurious)).toEqual(['pass', true]);
      return r.schedules;
    });
    expect(counts[0]).toBeLessThan(counts[1]!);
    expect(counts[1]).toBeLessThan(counts[2]!);
  });
});

describe('exitWith', () => {
  function program(exitWith: string) {
    return defineScenario<{ m: KMutex; out: string[] }>({
      name: 'exit-with',
      description: 'main returns while a worker waits on a mutex main never releases',
      system: 'test',
      threads: 2,
      returnHoldingLocks: 'keep',
      exitWith,
      setup(ex) {
        const s = { m: new KMutex(ex, 'm'), out: [] as string[] };
        ex.spawn('main', (function* (): KThread<void> {
          yield* mutexEnter(s.m);
          s.out.push('main');
        })());
        ex.spawn('worker', (function* (): KThread<void> {
          yield* mutexEnter(s.m);
          s.out.push('worker');
          yield* mutexExit(s.m);
        })());
        return s;
      },
      endChecks: [{ name: 'seen', statement: 'main ran', check: (s) => (s.out.includes('main') ? null : 'main did not run') }],
    });
  }
  it("the run ends when main returns: a worker left blocked is abandoned, not a deadlock, and runs before main's exit in some schedule", () => {
    const outs = new Set<string>();
    const r = explore(program('main'), new DfsStrategy({ dpor: true }), { onExecution: (ex, res) => res.pruned || outs.add((ex.state as { out: string[] }).out.join(',')) });
    expect([r.verdict, r.complete]).toEqual(['pass', true]);
    expect([...outs].sort()).toEqual(['main', 'worker,main']);
  });
  it('a name that setup did not spawn is a model error', () => {
    const r = explore(program('mian'), new DfsStrategy({ dpor: true }));
    expect(r.failure?.failure.message).toBe("model threw Error: exitWith names 'mian', which setup did not spawn (it spawned: main, worker)");
  });
});
