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
import { opaqueToGuard } from '../core/guard.ts';
import { constantForStateWalk } from '../core/state-walk.ts';

export interface CompiledMachine {
  id: string;
  initial: string;
  states: string[];
  events: string[];
  /** key `${state}|${event}` -> next state */
  table: Map<string, string>;
  /** The same table for the hot path: state -> event -> [next state, transition index, next state's index in `states`]. */
  next: Map<string, Map<string, readonly [string, number, number]>>;
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
  const states = [...snaps.keys()];
  const next = new Map<string, Map<string, readonly [string, number, number]>>();
  const transitionNames = [...table.keys()];
  transitionNames.forEach((key, i) => {
    const bar = key.lastIndexOf('|');
    const from = key.slice(0, bar);
    let m = next.get(from);
    if (!m) next.set(from, (m = new Map()));
    const to = table.get(key)!;
    m.set(key.slice(bar + 1), [to, i, states.indexOf(to)]);
  });
  // states[0] is the initial state (the walk starts there).
  const compiled = { id: machine.id, initial, states, events, table, next, transitionNames, machine };
  // A table shared by every execution, never model state.
  opaqueToGuard(compiled);
  constantForStateWalk(compiled);
  return compiled;
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
  private readonly base = new Map<CompiledMachine, CoverageBase>();
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
  /** The codes of machine m's states and transitions start here (a MachineRef keeps it). */
  baseOf(m: CompiledMachine): CoverageBase {
    let b = this.base.get(m);
    if (!b) {
      b = { state: this.stateNames.length, transition: this.transitionNames.length };
      this.base.set(m, b);
      this.machines.set(m.id, m);
      for (const st of m.states) this.stateNames.push([m.id, st]);
      for (const t of m.transitionNames) this.transitionNames.push([m.id, t]);
    }
    return b;
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
  /** ref went from state code `from` to its current state by the transition with code `t`. */
  note(ref: MachineRef, from: number, t: number): void {
    this.notePairs(ref);
    this.seenStates.add(from);
    this.seenStates.add(ref.code);
    this.seenTransitions.add(t);
  }
  /** Machine id -> states reached. */
  get states(): Map<string, Set<string>> {
    return byMachine(this.seenStates, this.stateNames);
  }
  /** Machine id -> transitions taken, as `${state}|${event}`. */
  get transitions(): Map<string, Set<string>> {
    return byMachine(this.seenTransitions, this.transitionNames);
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
opaqueToGuard(MachineCoverage.prototype);

/** Pair key: lower code * PAIR + higher code (codes stay far below 2^20). */
const PAIR = 1 << 20;

interface CoverageBase {
  state: number;
  transition: number;
}

/** Codes seen -> machine id -> names, given code -> [machine id, name]. */
function byMachine(codes: Iterable<number>, names: readonly [string, string][]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const c of codes) {
    const [id, name] = names[c]!;
    let s = out.get(id);
    if (!s) out.set(id, (s = new Set()));
    s.add(name);
  }
  return out;
}

/**
 * One instance of a compiled machine (one netstack_t, one nm_state).
 * `send` applies an event or fails the execution naming the object.
 */
export class MachineRef {
  state: string;
  /** Coverage code of `state` (-1 without coverage). */
  code = -1;
  /** Where this machine's codes start in the coverage (null without coverage). */
  private readonly base: CoverageBase | null = null;
  constructor(
    readonly m: CompiledMachine,
    readonly name: string,
    private readonly coverage: MachineCoverage | null = null,
  ) {
    this.state = m.initial;
    if (this.coverage) {
      this.base = this.coverage.baseOf(m);
      this.code = this.base.state; // states[0] is the initial state
      this.coverage.track(this);
    }
  }
  /** State for state caching (core/state-walk.ts): the machine's current state. */
  stateKey(): string {
    return this.state;
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
    if (this.base) {
      const from = this.code;
      this.code = this.base.state + tr[2];
      this.coverage!.note(this, from, this.base.transition + tr[1]);
    }
    return tr[0];
  }
}
opaqueToGuard(MachineRef.prototype);
