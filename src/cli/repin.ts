/**
 * nsm repin: refresh the replay tokens written in files after the model
 * changed (new objects, renumbered steps) so that a regression suite keeps
 * its pinned schedules. A token that still replays is left alone. Otherwise
 * its schedule is re-run leniently (the choices are followed while they fit,
 * then the running thread goes on); if that execution still fails, the token
 * is replaced by the one of the execution that ran, and the failure is shown
 * so the change can be reviewed. A token whose schedule no longer fails is
 * reported and left as it was: re-run its search.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { makeToken, replayToken, targetOf } from '../core/trace/replay.ts';
import { runLenient } from '../core/trace/shrink.ts';
import { decodeToken, TokenError } from '../core/trace/token.ts';
import { findScenario } from '../scenarios/registry.ts';

export interface RepinRow {
  file: string;
  token: string;
  status: 'ok' | 'repinned' | 'lost';
  /** The failure the (new) token replays to, or why it was lost. */
  detail: string;
  replacement?: string;
}

/** Tokens as they appear in text: nsm1: followed by token characters. */
const TOKEN_RE = /nsm1:[A-Za-z0-9_\-:=.]*[A-Za-z0-9]/g;

/** Check (and with `write`, rewrite) every token in `files`. */
export function repinFiles(files: readonly string[], write: boolean): RepinRow[] {
  const rows: RepinRow[] = [];
  const cache = new Map<string, Omit<RepinRow, 'file' | 'token'>>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    // A token shown shortened in prose (`nsm1:...:abc...`) is an illustration, not a pin: skipped.
    const found = [...new Set([...text.matchAll(TOKEN_RE)].filter((m) => !/^[-:]*\.\.\./.test(text.slice(m.index! + m[0].length))).map((m) => m[0]))];
    let out = text;
    for (const token of found) {
      let r = cache.get(token);
      if (!r) cache.set(token, (r = repinToken(token)));
      rows.push({ file, token, ...r });
      if (r.replacement) out = out.split(token).join(r.replacement);
    }
    if (write && out !== text) writeFileSync(file, out);
  }
  return rows;
}

export function repinToken(token: string): Omit<RepinRow, 'file' | 'token'> {
  try {
    const rep = replayToken(token, findScenario);
    const f = rep.res.failure;
    if (f && f.kind !== 'divergence') return { status: 'ok', detail: `${f.spec}: ${f.message}` };
  } catch (e) {
    // A token that names no runnable execution (other options, unknown scenario) cannot be repaired here.
    if (e instanceof TokenError) return { status: 'lost', detail: e.message };
    throw e;
  }
  let data;
  try {
    data = decodeToken(token);
  } catch (e) {
    return { status: 'lost', detail: (e as Error).message };
  }
  const sc = findScenario(data.scenario);
  if (!sc) return { status: 'lost', detail: `no scenario '${data.scenario}'` };
  const target = targetOf(data);
  const trial = runLenient(sc, target, data.schedule);
  if (!trial.failure) return { status: 'lost', detail: 'its schedule no longer fails: re-run the search' };
  return { status: 'repinned', detail: `${trial.failure.spec}: ${trial.failure.message}`, replacement: makeToken(sc, target, trial.schedule, trial.sigs) };
}
