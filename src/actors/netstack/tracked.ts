/**
 * The netstack_g_lock-protected structures, with footprints: every read and
 * write of a field goes through an accessor that records it in the running
 * step's footprint (Execution.touch; nothing outside a step). This is what
 * lets DPOR commute critical sections of netstack_g_lock (see types.ts).
 * Accessors on class prototypes keep the per-access cost to a call and a push.
 */
import type { Execution } from '../../core/execution.ts';
import type { KCondvar } from '../../locks/kcondvar.ts';
import type { KMem } from '../../locks/kmem.ts';
import type { KMutex } from '../../locks/kmutex.ts';
import type { MachineRef } from '../machine.ts';
import type { CreateFn, FiniFn, ModuleInstance, Netstack, NmState, Registry } from './types.ts';

/** ns_reg[m]: every field touches `obj`. */
export class TrackedRegistry implements Registry {
  private f = 0;
  private c: CreateFn | null = null;
  private s: FiniFn | null = null;
  private d: FiniFn | null = null;
  private e = 0;
  constructor(
    private readonly ex: Execution,
    readonly obj: number,
  ) {}
  get flags(): number {
    this.ex.touch(this.obj, false);
    return this.f;
  }
  set flags(v: number) {
    this.ex.touch(this.obj, true);
    this.f = v;
  }
  get create(): CreateFn | null {
    this.ex.touch(this.obj, false);
    return this.c;
  }
  set create(v: CreateFn | null) {
    this.ex.touch(this.obj, true);
    this.c = v;
  }
  get shutdown(): FiniFn | null {
    this.ex.touch(this.obj, false);
    return this.s;
  }
  set shutdown(v: FiniFn | null) {
    this.ex.touch(this.obj, true);
    this.s = v;
  }
  get destroy(): FiniFn | null {
    this.ex.touch(this.obj, false);
    return this.d;
  }
  set destroy(v: FiniFn | null) {
    this.ex.touch(this.obj, true);
    this.d = v;
  }
  get epoch(): number {
    this.ex.touch(this.obj, false);
    return this.e;
  }
  set epoch(v: number) {
    this.ex.touch(this.obj, true);
    this.e = v;
  }
}

/** nm_state_t: nms_flags touches flagsObj. */
export class TrackedNmState implements NmState {
  private f = 0;
  constructor(
    private readonly ex: Execution,
    readonly flagsObj: number,
    readonly cv: KCondvar,
    readonly machine: MachineRef,
    readonly obj: number,
  ) {}
  get flags(): number {
    this.ex.touch(this.flagsObj, false);
    return this.f;
  }
  set flags(v: number) {
    this.ex.touch(this.flagsObj, true);
    this.f = v;
  }
}

/** netstack_t, zeroed as kmem_zalloc leaves it; netstack_next touches the list's ghost object. */
export class TrackedNetstack implements Netstack {
  stackid = 0;
  numzones = 0;
  refcnt = 0;
  flags = 0;
  readonly modules: (ModuleInstance | null)[] = [];
  readonly mstate: NmState[] = [];
  waiters = 0;
  reaps = 0;
  lastReleased = false;
  readonly zones: number[] = [];
  private nx: Netstack | null = null;
  private cr = -1;
  private td = false;
  /** Ghost object of the creator / torn-down ghosts (the spec monitor reads them without netstack_lock). */
  readonly phaseObj: number;
  constructor(
    private readonly ex: Execution,
    private readonly listObj: number,
    readonly name: string,
    readonly mem: KMem,
    readonly lock: KMutex,
    readonly cv: KCondvar,
    readonly machine: MachineRef,
  ) {
    this.phaseObj = ex.newObject(`${name} (ghost phase)`, 'ghost');
  }
  get creator(): number {
    this.ex.touch(this.phaseObj, false);
    return this.cr;
  }
  set creator(v: number) {
    this.ex.touch(this.phaseObj, true);
    this.cr = v;
  }
  get tornDown(): boolean {
    this.ex.touch(this.phaseObj, false);
    return this.td;
  }
  set tornDown(v: boolean) {
    this.ex.touch(this.phaseObj, true);
    this.td = v;
  }
  get next(): Netstack | null {
    this.ex.touch(this.listObj, false);
    return this.nx;
  }
  set next(v: Netstack | null) {
    this.ex.touch(this.listObj, true);
    this.nx = v;
  }
}

/** Make `g.head` an accessor that touches g.listObj (once per execution, at netstack_init). */
export function trackHead(ex: Execution, g: { listObj: number; head: Netstack | null }): void {
  let head: Netstack | null = null;
  Object.defineProperty(g, 'head', {
    get: () => {
      ex.touch(g.listObj, false);
      return head;
    },
    set: (v: Netstack | null) => {
      ex.touch(g.listObj, true);
      head = v;
    },
    enumerable: true,
  });
}
