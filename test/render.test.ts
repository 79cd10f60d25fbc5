/** Mermaid and HTML renderers, on real failure artefacts written by reportFailure. */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { setup } from 'xstate';
import { compileMachine } from '../src/actors/machine.ts';
import { reportFailure } from '../src/cli/failure-report.ts';
import { artefactLocks, artefactThreads, effectKind, renderHtml, type RenderArtefact } from '../src/cli/render/html.ts';
import { mermaidSequence, mermaidStateDiagram, mermaidText } from '../src/cli/render/mermaid.ts';
import { explore } from '../src/core/runner.ts';
import { makeStrategy } from '../src/core/config.ts';
import { findScenario } from '../src/scenarios/registry.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Find the mutant's failure with DPOR, report it with write:true into a temp NSM_DIR, read the artefact back. */
function artefactFor(scenario: string, mutant: string): RenderArtefact {
  const sc = findScenario(scenario)!;
  const r = explore(sc, makeStrategy('dpor', { seed: 1, depth: 1 }), { mutant });
  expect(r.verdict).toBe('fail');
  const dir = mkdtempSync(join(tmpdir(), 'nsm-render-'));
  dirs.push(dir);
  const old = process.env.NSM_DIR;
  process.env.NSM_DIR = dir;
  try {
    reportFailure(sc, { mutant }, r.failure!.schedule, r.failure!.failure, { shrink: true, write: true });
  } finally {
    if (old === undefined) delete process.env.NSM_DIR;
    else process.env.NSM_DIR = old;
  }
  const files = readdirSync(join(dir, 'failures')).filter((f) => f.endsWith('.json'));
  expect(files).toHaveLength(1);
  return JSON.parse(readFileSync(join(dir, 'failures', files[0]!), 'utf8')) as RenderArtefact;
}

const gate = artefactFor('tb-gate', 'tb-signal-not-broadcast');
const abba = artefactFor('tb-abba', 'tb-abba');
const cvIf = artefactFor('tb-cv-wait-loop', 'tb-cv-if');

const HOSTILE = `</script><script>alert(1)</script><!-- & "dq" 'sq' <b>x</b>; #1; %% \n--> end`;

/** The gate artefact with hostile text in every string field the renderers show. */
function hostile(a: RenderArtefact): RenderArtefact {
  const h: RenderArtefact = structuredClone(a);
  const rename = (n: string) => (n === 'W2' ? `W2${HOSTILE}` : n);
  h.scenario = `sc${HOSTILE}`;
  h.mutant = `mu${HOSTILE}`;
  h.token = `tok${HOSTILE}`;
  h.failure = { ...h.failure, spec: `spec${HOSTILE}`, message: `msg${HOSTILE}`, details: [`det${HOSTILE}`], thread: h.failure.thread ? rename(h.failure.thread) : null };
  h.params = { [`k${HOSTILE}`]: `v${HOSTILE}` };
  h.timeline = h.timeline.map((r) => ({
    ...r,
    thread: rename(r.thread),
    effects: r.effects.map((e, i) => (i === r.effects.length - 1 ? `${e} ${HOSTILE}` : e)),
    sites: [`netstack.c L1${HOSTILE}`],
    held: Object.fromEntries(Object.entries(r.held).map(([t, ls]) => [rename(t), ls.map((l) => `${l}${HOSTILE}`)])),
    objects: r.objects ? { ...r.objects, [`obj${HOSTILE}`]: `state${HOSTILE}` } : { [`obj${HOSTILE}`]: `state${HOSTILE}` },
  }));
  // A lock held somewhere, so lock columns carry hostile names too.
  h.timeline[0]!.held[h.timeline[0]!.thread] = [`lk${HOSTILE}`];
  return h;
}

/** The text of the embedded artefact JSON. */
function embedded(html: string): string {
  const m = /<script type="application\/json" id="artefact">([\s\S]*?)<\/script>/.exec(html);
  expect(m).not.toBeNull();
  return m![1]!;
}

describe('artefact helpers', () => {
  it('lists threads in id order and locks in first-acquisition order', () => {
    expect(artefactThreads(gate)).toEqual(['W1', 'W2', 'opener']);
    expect(artefactThreads(abba)).toEqual(['T1', 'T2']);
    expect(artefactLocks(abba)).toEqual(['lock_a', 'lock_b']);
  });
  it('classifies cv effects', () => {
    expect(effectKind('cv_wait(gate_cv, gate_lock) sleeps')).toBe('cv-sleep');
    expect(effectKind('cv_wait(gate_cv) wakes, re-enters gate_lock')).toBe('cv-wake');
    expect(effectKind('cv_signal(gate_cv)')).toBe('cv-signal');
    expect(effectKind('cv_broadcast(gate_cv)')).toBe('cv-signal');
    expect(effectKind('mutex_enter(gate_lock)')).toBe('acquire');
  });
});

describe('mermaidSequence', () => {
  const m = mermaidSequence(gate);
  const lines = m.trimEnd().split('\n');
  it('has one participant per thread and one self-message per step', () => {
    expect(lines[0]).toBe('sequenceDiagram');
    expect(lines.filter((l) => /^ {2}participant /.test(l))).toEqual(['  participant t0 as W1', '  participant t1 as W2', '  participant t2 as opener']);
    const ids = new Map([['W1', 't0'], ['W2', 't1'], ['opener', 't2']]);
    const self = lines.filter((l) => /^ {2}(t\d+)->>\1: /.test(l));
    expect(self).toHaveLength(gate.timeline.length);
    gate.timeline.forEach((r, i) => {
      const id = ids.get(r.thread)!;
      expect(self[i]!.startsWith(`  ${id}->>${id}: ${r.step} `)).toBe(true);
      for (const e of r.effects) expect(self[i]).toContain(mermaidText(e).replace(/#58;/g, ':'));
    });
  });
  it('marks cv waits, the signal, and draws the wake-up from signaller to waiter', () => {
    expect(m).toContain('WAIT cv_wait(gate_cv, gate_lock) sleeps');
    expect(m).toContain('SIGNAL cv_signal(gate_cv)');
    expect(m).toMatch(/ {2}t2-->>t0: wake-up from cv_signal\(gate_cv\) \(step \d+\)/);
  });
  it('ends with the violated spec as a note over all participants', () => {
    const last = lines[lines.length - 1]!;
    expect(last.startsWith('  Note over t0,t2: VIOLATED deadlock: no enabled thread while W2 unfinished')).toBe(true);
    expect(last).toContain('W2 blocked in cv_wait(gate_cv, gate_lock)');
  });
  it('marks preemptions', () => {
    const c = mermaidSequence(cvIf);
    const pre = cvIf.timeline.filter((r) => r.preempted);
    expect(pre.length).toBeGreaterThan(0);
    expect(c.match(/Note over t\d+,t\d+: preemption#58; /g)).toHaveLength(pre.length);
    for (const r of pre) expect(c).toMatch(new RegExp(`->>t\\d+: ${r.step} \\(preempted\\) `));
    expect(c).toContain('VIOLATED kassert');
  });
  it('carries C sites when the rows have them', () => {
    const a = structuredClone(gate);
    a.timeline[1]!.sites = ['netstack.c L274'];
    expect(mermaidSequence(a)).toMatch(/t0->>t0: 1 .*<br\/>@ netstack\.c L274\n/);
  });
  it('neutralises hostile text: no statement breaks, no markup, one line per statement', () => {
    const h = mermaidSequence(hostile(gate));
    const hl = h.trimEnd().split('\n');
    expect(hl.length).toBe(lines.length);
    for (const l of hl) {
      if (l.startsWith('  %%')) continue;
      // Text after the statement's own arrow / keyword.
      const text = l.replace(/^ {2}t\d+-?->>t\d+: /, '').replace(/<br\/>/g, ' ');
      expect(text).not.toMatch(/[<>"'`{}\n]/);
      expect(text.replace(/#\d+;/g, '')).not.toMatch(/[;#]/);
    }
    expect(h).toContain('participant t1 as W2#60;/script#62;');
  });
  it('escapes what Mermaid reacts to', () => {
    expect(mermaidText('a;b#c<d>e"f:g\nh')).toBe('a#59;b#35;c#60;d#62;e#34;f#58;g h');
  });
});

describe('mermaidStateDiagram', () => {
  const machine = setup({}).createMachine({
    id: 'gate',
    initial: 'closed',
    states: {
      closed: { on: { OPEN: 'open', LOCK: 'locked' } },
      locked: { on: { UNLOCK: 'closed' } },
      open: { on: { CLOSE: 'closed', SHUT: 'closed', DESTROY: 'gone' } },
      gone: { type: 'final' },
    },
  });
  const c = compileMachine(machine);
  const d = mermaidStateDiagram(c);
  const lines = d.trimEnd().split('\n');
  const sid = (s: string) => /state "([^"]+)" as (s\d+)/.exec(lines.find((l) => l.includes(`state "${s}"`))!)![2];
  it('declares every state and the initial one', () => {
    expect(lines[0]).toBe('stateDiagram-v2');
    for (const s of ['closed', 'locked', 'open', 'gone']) expect(d).toContain(`state "${s}" as `);
    expect(lines).toContain(`  [*] --> ${sid('closed')}`);
  });
  it('labels transitions by event, merging parallel edges', () => {
    expect(lines).toContain(`  ${sid('closed')} --> ${sid('open')} : OPEN`);
    expect(lines).toContain(`  ${sid('closed')} --> ${sid('locked')} : LOCK`);
    expect(lines).toContain(`  ${sid('locked')} --> ${sid('closed')} : UNLOCK`);
    expect(lines).toContain(`  ${sid('open')} --> ${sid('closed')} : CLOSE, SHUT`);
    expect(lines).toContain(`  ${sid('open')} --> ${sid('gone')} : DESTROY`);
    expect(lines.filter((l) => / --> s\d+ : /.test(l))).toHaveLength(5);
  });
  it('marks final states', () => {
    expect(lines).toContain(`  ${sid('gone')} --> [*]`);
    expect(lines.filter((l) => l.endsWith('--> [*]'))).toHaveLength(1);
  });
});

describe('renderHtml', () => {
  const html = renderHtml(gate);
  it('is one self-contained document: no external resources', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/\b(src|href)\s*=/i);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/@import|url\(|@font-face/);
    expect(html.match(/<script\b/g)).toHaveLength(2);
    expect(html.match(/<style\b/g)).toHaveLength(1);
  });
  it('has the header: scenario, mutant, highlighted spec, message, details, replay command', () => {
    expect(html).toContain('<title>nsm: tb-gate (tb-signal-not-broadcast) - deadlock</title>');
    expect(html).toContain('<span class="spec" id="spec">deadlock</span>');
    expect(html).toContain('no enabled thread while W2 unfinished');
    expect(html).toContain('<li>W2 blocked in cv_wait(gate_cv, gate_lock)</li>');
    expect(html).toContain(`<code id="replay">nsm replay ${gate.token}</code>`);
  });
  it('has one swimlane per thread and one row per step, the effects in the thread\'s column', () => {
    expect(html.match(/<th class="lane-head"/g)).toHaveLength(3);
    const rows = [...html.matchAll(/<tr class="step-row[^"]*" data-step="(\d+)" data-thread="([^"]*)">(.*?)<\/tr>/g)];
    expect(rows.map((r) => Number(r[1]))).toEqual(gate.timeline.map((r) => r.step));
    rows.forEach((r, i) => {
      const cells = [...r[3]!.matchAll(/<td class="lane[^"]*"/g)].map((c) => c[0]);
      expect(cells).toHaveLength(3);
      const col = artefactThreads(gate).indexOf(gate.timeline[i]!.thread);
      expect(cells[col]).toContain('lane active');
      expect(cells.filter((c) => c.includes('active'))).toHaveLength(1);
    });
  });
  it('marks cv waits, wake-ups and signals, and the sleeping stretch of a lane', () => {
    expect(html).toContain('<span class="tag cv-sleep">WAIT</span>cv_wait(gate_cv, gate_lock) sleeps');
    expect(html).toContain('<span class="tag cv-wake">WAKE</span>cv_wait(gate_cv) wakes, re-enters gate_lock');
    expect(html).toContain('<span class="tag cv-signal">SIGNAL</span>cv_signal(gate_cv)');
    expect(html).toContain('waiting on gate_cv');
  });
  it('marks preemptions', () => {
    const h = renderHtml(cvIf);
    const pre = cvIf.timeline.filter((r) => r.preempted).map((r) => r.step);
    const marked = [...h.matchAll(/<tr class="step-row preempted[^"]*" data-step="(\d+)"/g)].map((m) => Number(m[1]));
    expect(marked).toEqual(pre);
    expect(h.match(/<span class="tag pre"/g)!.length).toBe(pre.length + 1); // + the legend
  });
  it('draws a lock-ownership bar per lock column in the holder\'s color', () => {
    const h = renderHtml(abba);
    expect(h.match(/<th class="lock-head"/g)).toHaveLength(2);
    for (const r of abba.timeline) {
      const row = new RegExp(`data-step="${r.step}"[^>]*>(.*?)</tr>`).exec(h)![1]!;
      for (const l of ['lock_a', 'lock_b']) {
        const holder = Object.entries(r.held).find(([, ls]) => ls.includes(l))?.[0];
        if (holder) expect(row).toContain(`data-lock="${l}" data-holder="${holder}"`);
        else expect(row).toContain(`<td class="lock" data-lock="${l}"></td>`);
      }
    }
    expect(h).toMatch(/data-holder="T1"[^>]*><div class="bar" style="--c:#2f6fdb">/);
  });
  it('has the step-through controls and the current-step indicator', () => {
    for (const id of ['prev', 'next', 'first', 'last']) expect(html).toContain(`<button id="${id}" type="button"`);
    expect(html).toContain(`<div id="current-step" aria-live="polite">step 0 / ${gate.timeline[gate.timeline.length - 1]!.step}</div>`);
    expect(html).toContain('id="objects-body"');
  });
  it('embeds the artefact JSON intact', () => {
    expect(JSON.parse(embedded(html))).toEqual(gate);
  });
  it('escapes hostile text everywhere and keeps the embedded JSON unbreakable', () => {
    const a = hostile(gate);
    const h = renderHtml(a);
    expect(h).not.toContain('<script>alert');
    expect(h).not.toContain('<b>x</b>');
    expect(h).not.toContain('<!-- &');
    expect(h.match(/<script\b/g)).toHaveLength(2);
    expect(h.match(/<\/script>/g)).toHaveLength(2);
    expect(h).toContain('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;!-- &amp; &quot;dq&quot; &#39;sq&#39; &lt;b&gt;x&lt;/b&gt;');
    // Attribute values cannot be broken out of.
    for (const m of h.matchAll(/<[a-z]+\b([^>]*)>/g)) expect(m[1]).not.toMatch(/(^|\s)(onerror|onclick|onload)=/i);
    const json = embedded(h);
    expect(json).not.toMatch(/<|>/);
    expect(JSON.parse(json)).toEqual(a);
    expect(h.match(/<th class="lane-head"/g)).toHaveLength(3);
    expect(h).toContain('data-thread="W2&lt;/script&gt;');
  });
});
