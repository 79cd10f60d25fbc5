/**
 * Scenario parameters: their declared types and ranges, parsing a value
 * given as text (`--param K=V`), and validating a value given as data.
 *
 * A scenario declares each parameter's default in `params`; the type comes
 * from the default (boolean, integer or string). `paramTypes` narrows it:
 * an integer's range, a string's allowed values, a description. An integer
 * without a declared range accepts 0 .. 1,000,000; a string without declared
 * values accepts only its default. A value outside its type is refused with
 * one line (ParamError), before anything runs or is written.
 */
import type { ParamValue, Scenario } from './scenario.ts';

export interface ParamType {
  /** Integers only: smallest and largest accepted value (inclusive). */
  min?: number;
  max?: number;
  /** Strings only: the accepted values. */
  values?: readonly string[];
  /** One line for `nsm list` and errors. */
  description?: string;
}

/** What a parameter accepts, resolved from its default and its declared type. */
export type ParamSpec =
  | { name: string; type: 'boolean'; default: boolean; description?: string }
  | { name: string; type: 'integer'; default: number; min: number; max: number; description?: string }
  | { name: string; type: 'string'; default: string; values: readonly string[]; description?: string };

/** A parameter name or value the scenario does not accept. */
export class ParamError extends Error {
  override name = 'ParamError';
}

const INT_MAX_DEFAULT = 1_000_000;

/** Every parameter of a scenario with its type, range and default. */
export function paramSpecs(sc: Scenario<any>): ParamSpec[] {
  const out: ParamSpec[] = [];
  for (const [name, dflt] of Object.entries(sc.params ?? {})) {
    const t = sc.paramTypes?.[name] ?? {};
    if (typeof dflt === 'boolean') out.push({ name, type: 'boolean', default: dflt, description: t.description });
    else if (typeof dflt === 'number') out.push({ name, type: 'integer', default: dflt, min: t.min ?? 0, max: t.max ?? INT_MAX_DEFAULT, description: t.description });
    else out.push({ name, type: 'string', default: dflt, values: t.values ?? [dflt], description: t.description });
  }
  return out;
}

/** How a parameter's accepted values read in a message: `integer 1..8`, `true|false`. */
export function describeParam(p: ParamSpec): string {
  if (p.type === 'boolean') return 'true|false';
  if (p.type === 'integer') return `integer ${p.min}..${p.max}`;
  return p.values.join('|');
}

function specOf(sc: Scenario<any>, name: string): ParamSpec {
  const specs = paramSpecs(sc);
  const p = specs.find((s) => s.name === name);
  if (!p) throw new ParamError(`scenario '${sc.name}' has no parameter '${name}' (it has: ${specs.map((s) => s.name).join(', ') || 'none'})`);
  return p;
}

/** Check one value given as data; returns it or throws ParamError. */
export function checkParam(sc: Scenario<any>, name: string, v: unknown): ParamValue {
  const p = specOf(sc, name);
  const bad = () => new ParamError(`parameter '${name}' of '${sc.name}' expects ${describeParam(p)}, got ${JSON.stringify(v) ?? String(v)}`);
  if (p.type === 'boolean') {
    if (typeof v !== 'boolean') throw bad();
  } else if (p.type === 'integer') {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < p.min || v > p.max) throw bad();
  } else if (typeof v !== 'string' || !p.values.includes(v)) throw bad();
  return v as ParamValue;
}

/** Parse a value given as text (`--param K=V`) by the parameter's type. */
export function parseParam(sc: Scenario<any>, name: string, text: string): ParamValue {
  const p = specOf(sc, name);
  let v: unknown = text;
  if (p.type === 'boolean') v = text === 'true' ? true : text === 'false' ? false : text;
  else if (p.type === 'integer') v = /^-?\d+$/.test(text) ? Number(text) : text;
  return checkParam(sc, name, v);
}

/** The scenario's defaults overridden by `given`, every value checked. */
export function resolveParams(sc: Scenario<any>, given: Record<string, unknown> | undefined): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = { ...(sc.params ?? {}) };
  for (const [k, v] of Object.entries(given ?? {})) out[k] = checkParam(sc, k, v);
  return out;
}
