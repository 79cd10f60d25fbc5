/**
 * `nsm --load FILE`: the user's own scenarios. FILE is an ES module (.mjs or
 * .mts, or .js/.ts in a package with "type": "module"; TypeScript needs tsx
 * installed in the project) whose exports are
 * scenarios (made with defineScenario) or arrays of them; every such export
 * is registered, so check, replay, shrink, explain, fuzz, list and coverage
 * find them by name and accept their tokens.
 */
import { existsSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Scenario } from '../core/scenario.ts';
import { registerScenarios } from '../scenarios/registry.ts';
import { UsageError } from './errors.ts';

function isScenario(v: unknown): v is Scenario<any> {
  return !!v && typeof v === 'object' && typeof (v as Scenario).name === 'string' && typeof (v as Scenario).setup === 'function' && typeof (v as Scenario).threads === 'number';
}

let tsxReady = false;
async function enableTypeScript(file: string): Promise<void> {
  // A checkout's bin/ has registered tsx already (flag set there); vitest transforms TypeScript itself.
  if (tsxReady || (globalThis as { __nsmTypeScript?: boolean }).__nsmTypeScript || process.env.VITEST) return;
  try {
    const { register } = (await import('tsx/esm/api')) as { register: () => unknown };
    register();
    tsxReady = true;
  } catch {
    throw new UsageError(`--load ${file}: a TypeScript module needs tsx in your project (npm install --save-dev tsx), or load the compiled .js`);
  }
}

/** Split `--load FILE` / `--load=FILE` out of argv: the files, and the rest. */
export function takeLoadFlags(argv: readonly string[]): { files: string[]; rest: string[] } {
  const files: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (a === '--load') {
      const f = argv[i + 1];
      if (f === undefined || f.startsWith('--')) throw new UsageError('--load needs a module file (a .js or .ts file that exports scenarios)');
      files.push(f);
      i++;
    } else if (a.startsWith('--load=')) files.push(a.slice('--load='.length));
    else rest.push(a);
  }
  return { files, rest };
}

/** Import each module and register the scenarios it exports; returns how many. */
export async function loadScenarioModules(files: readonly string[]): Promise<number> {
  let n = 0;
  for (const f of files) {
    const path = resolve(f);
    if (!existsSync(path)) throw new UsageError(`--load ${f}: no such file`);
    if (['.ts', '.mts', '.cts', '.tsx'].includes(extname(path))) await enableTypeScript(f);
    let mod: Record<string, unknown>;
    try {
      mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
    } catch (e) {
      throw new UsageError(`--load ${f}: the module failed to load: ${String((e as Error).message ?? e).split('\n')[0]}`);
    }
    const found: Scenario<any>[] = [];
    for (const v of Object.values(mod)) {
      if (isScenario(v)) found.push(v);
      else if (Array.isArray(v)) for (const x of v) if (isScenario(x)) found.push(x);
    }
    if (found.length === 0) throw new UsageError(`--load ${f}: the module exports no scenario (export the values made with defineScenario)`);
    try {
      registerScenarios([...new Set(found)], `--load ${f}`);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    n += found.length;
  }
  return n;
}

/** The modules given with --load in this invocation, for the fuzz worker threads (each loads them too). */
export const loadedModules: string[] = [];
