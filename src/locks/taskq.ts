/**
 * taskq_t with a fixed number of worker threads (daemons). taskq_dispatch
 * queues a job and never blocks; with TQ_NOSLEEP it may fail (returns
 * false, the C code's taskqid 0) as a recorded choice when the scenario
 * allows allocation failures. A worker picking up a job is a scheduling
 * point; at most `nthreads` jobs run at once.
 *
 * Which idle worker takes a job: the lowest-numbered one (symmetry
 * reduction). Idle workers are interchangeable: each waits in the same
 * place with no job and no lock (a job that returns holding one fails the
 * execution), and nothing a job does depends on which worker runs it but
 * the names the thread gives things (the netstack's ghost invocation names
 * count per thread), so an execution in which worker j takes a job that
 * idle worker i < j could have taken is the execution in which i takes it
 * with the two renamed: the same interleavings of the jobs with the rest,
 * the same verdicts. Letting any idle worker take it would only multiply
 * the schedules and states of every search by the ways to pick (1.5x fewer
 * executions on ns-register-vs-closing-two-reaps, two workers). A worker
 * becoming idle can disable a higher worker's pick-up, so that step writes
 * the taskq's object too (DPOR must see the two as dependent).
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
  /** idle[w]: worker w waits for a job (written by the worker's own steps; what TaskqTake.enabled reads). */
  readonly idle: boolean[] = [];
  /**
   * @param anyIdleWorker the reference semantics: any idle worker may take a
   *   job (no symmetry reduction), for tests that check the reduction
   */
  constructor(
    ex: Execution,
    readonly name: string,
    readonly nthreads: number,
    readonly anyIdleWorker = false,
  ) {
    this.id = ex.newObject(name, 'taskq');
    ex.registerStateful(this);
    for (let i = 0; i < nthreads; i++) {
      // taskq_create's threads wait for work from the start.
      this.idle.push(true);
      ex.spawn(`${name}/${i}`, worker(ex, this, i), true);
    }
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
  constructor(
    readonly tq: KTaskq,
    readonly w: number,
  ) {
    super();
    this.obj = tq.id;
  }
  /** Worker w takes a job when there are more jobs queued than idle workers numbered below it. */
  override enabled(): boolean {
    if (this.tq.anyIdleWorker) return this.tq.queue.length > 0;
    const idle = this.tq.idle;
    let below = 0;
    for (let j = 0; j < this.w; j++) if (idle[j]) below++;
    return this.tq.queue.length > below;
  }
  perform(ex: Execution): TaskqJob {
    this.tq.idle[this.w] = false;
    ex.touch(this.tq.id, true);
    this.tq.running++;
    return this.tq.queue.shift()!;
  }
  describe(): string {
    return `taskq ${this.tq.name} takes ${this.tq.queue[0]?.name ?? 'a job'}`;
  }
}

/** taskq_thread of worker w. */
function* worker(ex: Execution, tq: KTaskq, w: number): KThread<void> {
  // The job running, by name (a job's name says what its closure captured).
  let job: TaskqJob | null = null;
  const fr = ex.frame('taskq_thread', () => [job === null ? null : job.name]);
  for (;;) {
    job = yield* new TaskqTake(tq, w);
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
    // Idle again: this step (the job's last) may disable a higher worker's
    // pick-up, so it writes the taskq's object (the highest worker, or a
    // taskq's only one, disables none).
    tq.idle[w] = true;
    if (w + 1 < tq.nthreads && !tq.anyIdleWorker) ex.touch(tq.id, true);
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
