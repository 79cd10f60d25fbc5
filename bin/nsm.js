#!/usr/bin/env node
// nsm: the netstack-model command line. An installed package runs the
// compiled JavaScript in dist/; a checkout of the repository (src/ beside
// bin/) runs the TypeScript sources through tsx, so it never runs a stale
// build.
import { existsSync } from 'node:fs';
// `nsm ... | head` closes the pipe early: that is not an error.
for (const stream of [process.stdout, process.stderr]) stream.on('error', (e) => { if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0); else throw e; });
const checkout = existsSync(new URL('../src/cli/main.ts', import.meta.url));
let main;
if (checkout) {
  const { register } = await import('tsx/esm/api');
  register();
  globalThis.__nsmTypeScript = true; // src/cli/load.ts: .ts modules load already
  ({ main } = await import('../src/cli/main.ts'));
} else {
  ({ main } = await import('../dist/cli/main.js'));
}
process.exitCode = await main(process.argv.slice(2));
