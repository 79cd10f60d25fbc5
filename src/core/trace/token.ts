/**
 * Replay tokens: a compact, versioned, checksummed string naming everything
 * needed to reproduce one execution bit-exactly:
 *
 *   nsm1:<scenario>:<mutant|->:<overrides|->:<options hash>:<steps>:<schedule>:<signatures>:<check>
 *
 * overrides: non-default parameters as base64url of `k=v,k=v`; options hash:
 * FNV-1a of the resolved options (so a token made before a scenario's
 * defaults changed is refused); schedule: the recorded choices as LEB128
 * varints; signatures: one nibble per step, hashed from (thread, effect,
 * object), so a changed model is caught at the first step that differs;
 * check: FNV-1a of everything before it (a truncated or edited token is
 * refused).
 */
import { fnv1a } from '../prng.ts';
import type { ParamValue } from '../scenario.ts';
import { b64decode, b64encode, nibblesDecode, nibblesEncode, varintDecode, varintEncode } from './codec.ts';

export const TOKEN_VERSION = 'nsm1';

export interface TokenData {
  scenario: string;
  mutant: string | null;
  /** Parameters that differ from the scenario's defaults. */
  overrides: Record<string, ParamValue>;
  optionsHash: number;
  schedule: number[];
  sigs: number[];
}

export class TokenError extends Error {}

function encodeOverrides(o: Record<string, ParamValue>): string {
  const keys = Object.keys(o).sort();
  if (keys.length === 0) return '-';
  const s = keys.map((k) => `${k}=${typeof o[k] === 'string' ? `s${o[k]}` : typeof o[k] === 'boolean' ? `b${o[k] ? 1 : 0}` : `n${o[k]}`}`).join(',');
  return b64encode([...Buffer.from(s, 'utf8')]);
}

function decodeOverrides(s: string): Record<string, ParamValue> | null {
  if (s === '-') return {};
  const bytes = b64decode(s);
  if (!bytes) return null;
  const out: Record<string, ParamValue> = {};
  for (const kv of Buffer.from(bytes).toString('utf8').split(',')) {
    const eq = kv.indexOf('=');
    if (eq <= 0) return null;
    const k = kv.slice(0, eq);
    const v = kv.slice(eq + 1);
    if (v[0] === 's') out[k] = v.slice(1);
    else if (v[0] === 'b') out[k] = v === 'b1';
    else if (v[0] === 'n' && v.length > 1 && Number.isFinite(Number(v.slice(1)))) out[k] = Number(v.slice(1));
    else return null;
  }
  return out;
}

export function encodeToken(t: TokenData): string {
  const body = [
    TOKEN_VERSION,
    t.scenario,
    t.mutant ?? '-',
    encodeOverrides(t.overrides),
    t.optionsHash.toString(16).padStart(8, '0'),
    String(t.sigs.length),
    b64encode(varintEncode(t.schedule)) || '-',
    b64encode(nibblesEncode(t.sigs)) || '-',
  ].join(':');
  return `${body}:${fnv1a(body).toString(16).padStart(8, '0')}`;
}

/** Decode a token or throw TokenError with one line saying what is wrong. */
export function decodeToken(s: string): TokenData {
  const tok = s.trim();
  const parts = tok.split(':');
  if (parts[0] !== TOKEN_VERSION) {
    if (/^nsm\d+$/.test(parts[0] ?? '')) throw new TokenError(`token version ${parts[0]} is not supported by this nsm (it reads ${TOKEN_VERSION})`);
    throw new TokenError(`not a replay token (expected it to start with '${TOKEN_VERSION}:')`);
  }
  if (parts.length !== 9) throw new TokenError(`malformed token: expected 9 fields separated by ':', got ${parts.length} (truncated?)`);
  const [, scenario, mutant, ov, hash, nsteps, sched, sigs, check] = parts as [string, string, string, string, string, string, string, string, string];
  const body = parts.slice(0, 8).join(':');
  if (fnv1a(body).toString(16).padStart(8, '0') !== check) throw new TokenError('token checksum mismatch: the token was truncated or edited');
  const overrides = decodeOverrides(ov);
  if (!overrides) throw new TokenError('malformed token: bad parameter field');
  if (!/^[0-9a-f]{8}$/.test(hash)) throw new TokenError('malformed token: bad options hash');
  const n = Number(nsteps);
  if (!Number.isInteger(n) || n < 0) throw new TokenError('malformed token: bad step count');
  const sb = sched === '-' ? [] : b64decode(sched);
  const schedule = sb ? varintDecode(sb) : null;
  if (!schedule) throw new TokenError('malformed token: bad schedule field');
  const gb = sigs === '-' ? [] : b64decode(sigs);
  const sg = gb ? nibblesDecode(gb, n) : null;
  if (!sg) throw new TokenError('malformed token: bad signature field');
  return { scenario, mutant: mutant === '-' ? null : mutant, overrides, optionsHash: parseInt(hash, 16), schedule, sigs: sg };
}
