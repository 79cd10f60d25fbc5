/**
 * taskq_t with a fixed number of worker threads (daemons). taskq_dispatch
 * queues a job and never blocks; with TQ_NOSLEEP it may fail (returns
 * false, the C code's taskqid 0) as a recorded choice when the scenario
 * allows allocation failures. A worker picking up a job is a scheduling
 * point; at most `nthreads` jobs run at once.
 */
import { Effect, type KThread } from '../core/effect.ts';
import { ModelFailure } from '../core/errors.ts';
import type { Execution, Thread } from '../core/execution.ts';
import { LockCode } from './codes.ts';
import { opaqueToGuard } from '../core/guard.ts';

export interface TaskqJob {
  name: string;
  body: () => KThread;
}

export class KTaskq {
  /** The engine object of the taskq: every dispatch and pick-up accesses it. */
  readonly id: number;
  /** Queued jobs, oldest first: taskq_dispatch appends, a worker's pick-up step removes. */
  readonly queue: TaskqJob[] = [];
  /** Jobs running now (never above nthreads): raised by the pick-up step, lowered when the job's body returns. */
  running = 0;
  /** Jobs finished so far (ghost, for end checks); raised with `running` lowered. */
  completed = 0;
  constructor(
    ex: Execution,
    readonly name: string,
    readonly nthreads: number,
  ) {
    this.id = ex.newObject(name, 'taskq');
    ex.registerStateful(this);
    for (let i = 0; i < nthreads; i++) ex.spawn(`${name}/${i}`, worker(ex, this), true);
  }
  /** State for state caching (see Execution.stateKey). */
  stateKey(): string {
    return `tq${this.queue.map((j) => j.name).join('.')}/${this.running}/${this.completed}`;
  }
}
opaqueToGuard(KTaskq.prototype);

class TaskqTake extends Effect<TaskqJob> {
  readonly code = LockCode.taskqTake;
  readonly sched = true;
  readonly obj: number;
  constructor(readonly tq: KTaskq) {
    super();
    this.obj = tq.id;
  }
  override enabled(): boolean {
    return this.tq.queue.length > 0;
  }
  perform(ex: Execution): TaskqJob {
    ex.touch(this.tq.id, true);
    this.tq.running++;
    return this.tq.queue.shift()!;
  }
  describe(): string {
    return `taskq ${this.tq.name} takes ${this.tq.queue[0]?.name ?? 'a job'}`;
  }
}

function* worker(ex: Execution, tq: KTaskq): KThread<void> {
  // The job running, by name (a job's name says what its closure captured).
  let job: TaskqJob | null = null;
  const fr = ex.frame('taskq_thread', () => [job === null ? null : job.name]);
  for (;;) {
    job = yield* new TaskqTake(tq);
    const t: Thread = ex.currentThread();
    yield* job.body();
    // Frames a job's body left behind end with the job.
    ex.leave(fr + 1);
    if (t.held.length > 0) {
      throw new ModelFailure('lock-discipline', 'lock-discipline', `taskq job ${job.name} returned holding ${t.held.map((h) => h.name).join(', ')}`);
    }
    job = null;
    tq.running--;
    tq.completed++;
  }
}

class TaskqDispatch extends Effect<boolean> {
  readonly code = LockCode.taskqDispatch;
  readonly sched = false;
  readonly obj: number;
  constructor(
    readonly tq: KTaskq,
    readonly job: TaskqJob,
    readonly flags: 'TQ_SLEEP' | 'TQ_NOSLEEP',
  ) {
    super();
    this.obj = tq.id;
  }
  perform(ex: Execution): boolean {
    if (this.flags === 'TQ_NOSLEEP' && ex.options.allocFail && ex.choose(2, `taskq_dispatch(${this.tq.name}, TQ_NOSLEEP) fails`) === 1) return false;
    this.tq.queue.push(this.job);
    ex.touch(this.tq.id, true);
    return true;
  }
  describe(): string {
    return `taskq_dispatch(${this.tq.name}, ${this.job.name}, ${this.flags})`;
  }
}

/** taskq_dispatch(tq, func, arg, flags): false when a TQ_NOSLEEP dispatch fails. */
export function taskqDispatch(tq: KTaskq, name: string, body: () => KThread, flags: 'TQ_SLEEP' | 'TQ_NOSLEEP' = 'TQ_SLEEP', site?: string): TaskqDispatch {
  const e = new TaskqDispatch(tq, { name, body }, flags);
  e.site = site;
  return e;
}
