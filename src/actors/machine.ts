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
  return { id: machine.id, initial, states: [...snaps.keys()], events, table, machine };
}

/** Per-run coverage of machine states and transitions. */
export class MachineCoverage {
  readonly states = new Map<string, Set<string>>();
  readonly transitions = new Map<string, Set<string>>();
  /** Pairs of states of two different objects seen at the same time: 'a:S1 | b:S2'. */
  readonly pairs = new Set<string>();
  /** Compiled machines seen, for totals. */
  readonly machines = new Map<string, CompiledMachine>();
  private live: MachineRef[] = [];
  private execution = -1;
  constructor(private readonly run: RunContext | null = null) {}
  static of(run: RunContext): MachineCoverage {
    let c = run.shared.get('machine-coverage') as MachineCoverage | undefined;
    if (!c) run.shared.set('machine-coverage', (c = new MachineCoverage(run)));
    return c;
  }
  /** A new instance exists in the current execution. */
  track(ref: MachineRef): void {
    const ex = this.run ? this.run.currentExecution : 0;
    if (ex !== this.execution) {
      this.execution = ex;
      this.live = [];
    }
    this.live.push(ref);
    this.machines.set(ref.m.id, ref.m);
    let st = this.states.get(ref.m.id);
    if (!st) this.states.set(ref.m.id, (st = new Set()));
    st.add(ref.state);
    this.notePairs(ref);
  }
  private notePairs(ref: MachineRef): void {
    const a = `${ref.m.id}:${ref.state}`;
    for (const o of this.live) {
      if (o === ref) continue;
      const b = `${o.m.id}:${o.state}`;
      this.pairs.add(a < b ? `${a} | ${b}` : `${b} | ${a}`);
    }
  }
  note(id: string, from: string, ev: string, to: string, ref?: MachineRef): void {
    if (ref) this.notePairs(ref);
    let s = this.states.get(id);
    if (!s) this.states.set(id, (s = new Set()));
    s.add(from);
    s.add(to);
    let t = this.transitions.get(id);
    if (!t) this.transitions.set(id, (t = new Set()));
    t.add(`${from}|${ev}`);
  }
}

/**
 * One instance of a compiled machine (one netstack_t, one nm_state).
 * `send` applies an event or fails the execution naming the object.
 */
export class MachineRef {
  state: string;
  constructor(
    readonly m: CompiledMachine,
    readonly name: string,
    private readonly coverage: MachineCoverage | null = null,
  ) {
    this.state = m.initial;
    this.coverage?.track(this);
  }
  can(ev: string): boolean {
    return this.m.table.has(`${this.state}|${ev}`);
  }
  send(ev: string): string {
    const next = this.m.table.get(`${this.state}|${ev}`);
    if (next === undefined) {
      throw new ModelFailure('assert', `machine:${this.m.id}`, `${this.name}: event ${ev} not accepted in state ${this.state}`);
    }
    const from = this.state;
    this.state = next;
    this.coverage?.note(this.m.id, from, ev, next, this);
    return next;
  }
}
