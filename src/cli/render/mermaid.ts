/**
 * Mermaid renderings: a failure artefact as a sequenceDiagram (one
 * participant per thread, one self-message per step with its effects and C
 * sites, preemptions and cv wake-ups as notes and arrows, the violated spec
 * as the final note), and a compiled xstate machine as a stateDiagram-v2.
 *
 * Every piece of artefact text goes through `mermaidText`, which replaces
 * the characters Mermaid's grammar reacts to with its `#NN;` entity codes,
 * so a hostile string can neither end a statement nor inject markup.
 */
import type { CompiledMachine } from '../../actors/machine.ts';
import { artefactThreads, cvOf, effectKind, type RenderArtefact } from './html.ts';

/** Text safe inside a Mermaid label, message or note (one line). */
export function mermaidText(s: unknown): string {
  return String(s)
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/[#;:<>&"'`{}[\]|\\%]/g, (c) => `#${c.charCodeAt(0)};`);
}

/** Same, but `:` kept (allowed after the first colon of a message or note). */
function msg(s: unknown): string {
  return mermaidText(s).replace(/#58;/g, ':');
}

export function mermaidSequence(a: RenderArtefact): string {
  const threads = artefactThreads(a);
  const id = new Map(threads.map((t, i) => [t, `t${i}`]));
  const f = a.failure;
  const out: string[] = ['sequenceDiagram'];
  out.push(`  title ${mermaidText(`${a.scenario}${a.mutant ? ` (mutant ${a.mutant})` : ''}: ${f.spec}`)}`);
  if (a.token) out.push(`  %% replay: nsm replay ${a.token.replace(/[\r\n]/g, ' ')}`);
  for (const t of threads) out.push(`  participant ${id.get(t)} as ${mermaidText(t)}`);
  // The last cv_signal/cv_broadcast of each cv: who, and at which step.
  const lastSignal = new Map<string, { thread: string; step: number; effect: string }>();
  let prev: string | null = null;
  for (const r of a.timeline) {
    const me = id.get(r.thread)!;
    if (r.preempted && prev !== null && prev !== r.thread) {
      out.push(`  Note over ${id.get(prev)},${me}: preemption#58; ${msg(prev)} could have gone on`);
    }
    for (const e of r.effects) {
      if (effectKind(e) !== 'cv-wake') continue;
      const s = lastSignal.get(cvOf(e) ?? '');
      if (s && s.thread !== r.thread) out.push(`  ${id.get(s.thread)}-->>${me}: wake-up from ${msg(s.effect)} (step ${s.step})`);
    }
    const lines = r.effects.map((e) => {
      const k = effectKind(e);
      const mark = k === 'cv-sleep' ? 'WAIT ' : k === 'cv-wake' ? 'WAKE ' : k === 'cv-signal' ? 'SIGNAL ' : '';
      return mark + msg(e);
    });
    if (r.sites.length) lines.push(`@ ${msg(r.sites.join(', '))}`);
    out.push(`  ${me}->>${me}: ${r.step}${r.preempted ? ' (preempted)' : ''} ${lines.join('<br/>')}`);
    for (const e of r.effects) {
      if (effectKind(e) === 'cv-signal') lastSignal.set(cvOf(e) ?? '', { thread: r.thread, step: r.step, effect: e });
    }
    prev = r.thread;
  }
  const over = threads.length > 1 ? `${id.get(threads[0]!)},${id.get(threads[threads.length - 1]!)}` : (id.get(threads[0]!) ?? 't0');
  if (threads.length === 0) out.push('  participant t0 as (no threads)');
  const where = f.thread ? `step ${f.step}, ${f.thread}` : `step ${f.step}`;
  const note = [`VIOLATED ${msg(f.spec)}: ${msg(f.message)} (${msg(where)})`, ...f.details.map(msg)].join('<br/>');
  out.push(`  Note over ${over}: ${note}`);
  return out.join('\n') + '\n';
}

/** The xstate machine's top-level final states (by key), if it says so. */
function finalStates(m: CompiledMachine): Set<string> {
  const out = new Set<string>();
  const nodes = (m.machine as unknown as { root?: { states?: Record<string, { type?: string }> } }).root?.states ?? {};
  for (const [k, n] of Object.entries(nodes)) if (n?.type === 'final') out.add(k);
  return out;
}

export function mermaidStateDiagram(compiled: Pick<CompiledMachine, 'id' | 'initial' | 'states' | 'table'> & Partial<Pick<CompiledMachine, 'machine'>>): string {
  const sid = new Map(compiled.states.map((s, i) => [s, `s${i}`]));
  const idOf = (s: string): string => {
    let v = sid.get(s);
    if (!v) sid.set(s, (v = `s${sid.size}`));
    return v;
  };
  const out: string[] = ['stateDiagram-v2', `  %% machine ${compiled.id.replace(/[\r\n]/g, ' ')}`];
  for (const s of compiled.states) out.push(`  state "${mermaidText(s)}" as ${idOf(s)}`);
  out.push(`  [*] --> ${idOf(compiled.initial)}`);
  // Group events by (from, to) so parallel edges become one labelled edge.
  const edges = new Map<string, { from: string; to: string; events: string[] }>();
  for (const [key, to] of compiled.table) {
    const bar = key.lastIndexOf('|');
    const from = key.slice(0, bar);
    const ev = key.slice(bar + 1);
    const k = `${from}\u0000${to}`;
    let e = edges.get(k);
    if (!e) edges.set(k, (e = { from, to, events: [] }));
    e.events.push(ev);
  }
  for (const s of compiled.states) {
    for (const e of edges.values()) {
      if (e.from !== s) continue;
      out.push(`  ${idOf(e.from)} --> ${idOf(e.to)} : ${mermaidText(e.events.sort().join(', '))}`);
    }
  }
  if (compiled.machine) for (const s of finalStates(compiled as CompiledMachine)) if (sid.has(s)) out.push(`  ${idOf(s)} --> [*]`);
  return out.join('\n') + '\n';
}
