#!/usr/bin/env node
// Build the package: compile src/ to dist/ (ES2022 modules + declarations)
// with the TypeScript compiler. tsc rewrites the `.ts` specifiers of the
// emitted JavaScript to `.js`; declaration files keep them, so they are
// rewritten here, which lets a consumer's tsc resolve dist/*.d.ts under any
// moduleResolution setting. Everything is printed on stderr, so that
// `npm pack --json` (which runs this as prepack) prints only its JSON.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: ['ignore', 2, 2] });

const spec = /((?:from|import)\s*\(?\s*['"])(\.{1,2}\/[^'"]*?)\.ts(['"])/g;
let n = 0;
(function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.d.ts')) {
      const text = readFileSync(p, 'utf8');
      const out = text.replace(spec, '$1$2.js$3');
      if (out !== text) writeFileSync(p, out);
      n++;
    }
  }
})(dist);
console.error(`built dist/ (${n} declaration files)`);
