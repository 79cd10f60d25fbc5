#!/usr/bin/env node
// nsm: the netstack-model command line. Loads the TypeScript sources through tsx.
import { register } from 'tsx/esm/api';
register();
// `nsm ... | head` closes the pipe early: that is not an error.
for (const stream of [process.stdout, process.stderr]) stream.on('error', (e) => { if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0); else throw e; });
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
