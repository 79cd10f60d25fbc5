/**
 * xstate machines as transition tables.
 *
 * Kernel object lifecycles are written as xstate v5 machines (setup().
 * createMachine()), the readable source of truth, then compiled once into a
 * table (state x event -> state) by walking xstate's pure `transition()`
 * from the initial state over every event. The exploration hot path only
 * does table look-ups; test/machine.test.ts checks the table against xstate.
 *
 * Restriction: machines must be finite and context-free (no guards reading
 * context, no assign), so that the table is exact. An event the current
 * state does not accept is a model failure, never a silent no-op.
 */
import { type AnyStateMachine, initialTransition, transition } from 'xstate';
import { ModelFailure } from '../core/errors.ts';
import type { RunContext } from '../core/execution.ts';

export interface CompiledMachine {
  id: string;
  initial: string;
  states: string[];
  events: string[];
  /** key `${state}|${event}` -> next state */
  table: Map<string, string>;
  /** The same table for the hot path: state -> event -> [next state, transition index]. */
  next: Map<string, Map<string, readonly [string, number]>>;
  /** Transition index -> `${state}|${event}` (the table's keys, in table order). */
  transitionNames: string[];
  /** The xstate machine, for export and equivalence tests. */
  machine: AnyStateMachine;
}

function stateKey(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function compileMachine(machine: AnyStateMachine): CompiledMachine {
  const events = [...(machine.events as string[])].filter((e) => !e.startsWith('xstate.')).sort();
  const [init] = initialTransition(machine);
  const initial = stateKey(init.value);
  const snaps = new Map<string, typeof init>([[initial, init]]);
  const queue = [initial];
  const table = new Map<string, string>();
  while (queue.length > 0) {
    const k = queue.shift()!;
    const s = snaps.get(k)!;
    for (const ev of events) {
      if (!s.can({ type: ev })) continue;
      const [n] = transition(machine, s, { type: ev });
      const nk = stateKey(n.value);
      table.set(`${k}|${ev}`, nk);
      if (!snaps.has(nk)) {
        snaps.set(nk, n);
        queue.push(nk);
      }
    }
  }
  const next = new Map<string, Map<string, readonly [string, number]>>();
  const transitionNames = [...table.keys()];
  transitionNames.forEach((key, i) => {
    const bar = key.lastIndexOf('|');
    const from = key.slice(0, bar);
    let m = next.get(from);
    if (!m) next.set(from, (m = new Map()));
    m.set(key.slice(bar + 1), [table.get(key)!, i]);
  });
  return { id: machine.id, initial, states: [...snaps.keys()], events, table, next, transitionNames, machine };
}

/**
 * Per-run coverage of machine states and transitions, and of pairs of
 * object states seen at the same time. Recorded on every transition of
 * every execution, so it keeps small integer codes (a machine's states and
 * transitions are numbered from a per-machine base) and makes strings only
 * when read.
 */
export class MachineCoverage {
  /** Compiled machines seen, for totals. */
  readonly machines = new Map<string, CompiledMachine>();
  /** Per machine: the code of its first state and of its first transition. */
  private readonly base = new Map<CompiledMachine, { state: number; transition: number; stateIdx: Map<string, number> }>();
  /** Code -> `${machine id}:${state}`, and code -> [machine id, `${state}|${event}`]. */
  private readonly stateNames: [string, string][] = [];
  private readonly transitionNames: [string, string][] = [];
  private readonly seenStates = new Set<number>();
  private readonly seenTransitions = new Set<number>();
  private readonly seenPairs = new Set<number>();
  private live: MachineRef[] = [];
  private execution = -1;
  constructor(private readonly run: RunContext | null = null) {}
  static of(run: RunContext): MachineCoverage {
    let c = run.shared.get('machine-coverage') as MachineCoverage | undefined;
    if (!c) run.shared.set('machine-coverage', (c = new MachineCoverage(run)));
    return c;
  }
  private baseOf(m: CompiledMachine): { state: number; transition: number; stateIdx: Map<string, number> } {
    let b = this.base.get(m);
    if (!b) {
      b = { state: this.stateNames.length, transition: this.transitionNames.length, stateIdx: new Map(m.states.map((st, i) => [st, i])) };
      this.base.set(m, b);
      this.machines.set(m.id, m);
      for (const st of m.states) this.stateNames.push([m.id, st]);
      for (const t of m.transitionNames) this.transitionNames.push([m.id, t]);
    }
    return b;
  }
  /** The code of state `state` of machine m. */
  stateCode(m: CompiledMachine, state: string): number {
    const b = this.baseOf(m);
    return b.state + b.stateIdx.get(state)!;
  }
  /** A new instance exists in the current execution. */
  track(ref: MachineRef): void {
    const ex = this.run ? this.run.currentExecution : 0;
    if (ex !== this.execution) {
      this.execution = ex;
      this.live = [];
    }
    this.live.push(ref);
    this.seenStates.add(ref.code);
    this.notePairs(ref);
  }
  private notePairs(ref: MachineRef): void {
    const a = ref.code;
    for (const o of this.live) {
      if (o === ref) continue;
      const b = o.code;
      this.seenPairs.add(a < b ? a * PAIR + b : b * PAIR + a);
    }
  }
  /** ref went from state code `from` to its current state by transition `t` of its machine. */
  note(ref: MachineRef, from: number, t: number): void {
    this.notePairs(ref);
    this.seenStates.add(from);
    this.seenStates.add(ref.code);
    this.seenTransitions.add(this.baseOf(ref.m).transition + t);
  }
  /** Machine id -> states reached. */
  get states(): Map<string, Set<string>> {
    const out = new Map<string, Set<string>>();
    for (const c of this.seenStates) {
      const [id, st] = this.stateNames[c]!;
      let s = out.get(id);
      if (!s) out.set(id, (s = new Set()));
      s.add(st);
    }
    return out;
  }
  /** Machine id -> transitions taken, as `${state}|${event}`. */
  get transitions(): Map<string, Set<string>> {
    const out = new Map<string, Set<string>>();
    for (const c of this.seenTransitions) {
      const [id, t] = this.transitionNames[c]!;
      let s = out.get(id);
      if (!s) out.set(id, (s = new Set()));
      s.add(t);
    }
    return out;
  }
  /** Pairs of states of two different objects seen at the same time: 'a:S1 | b:S2'. */
  get pairs(): Set<string> {
    const out = new Set<string>();
    const name = (c: number) => `${this.stateNames[c]![0]}:${this.stateNames[c]![1]}`;
    for (const k of this.seenPairs) {
      const a = name(Math.floor(k / PAIR));
      const b = name(k % PAIR);
      out.add(a < b ? `${a} | ${b}` : `${b} | ${a}`);
    }
    return out;
  }
}

/** Pair key: lower code * PAIR + higher code (codes stay far below 2^20). */
const PAIR = 1 << 20;

/**
 * One instance of a compiled machine (one netstack_t, one nm_state).
 * `send` applies an event or fails the execution naming the object.
 */
export class MachineRef {
  state: string;
  /** Coverage code of `state` (-1 without coverage). */
  code = -1;
  constructor(
    readonly m: CompiledMachine,
    readonly name: string,
    private readonly coverage: MachineCoverage | null = null,
  ) {
    this.state = m.initial;
    if (this.coverage) {
      this.code = this.coverage.stateCode(m, this.state);
      this.coverage.track(this);
    }
  }
  can(ev: string): boolean {
    return this.m.next.get(this.state)?.has(ev) ?? false;
  }
  send(ev: string): string {
    const tr = this.m.next.get(this.state)?.get(ev);
    if (tr === undefined) {
      throw new ModelFailure('assert', `machine:${this.m.id}`, `${this.name}: event ${ev} not accepted in state ${this.state}`);
    }
    this.state = tr[0];
    if (this.coverage) {
      const from = this.code;
      this.code = this.coverage.stateCode(this.m, this.state);
      this.coverage.note(this, from, tr[1]);
    }
    return tr[0];
  }
}
