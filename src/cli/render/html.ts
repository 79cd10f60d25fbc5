/**
 * A failure artefact as one self-contained HTML page: header (scenario,
 * mutant, violated spec, message, details, replay command), per-thread
 * swimlanes with C sites and preemptions, lock-ownership bars, cv waits and
 * wake-ups, the scenario's object states at the current step, and
 * step-through controls (buttons #first #prev #next #last, arrow keys).
 *
 * Everything is inline (CSS, JS, the artefact JSON): no network, no fonts.
 * Every artefact string is escaped; the embedded JSON has `<` escaped so no
 * string can close its <script> element.
 *
 * Step numbers are the artefact's own (0-based, as in the text timeline and
 * in the failure's "(step N)"); the indicator #current-step reads
 * `step N / M` with M the last step's number.
 */
import type { Artefact } from '../../core/trace/failure-block.ts';
import type { Failure } from '../../core/failure.ts';
import type { TimelineRow } from '../../core/trace/report.ts';

/** What the renderers read of a failure artefact (.nsm/failures/*.json). */
/** What the renderers read: a failure artefact (core/trace/failure-block.ts). */
export type RenderArtefact = Artefact;

/** Thread names in thread-id order (the `held` maps are keyed in that order). */
export function artefactThreads(a: RenderArtefact): string[] {
  const names: string[] = [];
  const add = (n: string) => {
    if (!names.includes(n)) names.push(n);
  };
  // Only threads that took a step (or failed) get a lane: a daemon that
  // never ran (an idle taskq worker) would be an empty column. Keep the
  // thread-id order of the held maps.
  const ran = new Set(a.timeline.map((r) => r.thread));
  if (a.failure.thread) ran.add(a.failure.thread);
  for (const r of a.timeline) for (const n of Object.keys(r.held ?? {})) if (ran.has(n)) add(n);
  for (const r of a.timeline) add(r.thread);
  if (a.failure.thread) add(a.failure.thread);
  return names;
}

/** Every lock held at some step, in order of first acquisition. */
export function artefactLocks(a: RenderArtefact): string[] {
  const locks: string[] = [];
  for (const r of a.timeline) for (const ls of Object.values(r.held ?? {})) for (const l of ls) if (!locks.includes(l)) locks.push(l);
  return locks;
}

export type EffectKind = 'start' | 'acquire' | 'release' | 'cv-sleep' | 'cv-wake' | 'cv-signal' | 'free' | 'other';

/** Classify one effect description (as produced by Effect.describe). */
export function effectKind(e: string): EffectKind {
  if (/^cv_\w*wait\b.*\bsleeps\b/.test(e)) return 'cv-sleep';
  if (/^cv_\w*wait\b.*\bwakes\b/.test(e) || /\bwakes\b/.test(e)) return 'cv-wake';
  if (/^cv_(signal|broadcast)\b/.test(e)) return 'cv-signal';
  if (/^start\b/.test(e)) return 'start';
  if (/^(mutex_exit|rw_exit|sema_v)\b/.test(e)) return 'release';
  if (/^(mutex_enter|mutex_tryenter|rw_enter|rw_tryenter|sema_p)\b/.test(e)) return 'acquire';
  if (/^kmem_free\b/.test(e)) return 'free';
  return 'other';
}

/** The cv named by a cv_wait/cv_signal effect, or null. */
export function cvOf(e: string): string | null {
  const m = /^cv_\w+\(([^,)]+)/.exec(e);
  return m ? m[1]!.trim() : null;
}

/** For each row, the cv each thread is asleep on during that row (after the step), by thread. */
export function sleepers(a: RenderArtefact): Record<string, string>[] {
  const asleep = new Map<string, string>();
  return a.timeline.map((r) => {
    for (const e of r.effects) {
      const k = effectKind(e);
      if (k === 'cv-sleep') asleep.set(r.thread, cvOf(e) ?? 'cv');
      else if (k === 'cv-wake') asleep.delete(r.thread);
    }
    return Object.fromEntries(asleep);
  });
}

export function escapeHtml(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** JSON that is safe inside <script>: no `<`, `>`, `&`, or line separators left raw. */
export function jsonForScript(v: unknown): string {
  return JSON.stringify(v)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const PALETTE = ['#2f6fdb', '#d9480f', '#2b8a3e', '#9c36b5', '#c2255c', '#0b7285', '#e67700', '#5f3dc4', '#495057', '#a61e4d'];

export function threadColor(i: number): string {
  return PALETTE[i % PALETTE.length]!;
}

const CSS = `
*{box-sizing:border-box}
body{margin:0;font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1d2433;background:#f6f7f9}
code,.mono,.effects,.sites,td.num{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace}
header{background:#fff;border-bottom:1px solid #dde1e7;padding:16px 24px}
h1{margin:0 0 6px;font-size:20px;font-weight:600}
h1 .mutant{font-weight:400;color:#5c6677;font-size:15px;margin-left:8px}
.verdict{display:flex;flex-wrap:wrap;gap:10px;align-items:baseline;margin:6px 0}
.spec{display:inline-block;background:#fde8e8;color:#b42318;border:1px solid #f5b5b5;border-radius:4px;padding:2px 8px;font-weight:700;font-family:ui-monospace,Menlo,Consolas,monospace}
.kind{color:#5c6677;font-size:12px;text-transform:uppercase;letter-spacing:.05em}
.message{font-weight:500}
ul.details{margin:4px 0 8px;padding-left:20px;color:#3b4453}
ul.details li{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:13px}
.meta{display:flex;flex-wrap:wrap;gap:18px;color:#5c6677;font-size:13px;margin-top:6px}
.replay{margin-top:8px;display:flex;gap:8px;align-items:center;flex-wrap:wrap}
.replay code{background:#f1f3f5;border:1px solid #dde1e7;border-radius:4px;padding:3px 8px;font-size:12.5px;word-break:break-all}
main{display:flex;gap:16px;padding:16px 24px;align-items:flex-start}
.lanes-wrap{flex:1 1 auto;min-width:0;overflow:auto;background:#fff;border:1px solid #dde1e7;border-radius:6px}
table.lanes{border-collapse:collapse;width:100%}
table.lanes th{position:sticky;top:0;background:#fff;z-index:2;text-align:left;font-weight:600;padding:8px;border-bottom:2px solid #dde1e7;white-space:nowrap}
table.lanes th.lane-head{border-top:4px solid var(--c)}
table.lanes th.lock-head{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:11px;font-weight:500;color:#5c6677;writing-mode:vertical-rl;transform:rotate(180deg);padding:6px 2px;text-align:left;vertical-align:bottom}
table.lanes td{vertical-align:top;padding:6px 8px;border-bottom:1px solid #eef0f3}
td.num{color:#5c6677;white-space:nowrap;width:1%;font-size:12px}
td.now{color:#8a93a3;font-size:11px;white-space:nowrap;width:1%}
td.lane{border-left:1px solid #eef0f3;min-width:140px}
td.lane.active{background:color-mix(in srgb,var(--c) 8%,#fff);box-shadow:inset 3px 0 0 var(--c)}
td.lane.asleep{background-image:repeating-linear-gradient(180deg,#9aa5b5 0 4px,transparent 4px 8px);background-size:2px 100%;background-repeat:no-repeat;background-position:12px 0}
td.lane.asleep .zz{margin-left:20px;color:#8a93a3;font-size:11px;font-style:italic}
.effects{list-style:none;margin:0;padding:0;font-size:12.5px}
.effects li{white-space:normal;overflow-wrap:anywhere}
.effects li+li{padding-left:12px}
.effects li.sched{font-weight:600}
.sites{color:#7a8494;font-size:11px}
.tag{display:inline-block;font:600 10px/1.5 system-ui,sans-serif;border-radius:3px;padding:0 4px;margin-right:4px;vertical-align:1px;letter-spacing:.03em}
.tag.cv-sleep{background:#e7e9ff;color:#3b3fb0}
.tag.cv-wake{background:#dff5e3;color:#1e6b32}
.tag.cv-signal{background:#fff1d6;color:#8a5300}
.tag.free{background:#fde8e8;color:#b42318}
.tag.pre{background:#ffe3e3;color:#c92a2a;border:1px solid #ffa8a8}
li.cv-sleep{color:#3b3fb0}
li.cv-wake{color:#1e6b32}
li.cv-signal{color:#8a5300}
td.lock{width:22px;min-width:22px;padding:0;border-left:1px solid #f1f3f5;position:relative}
td.lock .bar{position:absolute;left:4px;right:4px;top:0;bottom:0;background:var(--c);opacity:.85}
td.lock .bar.shared{background:repeating-linear-gradient(45deg,var(--c) 0 4px,#fff 4px 6px)}
tr.step-row{cursor:pointer}
tr.step-row:hover td{background-color:#fafbfc}
tr.step-row.preempted td.num{box-shadow:inset 3px 0 0 #e03131}
tr.step-row.failing td.num{color:#b42318;font-weight:700}
tr.step-row.current td{background-color:#fff8db}
tr.step-row.current td.lane.active{background:color-mix(in srgb,var(--c) 18%,#fff8db)}
tr.step-row.current td.num{font-weight:700;color:#1d2433}
tr.verdict-row td{background:#fde8e8;color:#b42318;font-weight:600;padding:8px}
aside{flex:0 0 320px;position:sticky;top:12px;background:#fff;border:1px solid #dde1e7;border-radius:6px;padding:12px 14px}
.controls{display:flex;gap:6px;align-items:center;margin-bottom:10px}
.controls button{font:inherit;font-size:13px;border:1px solid #c5ccd6;background:#fff;border-radius:4px;padding:3px 10px;cursor:pointer}
.controls button:hover{background:#f1f3f5}
.controls button:disabled{opacity:.4;cursor:default}
#current-step{font-weight:600;font-size:15px;white-space:nowrap}
aside h2{font-size:12px;text-transform:uppercase;letter-spacing:.06em;color:#5c6677;margin:12px 0 4px}
aside table{border-collapse:collapse;width:100%;font-size:12.5px}
aside td{padding:2px 4px;border-bottom:1px solid #f1f3f5;vertical-align:top}
aside td:first-child{color:#5c6677}
aside td.v{font-family:ui-monospace,Menlo,Consolas,monospace}
aside tr.changed td.v{background:#fff3bf;font-weight:600}
#step-thread{font-weight:600}
.hint{color:#8a93a3;font-size:11px;margin-top:10px}
.legend{display:flex;flex-wrap:wrap;gap:10px;font-size:12px;color:#5c6677;padding:0 24px 20px}
.swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:4px;vertical-align:-1px}
.empty{color:#8a93a3;font-style:italic}
`;

/** Step-through: state lives in the DOM; data comes from the embedded JSON. */
const JS = `
(function () {
  'use strict';
  var a = JSON.parse(document.getElementById('artefact').textContent);
  var rows = Array.prototype.slice.call(document.querySelectorAll('tr.step-row'));
  var n = rows.length;
  var cur = 0;
  var ind = document.getElementById('current-step');
  function text(el, s) { el.textContent = s; }
  function fillTable(tbody, entries, prev) {
    while (tbody.firstChild) tbody.removeChild(tbody.firstChild);
    if (entries.length === 0) {
      var tr0 = document.createElement('tr'); var td0 = document.createElement('td');
      td0.className = 'empty'; td0.colSpan = 2; td0.textContent = '(none)';
      tr0.appendChild(td0); tbody.appendChild(tr0); return;
    }
    entries.forEach(function (kv) {
      var tr = document.createElement('tr');
      var k = document.createElement('td'); k.textContent = kv[0];
      var v = document.createElement('td'); v.className = 'v'; v.textContent = kv[1];
      if (prev && prev[kv[0]] !== kv[1]) tr.className = 'changed';
      tr.appendChild(k); tr.appendChild(v); tbody.appendChild(tr);
    });
  }
  function show(i) {
    if (n === 0) { text(ind, 'step 0 / 0'); return; }
    cur = Math.max(0, Math.min(n - 1, i));
    rows.forEach(function (r, k) { r.classList.toggle('current', k === cur); });
    var row = a.timeline[cur];
    var last = a.timeline[n - 1];
    text(ind, 'step ' + row.step + ' / ' + last.step);
    text(document.getElementById('step-thread'), row.thread + (row.preempted ? '  (preempted the previous thread)' : ''));
    var eff = document.getElementById('step-effects');
    while (eff.firstChild) eff.removeChild(eff.firstChild);
    row.effects.forEach(function (e) { var li = document.createElement('li'); li.textContent = e; eff.appendChild(li); });
    row.sites.forEach(function (s) { var li = document.createElement('li'); li.className = 'sites'; li.textContent = s; eff.appendChild(li); });
    var prevRow = cur > 0 ? a.timeline[cur - 1] : null;
    var objs = row.objects ? Object.keys(row.objects).map(function (k) { return [k, String(row.objects[k])]; }) : [];
    fillTable(document.getElementById('objects-body'), objs, prevRow && prevRow.objects ? prevRow.objects : null);
    var held = Object.keys(row.held || {}).map(function (t) { return [t, row.held[t].length ? row.held[t].join(', ') : '-']; });
    var prevHeld = null;
    if (prevRow) { prevHeld = {}; Object.keys(prevRow.held || {}).forEach(function (t) { prevHeld[t] = prevRow.held[t].length ? prevRow.held[t].join(', ') : '-'; }); }
    fillTable(document.getElementById('held-body'), held, prevHeld);
    document.getElementById('first').disabled = document.getElementById('prev').disabled = cur === 0;
    document.getElementById('last').disabled = document.getElementById('next').disabled = cur === n - 1;
    var r = rows[cur];
    if (r && r.scrollIntoView) r.scrollIntoView({ block: 'nearest' });
  }
  document.getElementById('first').addEventListener('click', function () { show(0); });
  document.getElementById('prev').addEventListener('click', function () { show(cur - 1); });
  document.getElementById('next').addEventListener('click', function () { show(cur + 1); });
  document.getElementById('last').addEventListener('click', function () { show(n - 1); });
  rows.forEach(function (r, k) { r.addEventListener('click', function () { show(k); }); });
  document.addEventListener('keydown', function (ev) {
    if (ev.altKey || ev.ctrlKey || ev.metaKey) return;
    var t = ev.target && ev.target.tagName;
    if (t === 'INPUT' || t === 'TEXTAREA') return;
    if (ev.key === 'ArrowRight' || ev.key === 'ArrowDown' || ev.key === 'j') { show(cur + 1); ev.preventDefault(); }
    else if (ev.key === 'ArrowLeft' || ev.key === 'ArrowUp' || ev.key === 'k') { show(cur - 1); ev.preventDefault(); }
    else if (ev.key === 'Home') { show(0); ev.preventDefault(); }
    else if (ev.key === 'End') { show(n - 1); ev.preventDefault(); }
  });
  show(0);
})();
`;

function effectItem(e: string, first: boolean): string {
  const k = effectKind(e);
  const tag =
    k === 'cv-sleep' ? '<span class="tag cv-sleep">WAIT</span>'
    : k === 'cv-wake' ? '<span class="tag cv-wake">WAKE</span>'
    : k === 'cv-signal' ? '<span class="tag cv-signal">SIGNAL</span>'
    : k === 'free' ? '<span class="tag free">FREE</span>'
    : '';
  const cls = [first ? 'sched' : '', k].filter((c) => c !== '' && c !== 'other').join(' ');
  return `<li${cls ? ` class="${cls}"` : ''}>${tag}${escapeHtml(e)}</li>`;
}

/** Render a failure artefact as one self-contained HTML document. */
export function renderHtml(a: RenderArtefact): string {
  const threads = artefactThreads(a);
  const locks = artefactLocks(a);
  const colorOf = new Map(threads.map((t, i) => [t, threadColor(i)]));
  const asleep = sleepers(a);
  const f = a.failure;
  const title = `nsm: ${a.scenario}${a.mutant ? ` (${a.mutant})` : ''} - ${f.spec}`;
  const lastStep = a.timeline.length ? a.timeline[a.timeline.length - 1]!.step : 0;
  // The virtual clock column only where time moved (a scenario with timeouts).
  const clocked = a.timeline.some((r) => r.now !== 0);

  const head =
    `<tr><th>step</th>${clocked ? '<th title="virtual clock (timeouts, cv_timedwait)">now</th>' : ''}` +
    threads.map((t) => `<th class="lane-head" data-thread="${escapeHtml(t)}" style="--c:${colorOf.get(t)}">${escapeHtml(t)}</th>`).join('') +
    locks.map((l) => `<th class="lock-head" data-lock="${escapeHtml(l)}" title="holder of ${escapeHtml(l)}">${escapeHtml(l)}</th>`).join('') +
    `</tr>`;

  const body = a.timeline
    .map((r, i) => {
      const cls = ['step-row', r.preempted ? 'preempted' : '', r.step === f.step ? 'failing' : ''].filter(Boolean).join(' ');
      const num = `<td class="num">${r.step}${r.preempted ? ' <span class="tag pre" title="preemption: the previous thread could have gone on">PRE</span>' : ''}</td>`;
      const now = clocked ? `<td class="now">${escapeHtml(r.now)}</td>` : '';
      const lanes = threads
        .map((t) => {
          const c = colorOf.get(t)!;
          if (t === r.thread) {
            const eff = r.effects.map((e, k) => effectItem(e, k === 0)).join('');
            const sites = r.sites.length ? `<div class="sites">${r.sites.map(escapeHtml).join(' &middot; ')}</div>` : '';
            return `<td class="lane active" style="--c:${c}"><ul class="effects">${eff}</ul>${sites}</td>`;
          }
          const cv = asleep[i]![t];
          // Asleep before this row and still asleep after it: show the wait line.
          const before = i > 0 ? asleep[i - 1]![t] : undefined;
          if (cv !== undefined && before !== undefined) return `<td class="lane asleep" style="--c:${c}"><span class="zz">waiting on ${escapeHtml(cv)}</span></td>`;
          return `<td class="lane" style="--c:${c}"></td>`;
        })
        .join('');
      const bars = locks
        .map((l) => {
          const holders = threads.filter((t) => (r.held?.[t] ?? []).includes(l));
          if (holders.length === 0) return `<td class="lock" data-lock="${escapeHtml(l)}"></td>`;
          const c = colorOf.get(holders[0]!)!;
          const who = holders.join(', ');
          return `<td class="lock" data-lock="${escapeHtml(l)}" data-holder="${escapeHtml(who)}" title="${escapeHtml(`${l} held by ${who}`)}"><div class="bar${holders.length > 1 ? ' shared' : ''}" style="--c:${c}"></div></td>`;
        })
        .join('');
      return `<tr class="${cls}" data-step="${r.step}" data-thread="${escapeHtml(r.thread)}">${num}${now}${lanes}${bars}</tr>`;
    })
    .join('\n');

  const afterLast = a.timeline.length === 0 || f.step > lastStep;
  const verdictRow = `<tr class="verdict-row"><td class="num">${escapeHtml(f.step)}</td><td colspan="${(clocked ? 1 : 0) + threads.length + locks.length}">${afterLast ? 'after the last step: ' : ''}${escapeHtml(f.spec)} violated: ${escapeHtml(f.message)}</td></tr>`;

  const details = f.details.length ? `<ul class="details">${f.details.map((d) => `<li>${escapeHtml(d)}</li>`).join('')}</ul>` : '';
  const params = Object.entries(a.params ?? {});
  const legend =
    threads.map((t) => `<span><span class="swatch" style="background:${colorOf.get(t)}"></span>${escapeHtml(t)}</span>`).join('') +
    `<span><span class="tag pre">PRE</span>preemption: the previous thread could have gone on</span>` +
    `<span><span class="tag cv-sleep">WAIT</span>cv_wait sleeps (dotted line while asleep)</span>` +
    `<span><span class="tag cv-wake">WAKE</span>woken, re-enters the mutex</span>` +
    `<span><span class="tag cv-signal">SIGNAL</span>cv_signal / cv_broadcast</span>` +
    (locks.length ? `<span>lock columns: a bar in the holder's color while the lock is held after the step</span>` : '');

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>${escapeHtml(a.scenario)}${a.mutant ? `<span class="mutant">mutant ${escapeHtml(a.mutant)}</span>` : ''}</h1>
<div class="verdict">${f.kind !== f.spec ? `<span class="kind">${escapeHtml(f.kind)}</span>` : ''}<span class="spec" id="spec">${escapeHtml(f.spec)}</span><span class="message" id="message">${escapeHtml(f.message)}</span><span class="kind">step ${escapeHtml(f.step)}${f.thread ? `, ${escapeHtml(f.thread)}` : ''}</span></div>
${details}
<div class="meta"><span>${a.steps} steps</span><span>${a.preemptions} preemption${a.preemptions === 1 ? '' : 's'}</span><span>${threads.length} threads</span>${params.length ? `<span>params ${params.map(([k, v]) => `${escapeHtml(k)}=${escapeHtml(v)}`).join(' ')}</span>` : ''}</div>
<div class="replay">replay: <code id="replay">nsm replay ${escapeHtml(a.token)}</code></div>
</header>
<main>
<div class="lanes-wrap">
<table class="lanes">
<thead>${head}</thead>
<tbody>
${body}
${verdictRow}
</tbody>
</table>
</div>
<aside>
<div class="controls">
<button id="first" type="button" title="first step (Home)">&laquo; first</button>
<button id="prev" type="button" title="previous step (Left)">&lsaquo; prev</button>
<button id="next" type="button" title="next step (Right)">next &rsaquo;</button>
<button id="last" type="button" title="last step (End)">last &raquo;</button>
</div>
<div id="current-step" aria-live="polite">step 0 / ${lastStep}</div>
<h2>thread</h2>
<div id="step-thread"></div>
<h2>effects</h2>
<ul class="effects" id="step-effects"></ul>
<h2>object states after the step</h2>
<table id="objects"><tbody id="objects-body"></tbody></table>
<h2>locks held after the step</h2>
<table id="held"><tbody id="held-body"></tbody></table>
<div class="hint">Arrow keys step through; Home / End jump; click a row to select it.</div>
</aside>
</main>
<div class="legend">${legend}</div>
<script type="application/json" id="artefact">${jsonForScript(a)}</script>
<script>${JS}</script>
</body>
</html>
`;
}
